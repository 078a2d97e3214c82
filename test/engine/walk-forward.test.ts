import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  aggregateCapture,
  aggregatePooledCapture,
  bootstrapInterval,
  calibrate,
  captureRecord,
  parseModelParams,
  splitTime,
  traceBacktest,
  walkForwardFolds,
  walkForwardScore,
  type DistanceBaseline,
  type MarketBucket,
  type RealizedLiquidation,
} from '../../engine/index.js';
import { H, liquidationsOf, T0, walk } from '../_fixtures/model-world.js';

const MIN = 60_000;
const at = (t: number): RealizedLiquidation => ({ t, price: 100, notional: 1, side: null });
/** Liquidations per fold: fold j holds [starts[j - 1] (or −∞), starts[j]). */
const countsPerFold = (realized: readonly RealizedLiquidation[], starts: readonly number[]) => [-Infinity, ...starts].map((s, j) => realized.filter((l) => l.t >= s && l.t < (starts[j] ?? Infinity)).length);

describe('walk-forward folds', () => {
  it('cut the liquidations into k folds of equal count at bucket boundaries', () => {
    const realized = Array.from({ length: 400 }, (_, i) => at(T0 + MIN + i * 15 * MIN)); // 100 hours, 4 an hour
    const starts = walkForwardFolds(realized, H, { folds: 4, horizonMs: H });
    expect(starts).toEqual([T0 + 25 * H, T0 + 50 * H, T0 + 75 * H]);
    expect(countsPerFold(realized, starts)).toEqual([100, 100, 100, 100]);
    expect(countsPerFold(realized, walkForwardFolds(realized, H, { folds: 5, horizonMs: H }))).toEqual([80, 80, 80, 80, 80]);
  });

  it('2 folds are the single split (at half, or at the train fraction)', () => {
    const realized = Array.from({ length: 97 }, (_, i) => at(T0 + i * i * MIN));
    expect(walkForwardFolds(realized, H, { folds: 2, horizonMs: H })).toEqual([splitTime(realized, H, 0.5)]);
    expect(walkForwardFolds(realized, H, { folds: 2, horizonMs: H, trainFraction: 0.3 })).toEqual([splitTime(realized, H, 0.3)]);
  });

  it('never leave a fold shorter than the horizon: a burst merges folds, and with no room the single split stays', () => {
    // 300 liquidations in the first 100 minutes, then one an hour for 100 hours.
    const realized = [...Array.from({ length: 300 }, (_, i) => at(T0 + i * 20_000)), ...Array.from({ length: 100 }, (_, i) => at(T0 + 2 * H + i * H + MIN))];
    const end = T0 + 102 * H;
    for (const horizon of [H, 2 * H]) {
      const starts = walkForwardFolds(realized, H, { folds: 4, horizonMs: horizon });
      expect(starts.length).toBeGreaterThan(0);
      expect(starts.length).toBeLessThanOrEqual(3);
      const edges = [T0, ...starts, end];
      for (let j = 1; j < edges.length; j++) expect(edges[j]! - edges[j - 1]!).toBeGreaterThanOrEqual(horizon);
      // Each kept start is one of the equal-count boundaries.
      for (const s of starts) expect([0.25, 0.5, 0.75].map((f) => splitTime(realized, H, f))).toContain(s);
    }
    // The 1/4 and 2/4 boundaries both round to the first hour (one fold, not an empty one), 3/4 to the second.
    expect([0.25, 0.5, 0.75].map((f) => splitTime(realized, H, f))).toEqual([T0 + H, T0 + H, T0 + 2 * H]);
    expect(walkForwardFolds(realized, H, { folds: 4, horizonMs: H })).toEqual([T0 + H, T0 + 2 * H]);
    // With a 2-hour horizon the first fold would be 1 hour: it merges into the next.
    expect(walkForwardFolds(realized, H, { folds: 4, horizonMs: 2 * H })).toEqual([T0 + 2 * H]);
    // No equal-count boundary 3 (or 200) hours from both ends: the single split at half, as before folds existed.
    expect(walkForwardFolds(realized, H, { folds: 4, horizonMs: 3 * H })).toEqual([splitTime(realized, H, 0.5)]);
    expect(walkForwardFolds(realized, H, { folds: 4, horizonMs: 200 * H })).toEqual([splitTime(realized, H, 0.5)]);
    expect(walkForwardFolds([], H, { folds: 4, horizonMs: H })).toEqual([]);
  });
});

// The world of fair-score.test.ts: one leverage, every position at the VWAP (the priors off).
const noPriors = { entrySpreadPoints: 1, leverageSpread: 0, levelSpread: 0 } as const;
const truth = parseModelParams({ ...noPriors, timeBucketSeconds: 3600, leverages: [{ leverage: 25, weight: 1 }], halfLifeHours: 24 });
const buckets = walk(24 * 12, 3);
const realized = liquidationsOf(buckets, truth).filter((l) => l.t >= T0 + 6 * 24 * H);
const base = parseModelParams({ ...noPriors, timeBucketSeconds: 3600 });
const grid = { leverages: [5, 10, 25, 50, 100], weights: [0.02, 0.25, 1], imbalanceWeight: [0.5], halfLifeHours: [24, 48], positionNotional: [10_000] };
const canon = (v: unknown): unknown => (Array.isArray(v) ? v.map(canon) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])])) : v);
const sha = (v: unknown) => createHash('sha256').update(JSON.stringify(canon(v))).digest('hex').slice(0, 16);

