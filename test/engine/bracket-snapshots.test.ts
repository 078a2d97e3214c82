import { describe, expect, it } from 'vitest';
import { BINANCE_BRACKETS, BYBIT_RISK_LIMITS, Dec, marketBrackets, quotePosition } from '../../engine/index.js';
import { paramsForMarket } from '../../jobs/index.js';
import { runCli } from '../_setup/cli.js';

/**
 * The bundled tier tables per venue and symbol. Every expected figure below is worked by hand
 * from the source's own numbers (quoted in the comment), never read back from the code.
 */

describe('the sources\' maintenance amounts follow the tiers', () => {
  // cum_n = cum_{n−1} + floor_n × (MMR_n − MMR_{n−1}), floor_n = the previous tier's cap: a
  // mistyped rate, cap or amount breaks it.
  it('Binance cum and Bybit deduction of every tier of every bundled symbol', () => {
    for (const [venue, table] of Object.entries({ binance: BINANCE_BRACKETS, bybit: BYBIT_RISK_LIMITS })) {
      for (const s of Object.values(table)) {
        expect(s.brackets[0]!.cum, `${venue} ${s.symbol}`).toBe('0');
        for (let i = 1; i < s.brackets.length; i++) {
          const [prev, b] = [s.brackets[i - 1]!, s.brackets[i]!];
          expect(new Dec(prev.cum).add(new Dec(prev.cap).mul(new Dec(b.mmr).sub(prev.mmr))).eq(b.cum), `${venue} ${s.symbol} tier ${i + 1}`).toBe(true);
        }
      }
    }
  });
});

describe('quotes from a non-BTC symbol\'s own table, in a higher tier', () => {
  it('Binance SOLUSDT bracket 4', () => {
    // Isolated long 10,000 SOL at 150 = 1.5M, 20× → wallet 75,000. SOLUSDT (freqtrade, 2024-10-24)
    // bracket 4: 800k–4M, MMR 2%, cum 8,380, max 25×. LP = (75,000 + 8,380 − 1,500,000)/(10,000·0.02 − 10,000)
    // = 1,416,620/9,800 = 144.5530612244897959…; 10,000·LP = 1.4455M ∈ (800k, 4M].
    // MM at entry = 1,500,000·0.02 − 8,380 = 21,620. (BTCUSDT's table would put 1.5M in its
    // bracket 3: MMR 0.65%, cum 950.)
    const q = quotePosition({ exchange: 'binance', symbol: 'SOLUSDT', mode: 'isolated', side: 'long', qty: '10000', entry: '150', leverage: '20' });
    expect([q.liquidationPrice, q.maintenanceMargin, q.initialMargin, q.tier]).toEqual(['144.55306122449', '21620', '75000', 4]);
    expect(q.brackets).toMatch(/^binance SOLUSDT, 2024-10-24: .*freqtrade/);
    // Bracket 4's cap is 25×.
    expect(() => quotePosition({ exchange: 'binance', symbol: 'SOLUSDT', mode: 'isolated', side: 'long', qty: '10000', entry: '150', leverage: '30' })).toThrow(/30× is above the maximum 25× of Binance SOLUSDT bracket 4/);
  });

  it('Binance DOGEUSDT bracket 3 at a sub-dollar price', () => {
    // Isolated short 1,000,000 DOGE at 0.1 = 100,000, wallet 10,000. DOGEUSDT bracket 3: 50k–750k,
    // MMR 1%, cum 170. Short: LP = (10,000 + 170 + 100,000)/(1,000,000·0.01 + 1,000,000)
    // = 110,170/1,010,000 = 0.109079207920792079…; notional at LP 109,079 ∈ (50k, 750k].
    const q = quotePosition({ exchange: 'binance', symbol: 'DOGEUSDT', mode: 'isolated', side: 'short', qty: '1000000', entry: '0.1', wallet: '10000' });
    expect([q.liquidationPrice, q.tier]).toEqual(['0.109079207920792', 3]);
  });

  it('Hyperliquid SOL tier 2', () => {
    // Isolated long 600,000 SOL at 150 = 90M, margin 9M. SOL: 20× below 70M, 10× from 70M, so
    // tier 2 MMR = 1/(2·10) = 5%, deduction = 70M·(5% − 2.5%) = 1.75M. Equity = MM:
    // 9M + 600,000·(P − 150) = 600,000·P·0.05 − 1.75M → P = (90M − 9M − 1.75M)/(600,000·0.95)
    // = 79,250,000/570,000 = 139.0350877192982456…; 600,000·P = 83.4M ≥ 70M (tier 1 would give
    // 81M/585,000 = 138.46, notional 83.1M, outside tier 1). MM at entry = 90M·0.05 − 1.75M = 2.75M.
    const q = quotePosition({ exchange: 'hyperliquid', coin: 'SOL', mode: 'isolated', side: 'long', qty: '600000', entry: '150', margin: '9000000' });
    expect([q.liquidationPrice, q.maintenanceMargin, q.initialMargin, q.tier]).toEqual(['139.035087719298', '2750000', '9000000', 2]);
    expect(q.brackets).toMatch(/^hyperliquid SOL, 2025-06: /);
  });

  it('says no table when the caller gives the rate, and names the known symbols when there is none', () => {
    expect(quotePosition({ exchange: 'binance', symbol: 'SOLUSDT', mode: 'isolated', side: 'long', qty: '1', entry: '150', leverage: '10', mmr: '0.01' }).brackets).toBeUndefined();
    expect(() => quotePosition({ exchange: 'binance', symbol: 'PEPEUSDT', mode: 'isolated', side: 'long', qty: '1', entry: '1', leverage: '10' })).toThrow(
      /no built-in Binance brackets for PEPEUSDT \(known: BTCUSDT, ETHUSDT, SOLUSDT, DOGEUSDT, XRPUSDT, BNBUSDT\)/,
    );
    expect(() => quotePosition({ exchange: 'bybit', symbol: 'SOLUSDT', side: 'long', qty: '1', entry: '150', leverage: '10' })).toThrow(/no built-in Bybit risk limit for SOLUSDT \(known: BTCUSDT, ETHUSDT\)/);
  });

  it('liqmap quote prints the table it read', () => {
    const r = runCli(['quote', '--exchange', 'binance', '--symbol', 'XRPUSDT', '--mode', 'isolated', '--side', 'long', '--qty', '1000', '--entry', '0.5', '--leverage', '10']);
    expect(r.code, r.stderr).toBe(0);
    // 500 notional, XRPUSDT bracket 1 (MMR 0.5%): LP = (50 − 500)/(1,000·0.005 − 1,000) = 450/995.
    expect(r.stdout).toMatch(/liquidation price +0\.452261306532663\n/);
    expect(r.stdout).toMatch(/brackets +binance XRPUSDT, 2024-10-24: /);
  });
});

