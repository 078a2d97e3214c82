import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchWriter, readHeatmapRowAt, writeMarketState, writePositionChanges, type MarketStateRow, type PositionChangeRow, type TradeEvent } from '../../db/index.js';
import { modelParamsHash } from '../../engine/index.js';
import { GmxReplay, computeMarket, effectiveParams } from '../../jobs/index.js';
import { createTestStore, type TestStore } from '../_setup/store.js';

/**
 * GMX v2 exact levels move with the market's accumulators. One long, the same in two markets
 * that differ only in minCollateralFactorForLiquidation, priced by hand with the contract's
 * formula (PositionUtils.isPositionLiquidatable) and compared to the cent.
 */

const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);
const us = (ms: number) => ms * 1000;
const USDC = '0xaf88d065e77c8cc2239327c5edb3a432268e5831';
const MARKETS = [
  { market: 'gmx:ETH-USD', token: '0x70d95587d40a2caf56bd97485ab3eec10bee6336', minCollateralFactor: '0.005' },
  { market: 'gmx:ALT-USD', token: '0x00000000000000000000000000000000000000aa', minCollateralFactor: '0.01' },
];

/** A $10,000 long of 4 ETH (entry 2,500) backed by 1,000 USDC priced at 0.9998, opened at T0. */
function position(market: string, token: string): PositionChangeRow {
  return {
    key: `pos-${market}`,
    changeId: `open-${market}`,
    market,
    marketToken: token,
    account: '0x1',
    collateralToken: USDC,
    isLong: true,
    sizeUsd: '10000',
    sizeTokens: '4',
    collateralTokens: '1000',
    collateralUsd: '999.8',
    entryPrice: '2500',
    open: true,
    block: 100,
    ts: us(T0),
    collateralIsIndex: false,
    collateralPrice: '0.9998',
    borrowingFactor: '0.001',
    fundingFeePerSize: '0.000001',
    pendingImpactTokens: '-0.01',
  };
}

function state(market: string, minCollateralFactor: string): MarketStateRow[] {
  const row = (kind: string, atMs: number, value: string, extra: Partial<MarketStateRow> = {}): MarketStateRow => ({
    market,
    kind,
    collateralToken: '',
    flag: false,
    entryId: `${market}-${kind}-${atMs}-${extra.flag ?? ''}`,
    block: atMs === T0 ? 100 : 200,
    ts: us(atMs),
    value,
    ...extra,
  });
  const later = T0 + 30 * 60_000;
  return [
    row('minCollateralFactorForLiquidation', T0, minCollateralFactor),
    row('maxPositionImpactFactorForLiquidations', T0, '0.01'),
    row('positionFeeFactor', T0, '0.0006'),
    row('cumulativeBorrowingFactor', T0, '0.001', { flag: true }),
    row('fundingFeeAmountPerSize', T0, '0.000001', { flag: true, collateralToken: USDC }),
    // 30 minutes later the market's accumulators have moved.
    row('cumulativeBorrowingFactor', later, '0.011', { flag: true }),
    row('fundingFeeAmountPerSize', later, '0.000003', { flag: true, collateralToken: USDC }),
    { ...row('minCollateralUsd', T0, '1'), market: 'gmx:*' },
  ];
}

/**
 * The hand calculation (GMX's formula, long, USDC collateral at its own price 0.9998):
 *   remaining(P) = collateral × 0.9998 + (4·P − 10,000)                         collateral + PnL
 *                + max(min(−0.01·P, 0), −10,000 × 0.01)                           pending impact, capped (−$100 is not reached)
 *                − 10,000 × 0.0006                                                position fee of the close ($6)
 *                − 10,000 × (cumulativeBorrowingFactor − 0.001)                   borrowing since the position's factor
 *                − 10,000 × (fundingFeeAmountPerSize − 0.000001) × 0.9998         funding since its funding per size, in USDC
 *   liquidation where remaining(P) = max(minCollateralUsd 1, 10,000 × minCollateralFactor)
 *
 * Before the accrual (factor 0.001, funding 0.000001), factor 0.005 (threshold $50):
 *   999.8 + 4P − 10,000 − 0.01P − 6 = 50  →  3.99 P = 9,056.2  →  P = 2,269.72431…
 * After (factor 0.011: $100 of borrowing; funding +0.000002 × 10,000 = 0.02 USDC = $0.019996):
 *   3.99 P = 9,056.2 + 100 + 0.019996 = 9,156.219996  →  P = 2,294.79197…
 * The same position where the factor is 0.01 (threshold $100), after the accrual:
 *   3.99 P = 9,206.219996  →  P = 2,307.32330…
 */