describe('expanding-window walk-forward', () => {
  it('2 folds reproduce the single split exactly (hashes of the figures the single-split code gave on this world)', () => {
    const trace = traceBacktest(buckets, realized, { params: truth, horizonMs: H, semantics: 'liquidation', warmupMs: Infinity });
    const s = walkForwardScore(trace, walkForwardFolds(realized, H, { folds: 2, horizonMs: H }), { boot: { resamples: 200 }, hazard: true });
    expect(s.split).toBe(splitTime(realized, H, 0.5));
    // Recorded with the single-split walkForwardScore and calibrate before folds existed (main at ad06fb9).
    expect(sha({ split: s.split, baseline: s.baseline, hazard: s.hazard, train: s.train, test: s.test })).toBe('cb310c626876def9');
    expect(s.test.capture.figures[1]!.model).toEqual({ value: 0.903104681635843, low: 0.8396867349137727, high: 0.9679901748834133 });
    const r = calibrate(buckets, realized, { base, horizonMs: H, semantics: 'liquidation', rounds: 1, boot: { resamples: 100 }, grid, folds: 2 });
    const strip = (w: typeof r.fitted) => ({ split: w.split, baseline: w.baseline, train: w.train, test: w.test });
    expect(sha({ params: r.params, startObjective: r.startObjective, fittedObjective: r.fittedObjective, evaluations: r.evaluations, overfit: r.overfit, split: r.split, fitted: strip(r.fitted), start: strip(r.start) })).toBe('5f4d7620820fb288');
  });

  it('pools folds 2..k out of sample: each fold scored by the fit made before it', () => {
    const trace = traceBacktest(buckets, realized, { params: truth, horizonMs: H, semantics: 'liquidation', warmupMs: Infinity });
    const starts = walkForwardFolds(realized, H, { folds: 4, horizonMs: H });
    expect(starts).toHaveLength(3);
    const s = walkForwardScore(trace, starts, { boot: { resamples: 200 } });
    expect(s.folds.map((f) => f.from)).toEqual(starts);
    expect(s.split).toBe(starts[0]);
    expect(s.train.to).toBe(s.split);
    expect(s.test.from).toBe(s.split);
    expect(s.test.to).toBe(trace.to);
    expect(s.folds.reduce((n, f) => n + f.test.predictions, 0)).toBe(s.test.capture.predictions);
    // Later folds are fitted on more: the expanding window.
    expect(s.folds.map((f) => f.fit.predictions)).toEqual([...s.folds.map((f) => f.fit.predictions)].sort((a, b) => a - b));
    expect(s.folds.at(-1)!.fit.predictions).toBeGreaterThan(s.folds[0]!.fit.predictions);
    // Three quarters of the predictions out of sample, against half with the single split.
    const single = walkForwardScore(trace, splitTime(realized, H, 0.5), { boot: { resamples: 0 } });
    expect(s.test.capture.predictions).toBeGreaterThan(single.test.capture.predictions);
    // Calibrated per fold (warm-started): every fold's fit weighs the true 25× at least as much as any other leverage, and the pooled out-of-sample capture beats the default parameters'.
    const r = calibrate(buckets, realized, { base, horizonMs: H, semantics: 'liquidation', rounds: 1, boot: { resamples: 0 }, grid, folds: 4 });
    expect(r.folds.map((f) => f.from)).toEqual(starts);
    for (const f of r.folds) expect(f.params.leverages.find((l) => l.leverage === 25)!.weight).toBe(Math.max(...f.params.leverages.map((l) => l.weight)));
    expect(r.params).toEqual(r.folds.at(-1)!.params);
    expect(r.fitted.test.capture.figures[1]!.model.value!).toBeGreaterThan(r.start.test.capture.figures[1]!.model.value!);
    expect(r.fitted.test.capture.predictions).toBe(s.test.capture.predictions);
    const pooled = s.folds.reduce((a, f) => a + f.test.figures[1]!.model.value! * f.test.realizedNotional, 0) / s.folds.reduce((a, f) => a + f.test.realizedNotional, 0);
    expect(s.test.capture.figures[1]!.model.value!).toBeCloseTo(pooled, 12);
  });

  it("no fold's fit sees its own or later data: changing everything after a fold's start leaves its fit as it was", () => {
    // A horizon of 3 buckets: predictions in the 3 hours before a fold's start reach into it.
    const h = 3 * H;
    const starts = walkForwardFolds(realized, H, { folds: 4, horizonMs: h });
    const s2 = starts[1]!;
    // Liquidations after the second scored fold's start move and grow; prices after it drift (counts and times stay, so the folds do).
    const realized2 = realized.map((l) => (l.t > s2 ? { ...l, price: l.price * 0.97, notional: l.notional * 3 } : l));
    const buckets2: MarketBucket[] = buckets.map((b) => (b.t >= s2 ? { ...b, open: b.open * 0.97, high: b.high * 0.99, low: b.low * 0.95, close: b.close * 0.97, vwap: b.vwap * 0.97 } : b));
    expect(walkForwardFolds(realized2, H, { folds: 4, horizonMs: h })).toEqual(starts);
    const score = (bs: readonly MarketBucket[], ls: readonly RealizedLiquidation[]) =>
      walkForwardScore(traceBacktest(bs, ls, { params: base, horizonMs: h, semantics: 'liquidation' }), starts, { boot: { resamples: 50 }, hazard: true });
    const cal = (bs: readonly MarketBucket[], ls: readonly RealizedLiquidation[]) => calibrate(bs, ls, { base, horizonMs: h, semantics: 'liquidation', rounds: 1, boot: { resamples: 0 }, grid, folds: 4 });
    const [a, b, ca, cb] = [score(buckets, realized), score(buckets2, realized2), cal(buckets, realized), cal(buckets2, realized2)];
    // The first two scored folds' fits (baseline, hazard, calibrated parameters and objectives) are as they were.
    const fitOf = (s: typeof a, c: typeof ca, j: number) => ({ baseline: s.folds[j]!.baseline, hazard: s.folds[j]!.hazard, fit: s.folds[j]!.fit, params: c.folds[j]!.params, objectives: [c.folds[j]!.startObjective, c.folds[j]!.fittedObjective] });
    for (const j of [0, 1]) expect(fitOf(b, cb, j)).toEqual(fitOf(a, ca, j));
    // The third fold's fit window holds the change.
    expect(b.folds[2]!.baseline).not.toEqual(a.folds[2]!.baseline);
    expect(cb.folds[2]!.fittedObjective).not.toBe(ca.folds[2]!.fittedObjective);
  });
});

