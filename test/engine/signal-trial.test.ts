import { describe, expect, it } from 'vitest';
import { bootstrapInterval, captureRecord, createModelState, parseModelParams, scoreTrial, stepModel, stratifiedBootstrapInterval, type MarketBucket, type RangedPrediction, type RealizedLiquidation } from '../../engine/index.js';

const H = 3_600_000;
const T0 = Date.UTC(2025, 0, 1);

/** Predictions at price 100.5 on a 1-quote grid that traversed 90..110, one long liquidation each at a random bucket. */
function records(n: number, seed: number, score: (hit: number, i: number) => number) {
  let x = seed;
  const rnd = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  return Array.from({ length: n }, (_, k) => {
    const t = T0 + k * H;
    const hit = 90 + Math.floor(rnd() * 10);
    const long = new Map<number, number>();
    for (let i = 90; i <= 100; i++) long.set(i, score(hit, i));
    const p: RangedPrediction = { t, price: 100.5, priceStep: 1, long, short: new Map(), traversedLow: 90, traversedHigh: 110 };
    const l: RealizedLiquidation = { t: t + 60_000, price: hit + 0.5, notional: 10, side: 'sell' };
    return { ...captureRecord(p, [l], true), seed: hit };
  });
}

describe('signal trials (paired gain of a variant over the current model)', () => {
  const flat = (seed: number) => records(40, seed, () => 1);
  const oracle = (seed: number) => records(40, seed, (hit, i) => (i === hit ? 5 : 1));
  const wrong = (seed: number) => records(40, seed, (hit, i) => (i === hit ? 0 : 1));

  it('a variant identical to the model gains exactly 0, with a zero-width interval', () => {
    const s = scoreTrial([{ base: flat(1), variant: flat(1), block: 1 }, { base: flat(2), variant: flat(2), block: 1 }], 0.2, { resamples: 200 });
    expect(s.pooled).toEqual({ value: 0, low: 0, high: 0 });
    expect(s.better + s.worse).toBe(0);
  });

  it('a variant that ranks the liquidated bucket first gains beyond its interval; one that ranks it last loses', () => {
    const up = scoreTrial([{ base: flat(1), variant: oracle(1), block: 1 }, { base: flat(2), variant: oracle(2), block: 1 }], 0.2, { resamples: 500 });
    // Flat captures q = 20% of the side's 11 buckets; the oracle captures everything.
    expect(up.pooled.value).toBeCloseTo(0.8, 9);
    expect(up.pooled.low!).toBeGreaterThan(0);
    expect(up.better).toBe(2);
    const down = scoreTrial([{ base: flat(3), variant: wrong(3), block: 1 }], 0.2, { resamples: 500 });
    expect(down.pooled.value).toBeCloseTo(-0.2, 9);
    expect(down.pooled.high!).toBeLessThan(0);
    expect(down.worse).toBe(1);
  });

  it('pairs predictions by time: predictions only one side has are left out', () => {
    const base = flat(4);
    const s = scoreTrial([{ base, variant: base.slice(0, 10), block: 1 }], 0.2, { resamples: 0 });
    expect(s.pooled.value).toBe(0);
  });

  it('the stratified bootstrap of one stratum is the plain block bootstrap', () => {
    const xs = Array.from({ length: 30 }, (_, i) => Math.sin(i) + i / 10);
    const mean = (idx: readonly number[]) => idx.reduce((s, i) => s + xs[i]!, 0) / idx.length;
    expect(stratifiedBootstrapInterval([{ n: 30, block: 3 }], (idx) => mean(idx[0]!), { resamples: 300, seed: 7 })).toEqual(bootstrapInterval(30, mean, { resamples: 300, seed: 7, block: 3 }));
  });
});

/** A candle-like bucket (no taker split) at `t` with the given range. */
function bar(t: number, low: number, high: number, funding: number | null = null): MarketBucket {
  const close = (low + high) / 2;
  return { t, open: close, high, low, close, vwap: close, buyVolume: 50, sellVolume: 50, openInterest: null, fundingRate: funding, markPrice: null, realizedLong: 0, realizedShort: 0 };
}

describe('model priors tried as signals (off by default)', () => {
  const base = { timeBucketSeconds: 3600, entrySpreadPoints: 1, leverageSpread: 0, halfLifeHours: 0, priceBucketFraction: 0.001, participation: 0.1, leverages: [{ leverage: 10, weight: 1 }] };

  it('entrySpreadPoints opens a bucket\'s positions at n prices evenly over its low..high, the same total', () => {
    const one = stepModel(createModelState(parseModelParams(base)), bar(T0, 96, 104));
    const five = stepModel(createModelState(parseModelParams({ ...base, entrySpreadPoints: 5 })), bar(T0, 96, 104));
    expect([...one.oiLong.keys()]).toHaveLength(1);
    const entries = [...five.oiLong.keys()].sort((a, b) => a - b).map((i) => i * five.priceStep);
    expect(entries).toEqual([96.8, 98.4, 100, 101.6, 103.2].map((p) => Math.round(p / five.priceStep) * five.priceStep));
    const total = (m: ReadonlyMap<number, number>) => [...m.values()].reduce((s, v) => s + v, 0);
    expect(total(five.oiLong)).toBeCloseTo(total(one.oiLong), 9);
  });

  it('leverageSpread splits each leverage into L/(1+s), L and L(1+s) at ¼, ½, ¼', () => {
    const s = stepModel(createModelState(parseModelParams({ ...base, leverageSpread: 0.25 })), bar(T0, 99, 101));
    const byLev = new Map([...s.longByLeverage].map(([lev, m]) => [lev, [...m.values()].reduce((a, b) => a + b, 0)]));
    expect([...byLev.keys()].sort((a, b) => a - b)).toEqual([8, 10, 12.5]);
    const all = [...byLev.values()].reduce((a, b) => a + b, 0);
    // Notional is at the liquidation price, so compare the shares of size (notional / lp) loosely.
    expect(byLev.get(10)! / all).toBeGreaterThan(0.45);
    expect(byLev.get(8)! / all).toBeGreaterThan(0.2);
  });

  it('fundingSkewWeight tilts new positions toward longs after positive funding and toward shorts after negative', () => {
    const tilt = (rate: number) => {
      const st = createModelState(parseModelParams({ ...base, fundingSkewWeight: 1, fundingAdjusted: false }));
      stepModel(st, bar(T0, 99, 101, rate));
      const s = stepModel(st, bar(T0 + H, 99, 101));
      const sum = (m: ReadonlyMap<number, number>) => [...m.values()].reduce((a, b) => a + b, 0);
      return sum(s.oiLong) / (sum(s.oiLong) + sum(s.oiShort));
    };
    expect(tilt(0.0001)).toBeGreaterThan(0.55);
    expect(tilt(-0.0001)).toBeLessThan(0.45);
    const off = createModelState(parseModelParams({ ...base, fundingAdjusted: false }));
    stepModel(off, bar(T0, 99, 101, 0.0001));
    const s = stepModel(off, bar(T0 + H, 99, 101));
    const sum = (m: ReadonlyMap<number, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    expect(sum(s.oiLong)).toBeCloseTo(sum(s.oiShort), 9);
  });
});
