import { describe, expect, it } from 'vitest';
import { compareSnapshots, createModelState, modelParamsHash, parseModelParams, referenceModel, stepModel, type BucketInput, type LevelSnapshot, type MarketBucket } from '../../engine/index.js';

const T0 = Date.UTC(2024, 0, 1);
// One 10× layer at a 0.1 step (price 100): the long level near 90.45, the short near 109.45.
const base = { leverages: [{ leverage: 10, weight: 1 }], maintenanceMarginRate: 0.005, halfLifeHours: 0, imbalanceWeight: 0, priceBucketFraction: 0.001, seedWarmupHours: 0, timeBucketSeconds: 60 };
const bar = (i: number, oi: number): MarketBucket => ({ t: T0 + i * 60_000, open: 100, high: 100, low: 100, close: 100, vwap: 100, buyVolume: 1, sellVolume: 1, openInterest: oi, fundingRate: null, markPrice: null, realizedLong: 0, realizedShort: 0 });
const bars = [bar(0, 1000), bar(1, 1500)];
const input = (b: MarketBucket): BucketInput => ({ t: b.t, trades: { open: b.open, high: b.high, low: b.low, close: b.close, vwap: b.vwap, buy: b.buyVolume, sell: b.sellVolume }, candle: null, openInterest: b.openInterest, funding: b.fundingRate, mark: null, liquidations: null });

function run(levelSpread: number): { snaps: LevelSnapshot[]; state: ReturnType<typeof createModelState> } {
  const state = createModelState(parseModelParams({ ...base, levelSpread }));
  return { snaps: bars.map((b) => stepModel(state, b)), state };
}
const sum = (m: ReadonlyMap<number, number>) => [...m.values()].reduce((s, v) => s + v, 0);

/**
 * The quadratic B-spline of three boxes of odd width w = 2h + 1, counted directly (independent of
 * both engines): the weight of offset d is the share of (a, b, c) in −h..h³ with a + b + c = d.
 */
function bSpline(h: number): (d: number) => number {
  const w = 2 * h + 1;
  const counts = new Map<number, number>();
  for (let a = -h; a <= h; a++) for (let b = -h; b <= h; b++) for (let c = -h; c <= h; c++) counts.set(a + b + c, (counts.get(a + b + c) ?? 0) + 1);
  return (d) => (counts.get(d) ?? 0) / w ** 3;
}

describe('level-spread prior', () => {
  it('is 0.4 by default (issue 11: kept by its out-of-sample gain) and in the parameters hash, sharp levels a hash of their own', () => {
    expect(parseModelParams({}).levelSpread).toBe(0.4);
    expect(modelParamsHash(parseModelParams({ levelSpread: 0.4 }))).toBe(modelParamsHash(parseModelParams({})));
    expect(modelParamsHash(parseModelParams({ levelSpread: 0 }))).not.toBe(modelParamsHash(parseModelParams({})));
    expect(() => parseModelParams({ levelSpread: 2.5 })).toThrow(/levelSpread = 2.5/);
  });

  it('spreads a layer by a B-spline of σ ≈ 0.4 × its margin distance, drops what lands beyond the price, and leaves the state sharp', () => {
    const sharp = run(0);
    const spread = run(0.4);
    const s0 = sharp.snaps.at(-1)!;
    const s1 = spread.snaps.at(-1)!;
    // levelSpread 0: one sharp level a side.
    expect(s0.long.size).toBe(1);
    expect(s0.short.size).toBe(1);
    const [[li, lv]] = [...s0.long] as [[number, number]];
    const [[si, sv]] = [...s0.short] as [[number, number]];
    expect([li, si]).toEqual([904, 1094]);
    // Margin distance 100 / 10 = 10 quote = 100 buckets, σ = 40 buckets: boxes of 79 (h = 39;
    // 81 would be as far from σ², the smaller wins), reaching ±117 buckets.
    const sigma = 40;
    const h = 39;
    const k = 3 * h;
    const w = bSpline(h);
    let total = 0;
    let variance = 0;
    for (let d = -k - 2; d <= k + 2; d++) {
      total += w(d);
      variance += d * d * w(d);
    }
    expect(total).toBeCloseTo(1, 12);
    expect(variance).toBeCloseTo((79 * 79 - 1) / 4, 6); // 1560: within σ of σ² = 1600
    expect(Math.abs(variance - sigma ** 2)).toBeLessThan(sigma + 1e-9);
    expect(w(k + 1)).toBe(0);
    for (const d of [0, 1, -7, 25, -40, 80, -115]) expect(s1.long.get(li + d)! / lv).toBeCloseTo(w(d), 9);
    for (const d of [0, -3, 40, -90, 115]) expect(s1.short.get(si + d)! / sv).toBeCloseTo(w(d), 9);
    // Nothing beyond the price's bucket (1000) nor beyond the kernel; the rest is conserved.
    expect(Math.max(...s1.long.keys())).toBe(1000);
    expect(Math.min(...s1.long.keys())).toBe(li - k);
    expect(Math.min(...s1.short.keys())).toBe(1000);
    expect(Math.max(...s1.short.keys())).toBe(si + k);
    let droppedLong = 0;
    for (let d = 1000 - li + 1; d <= k; d++) droppedLong += w(d);
    let droppedShort = 0;
    for (let d = -k; d < 1000 - si; d++) droppedShort += w(d);
    expect(droppedLong).toBeGreaterThan(0.002);
    expect(sum(s1.long) / lv).toBeCloseTo(1 - droppedLong, 9);
    expect(sum(s1.short) / sv).toBeCloseTo(1 - droppedShort, 9);
    // The layer is what is served; open interest and the crossed notional are not spread.
    expect([...s1.longByLeverage.get(10)!]).toEqual([...s1.long]);
    expect([...s1.oiLong]).toEqual([...s0.oiLong]);
    // The state (cohorts, levels, checkpoints) is the sharp model's.
    expect(JSON.stringify(spread.state.long.toJson())).toBe(JSON.stringify(sharp.state.long.toJson()));
  });

  it('the reference engine spreads the same levels on its own', () => {
    const params = parseModelParams({ ...base, levelSpread: 0.4 });
    const fast = run(0.4).snaps;
    const ref = referenceModel(bars.map(input), params);
    const a = compareSnapshots(fast, ref, 1e-12);
    expect(a.ok, JSON.stringify(a)).toBe(true);
    expect(ref.at(-1)!.long.size).toBeGreaterThan(200);
  });
});