const HAND = { before: '2269.72', after: '2294.79', otherMarketAfter: '2307.32' };

describe('exact GMX v2 levels follow the borrowing fees (hand calculation to the cent)', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await createTestStore();
    // A trade a minute for an hour gives the market its time buckets.
    const trades: TradeEvent[] = [];
    for (const { market } of MARKETS) {
      for (let m = 0; m <= 60; m++) trades.push({ kind: 'trade', market, ts: us(T0 + m * 60_000), tradeId: `${market}-${m}`, price: '2500', qty: '0.1', side: 'buy' });
    }
    await new BatchWriter(t.store).write({ events: trades });
    await t.store.rawTransaction(async (tx) => {
      await writePositionChanges(tx, MARKETS.map((m) => position(m.market, m.token)));
      await writeMarketState(tx, MARKETS.flatMap((m) => state(m.market, m.minCollateralFactor)));
    });
  });
  afterAll(async () => {
    await t.drop();
  });

  it('moves the liquidation price as borrowing accrues, equal to the hand calculation', () => {
    const [eth] = MARKETS;
    const replay = new GmxReplay([position(eth!.market, eth!.token)], state(eth!.market, eth!.minCollateralFactor).sort((a, b) => a.ts - b.ts));
    replay.advanceTo(us(T0 + 10 * 60_000));
    const before = replay.positions()[0]!.liquidationPrice!;
    expect(before.toFixed(2)).toBe(HAND.before);
    replay.advanceTo(us(T0 + 40 * 60_000));
    const after = replay.positions()[0]!.liquidationPrice!;
    expect(after.toFixed(2)).toBe(HAND.after);
    expect(after.gt(before)).toBe(true);
  });

  it('gives the same position in a market with another collateral factor another price', () => {
    const [, alt] = MARKETS;
    const replay = new GmxReplay([position(alt!.market, alt!.token)], state(alt!.market, alt!.minCollateralFactor).sort((a, b) => a.ts - b.ts));
    replay.advanceTo(us(T0 + 40 * 60_000));
    expect(replay.positions()[0]!.liquidationPrice!.toFixed(2)).toBe(HAND.otherMarketAfter);
  });

  it('persists the levels at those prices: the long cell moves between the buckets before and after the accrual', async () => {
    const expected = [
      { market: 'gmx:ETH-USD', before: HAND.before, after: HAND.after },
      { market: 'gmx:ALT-USD', after: HAND.otherMarketAfter },
    ];
    for (const e of expected) {
      await computeMarket(t.store, { market: e.market });
      const params = await effectiveParams(t.store, e.market);
      const hash = modelParamsHash(params);
      for (const [atMs, price] of [
        [T0 + 10 * 60_000, e.before],
        [T0 + 40 * 60_000, e.after],
      ] as const) {
        if (price === undefined) continue;
        const row = (await readHeatmapRowAt(t.store, e.market, hash, atMs))!;
        const cells = row.long.map((v, i) => [row.longLo + i, v] as const).filter(([, v]) => v > 0);
        // One position: one long cell, in the bucket of the hand-computed price, notional 4 × price.
        expect(cells).toHaveLength(1);
        expect(cells[0]![0]).toBe(Math.floor(Number(price) / row.priceStep));
        expect(cells[0]![1]).toBeCloseTo(4 * Number(price), 1);
      }
    }
  });
});
