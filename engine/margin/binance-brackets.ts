/**
 * Binance USDⓈ-M leverage brackets: dated snapshots of `/fapi/v1/leverageBracket`.
 * Brackets change over time; callers pass their own (or `--mmr`/`--cum`) to override.
 */
import type { BracketSnapshot } from './bracket-snapshot.js';

export type { Bracket, BracketSnapshot } from './bracket-snapshot.js';

const BTCUSDT: BracketSnapshot = {
  symbol: 'BTCUSDT',
  asOf: '2024-10',
  source: 'Binance /fapi/v1/leverageBracket (snapshot in shared/reference/margin-formulas.md)',
  brackets: [
    { cap: '50000', mmr: '0.004', cum: '0', maxLeverage: 125 },
    { cap: '600000', mmr: '0.005', cum: '50', maxLeverage: 100 },
    { cap: '3000000', mmr: '0.0065', cum: '950', maxLeverage: 75 },
    { cap: '12000000', mmr: '0.01', cum: '11450', maxLeverage: 50 },
    { cap: '70000000', mmr: '0.02', cum: '131450', maxLeverage: 25 },
    { cap: '100000000', mmr: '0.025', cum: '481450', maxLeverage: 20 },
    { cap: '230000000', mmr: '0.05', cum: '2981450', maxLeverage: 10 },
    { cap: '480000000', mmr: '0.1', cum: '14481450', maxLeverage: 5 },
    { cap: '600000000', mmr: '0.125', cum: '26481450', maxLeverage: 4 },
    { cap: '800000000', mmr: '0.15', cum: '41481450', maxLeverage: 3 },
    { cap: '1200000000', mmr: '0.25', cum: '121481450', maxLeverage: 2 },
    { cap: '1800000000', mmr: '0.5', cum: '421481450', maxLeverage: 1 },
  ],
};

/**
 * freqtrade's copy of `/fapi/v1/leverageBracket` for every USDⓈ-M symbol
 * (github.com/freqtrade/freqtrade, freqtrade/exchange/binance_leverage_tiers.json), as its bot
 * refreshed it in commit 3d9514d of 2024-10-24 (`git log -1 --format=%cs -- <that file>`). Its
 * BTCUSDT brackets are the ones above, figure for figure. Each bracket's `cum` is the source's.
 */
const FREQTRADE_2024_10_24 = {
  asOf: '2024-10-24',
  source: 'Binance /fapi/v1/leverageBracket as freqtrade ships it (freqtrade/freqtrade freqtrade/exchange/binance_leverage_tiers.json, commit 3d9514d, 2024-10-24)',
} as const;

const ETHUSDT: BracketSnapshot = {
  symbol: 'ETHUSDT',
  ...FREQTRADE_2024_10_24,
  brackets: [
    { cap: '50000', mmr: '0.004', cum: '0', maxLeverage: 125 },
    { cap: '600000', mmr: '0.005', cum: '50', maxLeverage: 100 },
    { cap: '3000000', mmr: '0.0065', cum: '950', maxLeverage: 75 },
    { cap: '12000000', mmr: '0.01', cum: '11450', maxLeverage: 50 },
    { cap: '50000000', mmr: '0.02', cum: '131450', maxLeverage: 25 },
    { cap: '65000000', mmr: '0.025', cum: '381450', maxLeverage: 20 },
    { cap: '150000000', mmr: '0.05', cum: '2006450', maxLeverage: 10 },
    { cap: '320000000', mmr: '0.1', cum: '9506450', maxLeverage: 5 },
    { cap: '400000000', mmr: '0.125', cum: '17506450', maxLeverage: 4 },
    { cap: '530000000', mmr: '0.15', cum: '27506450', maxLeverage: 3 },
    { cap: '800000000', mmr: '0.25', cum: '80506450', maxLeverage: 2 },
    { cap: '1200000000', mmr: '0.5', cum: '280506450', maxLeverage: 1 },
  ],
};