describe('pooled out-of-sample capture', () => {
  /** A prediction at 100.5 (1-quote buckets, 90..110 traversed) with fuel at `fuel` and 10 liquidated at `liq`; no sides. */
  const rec = (i: number, fuel: number, liq: number) =>
    captureRecord({ t: T0 + i * H, price: 100.5, priceStep: 1, long: new Map([[fuel, 1]]), short: new Map(), traversedLow: 90, traversedHigh: 110 }, [{ t: T0 + i * H + MIN, price: liq + 0.5, notional: 10, side: null }], false);
  // Fold A: fuel where liquidations happen (captures 1); fold B: fuel at 105, liquidations at 92 (ties: 3.2 of 20 buckets, 0.16).
  const A = Array.from({ length: 6 }, (_, i) => rec(i, 95, 95));
  const B = Array.from({ length: 6 }, (_, i) => rec(6 + i, 105, 92));
  // Each fold's baseline peaks at its own liquidations' distance below the price (5/100.5 and 8/100.5), and falls off fast above.
  const peaked = (peak: number): DistanceBaseline => ({ below: { amplitude: 1, scale: peak / 5, shape: 5 }, above: { amplitude: 1, scale: 0.001, shape: 0 }, samples: 1, realized: 1 });
  const baseA = peaked(5 / 100.5);
  const baseB = peaked(8 / 100.5);
  const boot = { resamples: 500, seed: 7, block: 2 };

  it('has the known answer: notional-weighted over the pooled predictions, each ranked by its own fold\'s baseline', () => {
    const s = aggregatePooledCapture([{ records: A, baseline: baseA }, { records: B, baseline: baseB }], [0.2], boot);
    const f = s.figures[0]!;
    expect(s.predictions).toBe(12);
    expect(f.model.value).toBeCloseTo((6 * 10 + 6 * 1.6) / 120, 12);
    expect(f.distance!.value).toBeCloseTo(1, 12); // each fold's baseline finds its own fold's liquidations
    expect(f.distance!.low).toBeCloseTo(1, 12);
    expect(f.modelMinusDistance!.value).toBeCloseTo((6 * 0 + 6 * (0.16 - 1)) / 12, 12);
    // With one baseline for both folds (fold A's), fold B's liquidations are missed: the pooling is per fold.
    expect(aggregateCapture([...A, ...B], baseA, [0.2], { resamples: 0 }).figures[0]!.distance!.value).toBeCloseTo(0.5, 12);
    // The interval is the moving-block bootstrap of the pooled, time-ordered per-prediction shares.
    const shares = [...A.map(() => 1), ...B.map(() => 0.16)];
    const expected = bootstrapInterval(12, (idx) => idx.reduce((a, i) => a + shares[i]!, 0) / idx.length, boot);
    expect(f.model.low).toBeCloseTo(expected.low!, 12);
    expect(f.model.high).toBeCloseTo(expected.high!, 12);
    expect(f.model.low!).toBeLessThan(f.model.value!);
    expect(f.model.high!).toBeGreaterThan(f.model.value!);
  });

  it('one group is the plain aggregate', () => {
    expect(aggregatePooledCapture([{ records: [...A, ...B], baseline: baseA }], [0.1, 0.2], boot)).toEqual(aggregateCapture([...A, ...B], baseA, [0.1, 0.2], boot));
  });
});
