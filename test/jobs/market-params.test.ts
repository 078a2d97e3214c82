import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { effectiveParams } from '../../jobs/index.js';
import { createTestStore, type TestStore } from '../_setup/store.js';

describe('a market is modelled with its own venue brackets', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await createTestStore();
  });
  afterAll(async () => {
    await t.drop();
  });

  it('takes the maintenance rate and amount from the market\'s venue and symbol, not BTCUSDT\'s', async () => {
    const btc = await effectiveParams(t.store, 'binance:BTCUSDT');
    const sol = await effectiveParams(t.store, 'binance:SOLUSDT');
    expect(btc.maintenanceMarginRate).toBe(0.004);
    expect(sol.maintenanceMarginRate).toBe(0.005); // SOLUSDT's first bracket (≤ 20,000)
    // A larger typical position lands in SOLUSDT's second bracket: 0.65%, amount 30.
    const big = await effectiveParams(t.store, 'binance:SOLUSDT', { positionNotional: 50_000 });
    expect(big.maintenanceMarginRate).toBe(0.0065);
    expect(big.maintenanceAmountFraction).toBeCloseTo(30 / 50_000, 15);
    // ETHUSDT (2024-10-24) at 100,000: bracket 2, 0.5%, amount 50.
    expect((await effectiveParams(t.store, 'binance:ETHUSDT', { positionNotional: 100_000 })).maintenanceAmountFraction).toBeCloseTo(50 / 100_000, 15);
    expect((await effectiveParams(t.store, 'bybit:ETHUSDT')).maintenanceMarginRate).toBe(0.005);
  });

  it('caps the default leverage mix at what the venue allows (Hyperliquid BTC: 40×, maintenance 1/80)', async () => {
    const hl = await effectiveParams(t.store, 'hyperliquid:BTC');
    expect(hl.maintenanceMarginRate).toBeCloseTo(1 / 80, 15);
    expect(Math.max(...hl.leverages.map((l) => l.leverage))).toBe(40);
    expect(hl.leverages.find((l) => l.leverage === 40)!.weight).toBeCloseTo(0.35, 12); // 50× and 100× moved to 40×
  });

  it('keeps the default for a venue without a bundled table, and the caller\'s own rate or brackets', async () => {
    expect((await effectiveParams(t.store, 'okx:ETH-USDT-SWAP')).maintenanceMarginRate).toBe(0.004);
    expect((await effectiveParams(t.store, 'binance:ETHUSDT', { maintenanceMarginRate: 0.008 })).maintenanceMarginRate).toBe(0.008);
    const own = await effectiveParams(t.store, 'binance:ETHUSDT', { maintenanceTiers: [{ cap: 1e9, rate: 0.003, amount: 0 }] });
    expect(own.maintenanceMarginRate).toBe(0.003);
  });
});
