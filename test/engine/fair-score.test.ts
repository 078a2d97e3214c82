import { describe, expect, it } from 'vitest';
import {
  aggregateCapture,
  bankruptcyLevels,
  bootstrapInterval,
  calibrate,
  captureRecord,
  cohortLiquidationPrice,
  createModelState,
  fallOffRate,
  fitDistanceBaseline,
  parseModelParams,
  priceIndex,
  scoreAmounts,
  spearman,
  splitTime,
  stepModel,
  topShareCaptured,
  traceBacktest,
  venuePriceSemantics,
  walkForwardScore,
  type DistanceSample,
  type RangedPrediction,
  type RealizedLiquidation,
} from '../../engine/index.js';
import { bucket, H, liquidationsOf, T0, walk } from '../_fixtures/model-world.js';


/** A prediction at price 100 with 1-quote buckets that traversed 90..110 afterwards. */
function prediction(long: Record<number, number>, short: Record<number, number>, t = T0): RangedPrediction {
  return { t, price: 100.5, priceStep: 1, long: new Map(Object.entries(long).map(([k, v]) => [Number(k), v])), short: new Map(Object.entries(short).map(([k, v]) => [Number(k), v])), traversedLow: 90, traversedHigh: 110 };
}
const liq = (price: number, notional: number, side: 'buy' | 'sell' | null, t = T0 + 60_000): RealizedLiquidation => ({ t, price, notional, side });

describe('traversed-range capture', () => {
  const realized = [liq(95.2, 10, 'sell'), liq(93.7, 5, 'sell'), liq(104.1, 8, 'buy'), liq(80, 50, 'sell') /* outside the traversed range */];

  it('a model with all its fuel exactly where liquidations happened captures 1 at q = 20%', () => {
    const rec = captureRecord(prediction({ 95: 3, 93: 1 }, { 104: 2 }), realized, true);
    expect(rec.realized).toBe(23);
    expect(rec.outside).toBe(50);
    const s = aggregateCapture([rec], null, [0.2], { resamples: 0 });
    expect(s.figures[0]!.model.value).toBeCloseTo(1, 12);
    expect(s.insideTraversed).toBeCloseTo(23 / 73, 12);
  });

  it('a model that places its fuel uniformly captures q', () => {
    const flat: Record<number, number> = {};
    for (let i = 80; i <= 120; i++) flat[i] = 7;
    const rec = captureRecord(prediction(flat, flat), realized, true);
    const s = aggregateCapture([rec], null, [0.1, 0.2, 0.3], { resamples: 0 });
    for (const f of s.figures) expect(f.model.value).toBeCloseTo(f.q, 12);
  });

  it('ranks the wrong side at zero: fuel on short levels does not catch long liquidations', () => {
    const rec = captureRecord(prediction({}, { 95: 3, 93: 1, 104: 2 }), [liq(95.2, 10, 'sell'), liq(93.7, 5, 'sell')], true);
    // No long fuel: every long bucket ties at 0, so the long side captures exactly q.
    expect(aggregateCapture([rec], null, [0.2], { resamples: 0 }).figures[0]!.model.value).toBeCloseTo(0.2, 12);
  });

  it('without sides, pools both sides of the price', () => {
    const rec = captureRecord(prediction({ 95: 3 }, { 104: 2 }), [liq(95.2, 10, null), liq(104.5, 10, null)], false);
    expect(rec.units).toHaveLength(1);
    expect(rec.units[0]!.model).toHaveLength(21);
    expect(aggregateCapture([rec], null, [0.1], { resamples: 0 }).figures[0]!.model.value).toBeCloseTo(1, 12);
  });

  it('infers a missing side from where the liquidation printed against the price, when asked', () => {
    // Below 100.5 a long was liquidated, above it a short: scored on the long levels below and
    // the short levels above, as records with those sides would be.
    const unsided = [liq(95.2, 10, null), liq(104.5, 10, null)];
    const inferred = captureRecord(prediction({ 95: 3 }, { 104: 2 }), unsided, 'inferred');
    const sided = captureRecord(prediction({ 95: 3 }, { 104: 2 }), [liq(95.2, 10, 'sell'), liq(104.5, 10, 'buy')], 'reported');
    expect(inferred.units.map((u) => u.samples.map((x) => x.realized))).toEqual(sided.units.map((u) => u.samples.map((x) => x.realized)));
    expect(inferred.units).toHaveLength(2);
    expect(inferred.realized).toBe(20);
  });

  it('takes ties at the cut in proportion', () => {
    expect(topShareCaptured([1, 1, 1, 1], [4, 0, 0, 0], 0.5)).toBeCloseTo(2, 12);
    expect(topShareCaptured([2, 1, 1, 0], [0, 3, 1, 9], 0.5)).toBeCloseTo(2, 12);
  });
});

