/**
 * Bybit USDT-perpetual risk limits: dated (or, where the source has no date, marked undated)
 * snapshots. A position's tier is the first whose risk limit (`cap`) holds its value; maintenance
 * margin = value × MMR − deduction (`cum`), deduction_n = deduction_{n−1} + limit_{n−1} × (MMR_n − MMR_{n−1}).
 */
import type { BracketSnapshot } from './bracket-snapshot.js';

const BTCUSDT: BracketSnapshot = {
  symbol: 'BTCUSDT',
  // The page is Bybit's live "Margin Parameters" table and carries no date; its tier 1 is the
  // 2024-10 tier 1 bundled before. It lists 20 tiers (to 80M): a larger position is refused.
  asOf: 'undated (page as stored; tier 1 as of 2024-10)',
  source: 'Bybit "Margin Parameters", USDT perpetual BTCUSDT, isolated & cross (bybitx.global/pt-PT/announcement-info/margin-parameters)',
  brackets: [
    { cap: '2000000', mmr: '0.005', cum: '0', maxLeverage: 100 },
    { cap: '2600000', mmr: '0.0056', cum: '1200', maxLeverage: 90 },
    { cap: '3200000', mmr: '0.0063', cum: '3020', maxLeverage: 80 },
    { cap: '3800000', mmr: '0.0067', cum: '4300', maxLeverage: 75 },
    { cap: '4400000', mmr: '0.0071', cum: '5820', maxLeverage: 70 },
    { cap: '5000000', mmr: '0.0077', cum: '8460', maxLeverage: 65 },
    { cap: '5600000', mmr: '0.0091', cum: '15460', maxLeverage: 55 },
    { cap: '8500000', mmr: '0.01', cum: '20500', maxLeverage: 50 },
    { cap: '10000000', mmr: '0.013', cum: '46000', maxLeverage: 45 },
    { cap: '14000000', mmr: '0.015', cum: '66000', maxLeverage: 40 },
    { cap: '20000000', mmr: '0.016', cum: '80000', maxLeverage: 35 },
    { cap: '28000000', mmr: '0.02', cum: '160000', maxLeverage: 30 },
    { cap: '38000000', mmr: '0.025', cum: '300000', maxLeverage: 25 },
    { cap: '50000000', mmr: '0.029', cum: '452000', maxLeverage: 20 },
    { cap: '55000000', mmr: '0.03', cum: '502000', maxLeverage: 19 },
    { cap: '60000000', mmr: '0.035', cum: '777000', maxLeverage: 18 },
    { cap: '65000000', mmr: '0.036', cum: '837000', maxLeverage: 17 },
    { cap: '70000000', mmr: '0.038', cum: '967000', maxLeverage: 16 },
    { cap: '75000000', mmr: '0.04', cum: '1107000', maxLeverage: 15 },
    { cap: '80000000', mmr: '0.045', cum: '1482000', maxLeverage: 14 },
  ],
};

const ETHUSDT: BracketSnapshot = {
  symbol: 'ETHUSDT',
  // No multi-tier ETHUSDT table was found to cite: tier 1 only, so a larger position is refused.
  asOf: '2024-10',
  source: 'Bybit "Risk Limit (USDT Perpetual)" table, tier 1 only',
  brackets: [{ cap: '1000000', mmr: '0.005', cum: '0', maxLeverage: 100 }],
};

/** Built-in risk-limit tables by symbol. */
export const BYBIT_RISK_LIMITS: Readonly<Record<string, BracketSnapshot>> = { BTCUSDT, ETHUSDT };