const SOLUSDT: BracketSnapshot = {
  symbol: 'SOLUSDT',
  ...FREQTRADE_2024_10_24,
  brackets: [
    { cap: '20000', mmr: '0.005', cum: '0', maxLeverage: 100 },
    { cap: '100000', mmr: '0.0065', cum: '30', maxLeverage: 75 },
    { cap: '800000', mmr: '0.01', cum: '380', maxLeverage: 50 },
    { cap: '4000000', mmr: '0.02', cum: '8380', maxLeverage: 25 },
    { cap: '8000000', mmr: '0.025', cum: '28380', maxLeverage: 20 },
    { cap: '40000000', mmr: '0.05', cum: '228380', maxLeverage: 10 },
    { cap: '80000000', mmr: '0.1', cum: '2228380', maxLeverage: 5 },
    { cap: '100000000', mmr: '0.125', cum: '4228380', maxLeverage: 4 },
    { cap: '200000000', mmr: '0.25', cum: '16728380', maxLeverage: 2 },
    { cap: '400000000', mmr: '0.5', cum: '66728380', maxLeverage: 1 },
  ],
};

const DOGEUSDT: BracketSnapshot = {
  symbol: 'DOGEUSDT',
  ...FREQTRADE_2024_10_24,
  brackets: [
    { cap: '10000', mmr: '0.005', cum: '0', maxLeverage: 75 },
    { cap: '50000', mmr: '0.007', cum: '20', maxLeverage: 50 },
    { cap: '750000', mmr: '0.01', cum: '170', maxLeverage: 40 },
    { cap: '800000', mmr: '0.02', cum: '7670', maxLeverage: 25 },
    { cap: '1600000', mmr: '0.025', cum: '11670', maxLeverage: 20 },
    { cap: '8000000', mmr: '0.05', cum: '51670', maxLeverage: 10 },
    { cap: '16000000', mmr: '0.1', cum: '451670', maxLeverage: 5 },
    { cap: '20000000', mmr: '0.125', cum: '851670', maxLeverage: 4 },
    { cap: '40000000', mmr: '0.25', cum: '3351670', maxLeverage: 2 },
    { cap: '80000000', mmr: '0.5', cum: '13351670', maxLeverage: 1 },
  ],
};

const XRPUSDT: BracketSnapshot = {
  symbol: 'XRPUSDT',
  ...FREQTRADE_2024_10_24,
  brackets: [
    { cap: '10000', mmr: '0.005', cum: '0', maxLeverage: 75 },
    { cap: '20000', mmr: '0.0065', cum: '15', maxLeverage: 50 },
    { cap: '160000', mmr: '0.01', cum: '85', maxLeverage: 40 },
    { cap: '800000', mmr: '0.02', cum: '1685', maxLeverage: 25 },
    { cap: '1600000', mmr: '0.025', cum: '5685', maxLeverage: 20 },
    { cap: '8000000', mmr: '0.05', cum: '45685', maxLeverage: 10 },
    { cap: '16000000', mmr: '0.1', cum: '445685', maxLeverage: 5 },
    { cap: '20000000', mmr: '0.125', cum: '845685', maxLeverage: 4 },
    { cap: '40000000', mmr: '0.25', cum: '3345685', maxLeverage: 2 },
    { cap: '80000000', mmr: '0.5', cum: '13345685', maxLeverage: 1 },
  ],
};

const BNBUSDT: BracketSnapshot = {
  symbol: 'BNBUSDT',
  ...FREQTRADE_2024_10_24,
  brackets: [
    { cap: '10000', mmr: '0.005', cum: '0', maxLeverage: 75 },
    { cap: '50000', mmr: '0.006', cum: '10', maxLeverage: 50 },
    { cap: '200000', mmr: '0.01', cum: '210', maxLeverage: 40 },
    { cap: '1500000', mmr: '0.02', cum: '2210', maxLeverage: 25 },
    { cap: '3000000', mmr: '0.025', cum: '9710', maxLeverage: 20 },
    { cap: '15000000', mmr: '0.05', cum: '84710', maxLeverage: 10 },
    { cap: '30000000', mmr: '0.1', cum: '834710', maxLeverage: 5 },
    { cap: '37500000', mmr: '0.125', cum: '1584710', maxLeverage: 4 },
    { cap: '75000000', mmr: '0.25', cum: '6272210', maxLeverage: 2 },
    { cap: '150000000', mmr: '0.5', cum: '25022210', maxLeverage: 1 },
  ],
};

/** Built-in snapshots by symbol. */
export const BINANCE_BRACKETS: Readonly<Record<string, BracketSnapshot>> = { BTCUSDT, ETHUSDT, SOLUSDT, DOGEUSDT, XRPUSDT, BNBUSDT };
