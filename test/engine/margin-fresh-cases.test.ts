import { describe, expect, it } from 'vitest';
import { Dec, quotePosition } from '../../engine/index.js';

/**
 * Cases the worked examples of shared/reference/margin-formulas.md do not cover, each computed
 * by hand from that document's formulas with Python's `decimal` at 50 digits (the derivation is
 * in the comment); the expected strings are those results rounded as `quote` prints them.
 */
const lp = (input: Record<string, unknown>) => quotePosition(input).liquidationPrice;

describe('Binance USDⓈ-M beyond the worked example', () => {
  it('isolated long whose liquidation notional falls a bracket below its entry notional', () => {
    // 15 BTC at 45,000 = 675k (bracket 3 at entry), wallet 100,000. Bracket 2 (MMR 0.5%, cum 50):
    // LP = (100,000 + 50 − 675,000)/(15·0.005 − 15) = 38,522.613065326633165…; 15·LP = 577,839 ∈ (50k, 600k].
    const q = quotePosition({ exchange: 'binance', symbol: 'BTCUSDT', mode: 'isolated', side: 'long', qty: '15', entry: '45000', wallet: '100000' });
    expect(q.liquidationPrice).toBe('38522.613065326633');
    expect(q.tier).toBe(2);
    expect(q.maintenanceMargin).toBe('3437.5'); // at entry, bracket 3: 675,000·0.0065 − 950
  });

  it('ETHUSDT hedge-mode cross short with the other positions\' maintenance and PnL', () => {
    // Short 30 ETH at 3,100.55, wallet 5,000, TMM1 120.5, UPNL1 −300.25. ETHUSDT (2024-10-24)
    // bracket 2 (MMR 0.5%, cum 50): LP = (5,000 − 120.5 − 300.25 + 50 + 30·3,100.55)/(30·0.005 + 30)
    // = 97,645.75/30.15 = 3,238.6650082918739635…; 30·LP = 97,160 ∈ (50k, 600k].
    const q = quotePosition({ exchange: 'binance', symbol: 'ETHUSDT', mode: 'cross', hedge: true, side: 'short', qty: '30', entry: '3100.55', wallet: '5000', otherMaintenance: '120.5', otherUpnl: '-300.25' });
    expect(q.liquidationPrice).toBe('3238.665008291874');
    expect(q.tier).toBe(2);
    // No --leverage in cross: the entry bracket's cap, 100×, bounds the initial margin from
    // below: 93,016.5 / 100.
    expect(q.initialMargin).toBe('930.165');
  });

  it('a tiny isolated position at 125× with a many-decimal entry', () => {
    // 0.001 BTC at 97,123.45678901, wallet = notional/125; LP = (W − qE)/(q·0.004 − q) = 96,733.40274568064257…
    expect(lp({ exchange: 'binance', symbol: 'BTCUSDT', mode: 'isolated', side: 'long', qty: '0.001', entry: '97123.45678901', leverage: '125' })).toBe('96733.402745680643');
  });

  it('isolated margin added on top of notional / leverage', () => {
    // 2 BTC at 60,000, 20× → 6,000, plus 500 added = wallet 6,500 (the doc: "notional / leverage
    // (+ added margin)"). Bracket 2: LP = (6,500 + 50 − 120,000)/(2·0.005 − 2) = 57,010.0502512562814…
    expect(lp({ exchange: 'binance', symbol: 'BTCUSDT', mode: 'isolated', side: 'long', qty: '2', entry: '60000', leverage: '20', extraMargin: '500' })).toBe('57010.050251256281');
  });
});

describe('Bybit beyond tier 1', () => {
  it('a later tier\'s MMR and deduction, added margin and the fee to close (short)', () => {
    // Short 500 ETH at 2,400.123, 20×, MMR 1%, deduction 5,000, extra 1,000, taker 0.055%:
    // IM = N/20 + N·(1 + 1/20)·0.00055 = 60,696.11051625 (N = 1,200,061.5); MM = N·0.01 − 5,000 = 7,000.615;
    // LP = 2,400.123 + (IM − MM)/500 + 1,000/500 = 2,509.5139910325.
    const q = quotePosition({ exchange: 'bybit', symbol: 'ETHUSDT', side: 'short', qty: '500', entry: '2400.123', leverage: '20', mmr: '0.01', mmDeduction: '5000', extraMargin: '1000', takerFee: '0.00055' });
    expect([q.liquidationPrice, q.initialMargin, q.maintenanceMargin]).toEqual(['2509.5139910325', '60696.11051625', '7000.615']);
  });

  it('takes a BTCUSDT position\'s own risk-limit tier, and refuses one above the last bundled tier', () => {
    // 100 BTC at 64,000 = 6.4M: tier 8 (5.6M–8.5M, MMR 1%, deduction 20,500, max 50×) of the
    // Margin Parameters page. 50×: IM = 128,000; MM = 6,400,000·0.01 − 20,500 = 43,500;
    // LP = 64,000 − (128,000 − 43,500)/100 = 63,155.
    const q = quotePosition({ exchange: 'bybit', symbol: 'BTCUSDT', side: 'long', qty: '100', entry: '64000', leverage: '50' });
    expect([q.liquidationPrice, q.initialMargin, q.maintenanceMargin, q.tier]).toEqual(['63155', '128000', '43500', 8]);
    expect(() => quotePosition({ exchange: 'bybit', symbol: 'BTCUSDT', side: 'long', qty: '100', entry: '64000', leverage: '55' })).toThrow(/55× is above the maximum 50× of Bybit BTCUSDT risk-limit tier 8/);
    // 1,300 BTC at 64,000 = 83.2M, above tier 20's 80M: its MMR is not in the table.
    expect(() => quotePosition({ exchange: 'bybit', symbol: 'BTCUSDT', side: 'long', qty: '1300', entry: '64000', leverage: '5' })).toThrow(/qty.*83200000 is above Bybit BTCUSDT risk-limit tier 20 .*--mmr/);
    // With the tier's own figures it quotes.
    expect(lp({ exchange: 'bybit', symbol: 'BTCUSDT', side: 'long', qty: '100', entry: '64000', leverage: '20', mmr: '0.01', mmDeduction: '10000' })).toBe('61340'); // 64,000 − (320,000 − 54,000)/100
  });
});