describe('distance-only baseline', () => {
  const samplesOf = (rate: (d: number) => number): DistanceSample[] => {
    const out: DistanceSample[] = [];
    for (let i = 0; i < 400; i++) {
      const d = (i + 0.5) * 0.0005;
      out.push({ direction: 'below', distance: d, realized: rate(d) }, { direction: 'above', distance: d, realized: rate(d) / 2 });
    }
    return out;
  };

  it('recovers a known exponential fall-off', () => {
    const b = fitDistanceBaseline(samplesOf((d) => 1000 * Math.exp(-d / 0.01)));
    expect(b.below.shape).toBe(0);
    expect(b.below.scale).toBeCloseTo(0.01, 5);
    expect(b.below.amplitude).toBeCloseTo(1000, 0);
    expect(b.above.amplitude).toBeCloseTo(500, 0);
  });

  it('without sides, fits one fall-off to both directions (not the training window\'s trend)', () => {
    const onlyBelow = samplesOf((d) => 1000 * Math.exp(-d / 0.01)).map((s) => (s.direction === 'above' ? { ...s, realized: 0 } : s));
    const split = fitDistanceBaseline(onlyBelow);
    expect(split.above.amplitude).toBe(0);
    const sym = fitDistanceBaseline(onlyBelow, { symmetric: true });
    expect(sym.above).toEqual(sym.below);
    expect(sym.below.scale).toBeCloseTo(0.01, 5);
  });

  it('recovers a rise-then-fall (peak away from the price)', () => {
    const b = fitDistanceBaseline(samplesOf((d) => 50 * (d / 0.004) ** 2 * Math.exp(-d / 0.004)));
    expect(b.below.shape).toBe(2);
    expect(b.below.scale).toBeCloseTo(0.004, 5);
    expect(fallOffRate(b.below, 0.008)).toBeCloseTo(50 * 4 * Math.exp(-2), 3);
  });

  it('scored with the fitted baseline, a fall-off-shaped reality is captured by the baseline', () => {
    const realized = [liq(100.2, 30, 'sell'), liq(99.1, 10, 'sell'), liq(94.3, 1, 'sell')];
    const rec = captureRecord(prediction({}, {}), realized, true);
    const b = fitDistanceBaseline(samplesOf((d) => 1000 * Math.exp(-d / 0.01)));
    const s = aggregateCapture([rec], b, [0.2], { resamples: 0 });
    expect(s.figures[0]!.distance!.value).toBeCloseTo(40 / 41, 12);
    expect(s.figures[0]!.model.value).toBeCloseTo(0.2, 12);
  });
});

describe('amount calibration', () => {
  it('Spearman on known rankings', () => {
    expect(spearman([1, 2, 3, 4, 5], [2, 4, 6, 8, 10])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4, 5], [10, 8, 6, 4, 2])).toBeCloseTo(-1, 12);
    expect(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])).toBeCloseTo(0.8207826816681233, 12); // scipy.stats.spearmanr
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNull();
  });

  it('scores the model against the model-free predictor per bucket', () => {
    const samples = [1, 5, 2, 8, 3, 9].map((r, i) => ({ t: T0 + i * H, predicted: r * 2, modelFree: 10 - r, realized: r }));
    const s = scoreAmounts(samples, 6, { resamples: 200 });
    expect(s.model.value).toBeCloseTo(1, 12);
    expect(s.modelFree.value).toBeCloseTo(-1, 12);
    expect(s.model.low).not.toBeNull();
  });
});

describe('bootstrap intervals', () => {
  const xs = Array.from({ length: 50 }, (_, i) => Math.sin(i) * 10 + i / 5);
  const mean = (idx: readonly number[]) => idx.reduce((s, i) => s + xs[i]!, 0) / idx.length;

  it('are reproducible for a seed, contain the figure and depend on the seed', () => {
    const a = bootstrapInterval(xs.length, mean, { seed: 7, resamples: 500 });
    const b = bootstrapInterval(xs.length, mean, { seed: 7, resamples: 500 });
    const c = bootstrapInterval(xs.length, mean, { seed: 8, resamples: 500 });
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    expect(a.low!).toBeLessThan(a.value!);
    expect(a.high!).toBeGreaterThan(a.value!);
  });

  it('widen with the block length when observations are dependent', () => {
    const trend = Array.from({ length: 60 }, (_, i) => (i < 30 ? 0 : 1));
    const m = (idx: readonly number[]) => idx.reduce((s, i) => s + trend[i]!, 0) / idx.length;
    const iid = bootstrapInterval(60, m, { seed: 1, resamples: 500 });
    const blocks = bootstrapInterval(60, m, { seed: 1, resamples: 500, block: 20 });
    expect(blocks.high! - blocks.low!).toBeGreaterThan(iid.high! - iid.low!);
  });
});

