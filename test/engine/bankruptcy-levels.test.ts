import { describe, expect, it } from 'vitest';
import { bankruptcyFromLiquidationLevels, bankruptcyLevels, createModelState, parseModelParams, stepModel, type MarketBucket } from '../../engine/index.js';

const H = 3_600_000;
const T0 = Date.UTC(2025, 0, 1);

function bar(k: number): MarketBucket {
  const close = 100 * (1 + 0.01 * Math.sin(k / 3));
  return { t: T0 + k * H, open: close, high: close * 1.002, low: close * 0.998, close, vwap: close, buyVolume: 60 + k, sellVolume: 40, openInterest: null, fundingRate: k % 8 === 0 ? 0.0001 : null, markPrice: null, realizedLong: 0, realizedShort: 0 };
}

describe('bankruptcy levels from stored liquidation levels (what the accuracy query scores OKX and Bybit against)', () => {
  const run = (levelSpread: number) => {
    const params = parseModelParams({ timeBucketSeconds: 3600, maintenanceMarginRate: 0.005, priceBucketFraction: 0.0005, halfLifeHours: 24, levelSpread });
    const state = createModelState(params);
    let snap = stepModel(state, bar(0));
    for (let k = 1; k < 48; k++) snap = stepModel(state, bar(k));
    return { params, state, snap, derived: bankruptcyFromLiquidationLevels(snap, snap.priceStep, params.maintenanceMarginRate, params.maintenanceAmountFraction)! };
  };
  // Sharp levels: the derivation is exact to a bucket's shift.
  const { state, snap, derived } = run(0);
  const exact = bankruptcyLevels(state);
  const sum = (m: ReadonlyMap<number, number>) => [...m.values()].reduce((a, b) => a + b, 0);

  it('holds the same notional per side as the exact bankruptcy levels', () => {
    expect(sum(exact.long)).toBeGreaterThan(0);
    expect(sum(derived.long)).toBeCloseTo(sum(exact.long), 6);
    expect(sum(derived.short)).toBeCloseTo(sum(exact.short), 6);
  });

  it('puts every level within one price bucket of the exact one, below the liquidation level for longs and above it for shorts', () => {
    for (const side of ['long', 'short'] as const) {
      // Cumulative notional over the buckets: a shift of at most one bucket keeps each partial sum between its neighbours'.
      const keys = [...new Set([...exact[side].keys(), ...derived[side].keys()])].sort((a, b) => a - b);
      let ce = 0;
      let cd = 0;
      const total = sum(exact[side]);
      for (let j = 0; j < keys.length; j++) {
        const lag = (m: ReadonlyMap<number, number>, d: number) => [...m].filter(([i]) => i <= keys[j]! + d).reduce((a, [, v]) => a + v, 0);
        ce = lag(exact[side], 0);
        cd = lag(derived[side], 0);
        expect(cd).toBeGreaterThanOrEqual(lag(exact[side], -1) - 1e-9 * total);
        expect(cd).toBeLessThanOrEqual(lag(exact[side], 1) + 1e-9 * total);
      }
      expect(cd).toBeCloseTo(ce, 6);
    }
    const meanIdx = (m: ReadonlyMap<number, number>) => [...m].reduce((a, [i, v]) => a + i * v, 0) / sum(m);
    expect(meanIdx(derived.long)).toBeLessThan(meanIdx(snap.long));
    expect(meanIdx(derived.short)).toBeGreaterThan(meanIdx(snap.short));
  });

  it('with the default level spread, drops only what the served levels dropped beyond the price: a little less notional than the exact spread levels, placed alike', () => {
    const spread = run(0.4);
    const exactSpread = bankruptcyLevels(spread.state, spread.snap.price);
    for (const side of ['long', 'short'] as const) {
      // The served liquidation levels lost their tail beyond the price; the bankruptcy levels, a
      // maintenance rate further out, lose less of theirs, and the stored rows cannot say how much.
      const total = sum(exactSpread[side]);
      expect(sum(spread.derived[side])).toBeLessThanOrEqual(total);
      expect(sum(spread.derived[side])).toBeGreaterThan(0.97 * total);
      const keys = [...new Set([...exactSpread[side].keys(), ...spread.derived[side].keys()])].sort((a, b) => a - b);
      let ce = 0;
      let cd = 0;
      for (const k of keys) {
        ce += exactSpread[side].get(k) ?? 0;
        cd += spread.derived[side].get(k) ?? 0;
        expect(Math.abs(cd - ce)).toBeLessThan(0.03 * total);
      }
    }
  });

  it('refuses parameters with a maintenance amount (the shift then depends on each entry)', () => {
    expect(bankruptcyFromLiquidationLevels(snap, snap.priceStep, 0.005, 0.001)).toBeNull();
  });
});