describe('OKX, Hyperliquid, dYdX, GMX beyond the worked examples', () => {
  it('OKX isolated short with margin added', () => {
    // 3 ETH at 3,333.33, 20× → 499.9995 + 50; LP = (3,333.33 + 549.9995/3)/(1 + 0.005 + 0.0005) = 3,497.42731642632189…
    expect(lp({ exchange: 'okx', side: 'short', qty: '3', entry: '3333.33', leverage: '20', extraMargin: '50', mmr: '0.005', takerFee: '0.0005' })).toBe('3497.427316426322');
  });

  it('Hyperliquid: a position in the second margin tier (deduction) stays liquidated there', () => {
    // 3,000 BTC at 60,000 = 180M (tier 2: MMR 1/40, deduction 150M·(1/40 − 1/80) = 1,875,000), margin 9M:
    // LP = (qE − margin − deduction)/(q·(1 − 1/40)) = 57,820.5128205128205…; 3,000·LP = 173.5M ≥ 150M.
    const q = quotePosition({ exchange: 'hyperliquid', coin: 'BTC', side: 'long', qty: '3000', entry: '60000', margin: '9000000', leverage: '20' });
    expect([q.liquidationPrice, q.tier]).toEqual(['57820.512820512821', 2]);
  });

  it('Hyperliquid cross: the account\'s other maintenance is part of maintenance_margin_required', () => {
    // Long 1,000 SOL at 150.25, account value 20,000, l = 1/40; other positions' maintenance 1,200:
    // margin_available = 20,000 − 1,200 − 150,250/40; LP = 150.25 − available/1,000/(1 − 1/40) = 134.8205128205128…
    const base = { exchange: 'hyperliquid', coin: 'SOL', mode: 'cross', side: 'long', qty: '1000', entry: '150.25', accountValue: '20000' };
    expect(lp(base)).toBe('133.589743589744');
    expect(lp({ ...base, otherMaintenance: '1200' })).toBe('134.820512820513');
  });

  it('keeps the significant digits of a sub-cent price', () => {
    // 1e9 of a coin at 0.0000123456, max 10× (l = 1/20), margin 2,469.12:
    // LP = E − (m − qE/20)/q/(1 − 1/20) = 0.0000103962947368421052631…
    const v = lp({ exchange: 'hyperliquid', coin: 'KPEPE', maxLeverage: '10', side: 'long', qty: '1000000000', entry: '0.0000123456', margin: '2469.12' })!;
    expect(v).toBe('0.0000103962947368421');
    // DOGE short (10× tier: l = 1/20), 100,000 at 0.123456789, margin 2,000 → 0.1366255133333…
    expect(lp({ exchange: 'hyperliquid', coin: 'DOGE', side: 'short', qty: '100000', entry: '0.123456789', margin: '2000' })).toBe('0.136625513333333');
    expect(new Dec(v).sub('0.0000103962947368421052631578947').abs().lt('1e-19')).toBe(true);
  });

  it('dYdX cross long with the other positions\' maintenance', () => {
    // s = +2 BTC, oracle 95,000.5, equity 12,000, MMF 3%, others 800: p′ = (12,000 − 190,001 − 800)/(0.06 − 2) = 92,165.4639175257731…
    expect(lp({ exchange: 'dydx', mode: 'cross', side: 'long', qty: '2', oracle: '95000.5', equity: '12000', mmf: '0.03', otherMaintenance: '800' })).toBe('92165.463917525773');
  });

  it('GMX shorts: stable collateral with the close fee, and index-token collateral', () => {
    // Short 50,000 USD = 20 tokens on 5,000 USDC, fee 0.06% (30), min factor 0.5% (250):
    // 5,000 + 50,000 − 20P − 30 = 250 → P = 2,736.
    expect(lp({ exchange: 'gmx', side: 'short', sizeUsd: '50000', sizeTokens: '20', collateralTokens: '5000', positionFeeFactor: '0.0006', minCollateralFactor: '0.005' })).toBe('2736');
    // Short 10,000 USD = 4 ETH on 2 ETH: 2P + 10,000 − 4P = 100 → P = 4,950.
    expect(lp({ exchange: 'gmx', side: 'short', sizeUsd: '10000', sizeTokens: '4', collateralTokens: '2', collateralIsIndex: true })).toBe('4950');
  });
});

describe('inputs a venue does not read', () => {
  it('are refused with the field named, not silently dropped', () => {
    // Each of these changed nothing before: the quote came back as if the flag were not there.
    expect(() => quotePosition({ exchange: 'binance', symbol: 'BTCUSDT', mode: 'cross', side: 'long', qty: '1', entry: '60000', wallet: '5000', margin: '100' })).toThrow(/margin: not an input of binance/);
    expect(() => quotePosition({ exchange: 'gmx', mode: 'cross', side: 'short', sizeUsd: '10000', sizeTokens: '4', collateralUsd: '1000' })).toThrow(/mode: not an input of gmx/);
    expect(() => quotePosition({ exchange: 'binance', symbol: 'BTCUSDT', mode: 'cross', side: 'long', qty: '1', entry: '60000', wallet: '5000', extraMargin: '100' })).toThrow(/extraMargin.*isolated/);
  });
});