describe('price semantics', () => {
  it('OKX and Bybit report the bankruptcy price, Binance and Hyperliquid the liquidation price', () => {
    expect(venuePriceSemantics('OKX')).toBe('bankruptcy');
    expect(venuePriceSemantics('bybit')).toBe('bankruptcy');
    expect(venuePriceSemantics('binance')).toBe('liquidation');
    expect(venuePriceSemantics('hyperliquid')).toBe('liquidation');
  });

  it("the model's bankruptcy levels sit where equity is zero, beyond the liquidation levels", () => {
    const params = parseModelParams({ entrySpreadPoints: 1, leverageSpread: 0, levelSpread: 0, leverages: [{ leverage: 10, weight: 1 }], maintenanceMarginRate: 0.005, halfLifeHours: 0, imbalanceWeight: 0, priceBucketFraction: 0.001, timeBucketSeconds: 3600 });
    const state = createModelState(params);
    const s = stepModel(state, bucket(0, 1000, 0.5));
    const b = bankruptcyLevels(state);
    const step = s.priceStep;
    // 10× long entered at 1000: bankrupt at 900 (margin gone), liquidated at 900 / 0.995.
    expect([...b.long.keys()]).toEqual([priceIndex(900, step)]);
    expect([...s.long.keys()]).toEqual([priceIndex(cohortLiquidationPrice(true, 1000, 10, 0, 0.005), step)]);
    expect([...b.short.keys()]).toEqual([priceIndex(1100, step)]);
    expect([...b.long.values()][0]).toBeCloseTo([...s.long.values()][0]! * (900 / (900 / 0.995)), 6);
  });
});

describe('walk-forward backtest and calibration', () => {
  // Hand-built worlds: one leverage, every position at the VWAP (the priors off).
  const noPriors = { entrySpreadPoints: 1, leverageSpread: 0, levelSpread: 0 } as const;
  const truth = parseModelParams({ ...noPriors, timeBucketSeconds: 3600, leverages: [{ leverage: 25, weight: 1 }], halfLifeHours: 24 });
  const buckets = walk(24 * 12, 3);
  const realized = liquidationsOf(buckets, truth).filter((l) => l.t >= T0 + 6 * 24 * H);

  it('scores the true model near 1 and never trains on the test window', () => {
    // The whole history as warm-up: the generator saw it all (and fixed its price grid on it).
    const trace = traceBacktest(buckets, realized, { params: truth, horizonMs: H, semantics: 'liquidation', warmupMs: Infinity });
    const split = splitTime(realized, H, 0.5);
    const s = walkForwardScore(trace, split, { boot: { resamples: 200 } });
    expect(s.test.capture.predictions).toBeGreaterThan(10);
    expect(s.test.capture.figures[1]!.model.value!).toBeGreaterThan(0.8); // know-nothing: 0.2
    expect(s.test.amounts.model.value!).toBeGreaterThan(0.9);
    // Training predictions' horizons end by the split; test predictions start at or after it.
    expect(trace.records.filter((r) => r.t + H <= split).every((r) => r.t < split)).toBe(true);
    expect(s.train.to).toBe(split);
    expect(s.test.from).toBe(split);
    // The model × distance hazard only when asked for (its fit costs a query too much), fitted in sample.
    expect(s.hazard).toBeNull();
    expect(s.test.capture.figures[1]!.hazard).toBeNull();
    const h = walkForwardScore(trace, split, { boot: { resamples: 200 }, hazard: true });
    expect(h.hazard!.samples).toBe(trace.records.filter((r) => r.t + H <= split && r.realized > 0).reduce((n, r) => n + r.buckets, 0));
    expect(h.test.capture.figures[1]!.hazard!.value!).toBeGreaterThan(0.8);
    expect(h.test.capture.figures[1]!.model).toEqual(s.test.capture.figures[1]!.model);
  });

  it('calibration moves the default mix toward the true leverage and improves the out-of-sample capture', () => {
    const base = parseModelParams({ ...noPriors, timeBucketSeconds: 3600 });
    const r = calibrate(buckets, realized, {
      base,
      horizonMs: H,
      semantics: 'liquidation',
      rounds: 1,
      boot: { resamples: 100 },
      grid: { leverages: [5, 10, 25, 50, 100], weights: [0.02, 0.25, 1], imbalanceWeight: [0.5], halfLifeHours: [24, 48], positionNotional: [10_000] },
      folds: 2, // the single split (the folds: walk-forward.test.ts)
    });
    const top = [...r.params.leverages].sort((a, b) => b.weight - a.weight)[0]!;
    expect(top.leverage).toBe(25);
    expect(r.fittedObjective).toBeGreaterThan(r.startObjective);
    const q20 = (w: typeof r.fitted) => w.test.capture.figures.find((f) => f.q === 0.2)!.model.value!;
    expect(q20(r.fitted)).toBeGreaterThan(q20(r.start));
    // Reproducible: the same data gives the same parameters.
    const again = calibrate(buckets, realized, { base, horizonMs: H, semantics: 'liquidation', rounds: 1, boot: { resamples: 100 }, grid: { leverages: [5, 10, 25, 50, 100], weights: [0.02, 0.25, 1], imbalanceWeight: [0.5], halfLifeHours: [24, 48], positionNotional: [10_000] }, folds: 2 });
    expect(again.params).toEqual(r.params);
  });
});