describe('the model takes the market\'s own tiers', () => {
  it('binance:SOLUSDT gets SOLUSDT\'s brackets and leverage cap, not BTCUSDT\'s', () => {
    const p = paramsForMarket('binance:SOLUSDT', undefined, null);
    // SOLUSDT's first four brackets as the source lists them (BTCUSDT's start 50k/0.4%/125×).
    expect(p.maintenanceTiers!.slice(0, 4)).toEqual([
      { cap: 20_000, rate: 0.005, amount: 0 },
      { cap: 100_000, rate: 0.0065, amount: 30 },
      { cap: 800_000, rate: 0.01, amount: 380 },
      { cap: 4_000_000, rate: 0.02, amount: 8380 },
    ]);
    expect(p.maintenanceTiers).toHaveLength(10);
    // The default notional 10,000 sits in SOLUSDT bracket 1, at most 100×.
    expect(Math.max(...p.leverages.map((l) => l.leverage))).toBeLessThanOrEqual(100);
  });

  it('every bundled venue table reaches the model by its market id', () => {
    expect(paramsForMarket('binance:DOGEUSDT', undefined, null).maintenanceTiers![0]).toEqual({ cap: 10_000, rate: 0.005, amount: 0 });
    // Bybit BTCUSDT: all 20 risk-limit tiers, tier 8 = 8.5M, 1%, 20,500.
    const bybit = paramsForMarket('bybit:BTCUSDT', undefined, null).maintenanceTiers!;
    expect([bybit.length, bybit[7]]).toEqual([20, { cap: 8_500_000, rate: 0.01, amount: 20_500 }]);
    expect(paramsForMarket('hyperliquid:SOL', undefined, null).maintenanceTiers![0]).toMatchObject({ rate: 1 / 40, amount: 0 });
    // OKX: no table bundled, so the market keeps the model's documented default.
    expect(marketBrackets('okx:SOL-USDT-SWAP')).toBeNull();
    expect(paramsForMarket('okx:SOL-USDT-SWAP', undefined, null).maintenanceTiers).toEqual(paramsForMarket('nonsense:X', undefined, null).maintenanceTiers);
  });
});
