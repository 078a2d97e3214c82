import type { RealizedLiquidation } from './accuracy.js';
import type { ModelParams } from './params.js';
import type { MarketBucket } from './types.js';
import { bankruptcyLevels } from './bankruptcy-levels.js';
import { createModelState, stepModel } from './heatmap-model.js';
import { priceIndex } from './price-grid.js';
import type { PriceSemantics } from './price-semantics.js';
import { scoreAmounts, type AmountSample, type AmountScore } from './amount-calibration.js';
import type { BootstrapOptions } from './bootstrap.js';
import { fitDistanceBaseline, type DistanceBaseline } from './distance-baseline.js';
import { fitDistanceHazard, hazardScores, type DistanceHazard } from './distance-hazard.js';
import { aggregateCapture, captureRecord, DEFAULT_QS, type CaptureRecord, type CaptureScore, type RangedPrediction, type SideBasis } from './traversed-capture.js';

/** Options of {@link traceBacktest}. */
export interface TraceOptions {
  readonly params: ModelParams;
  /** Liquidations in (t, t + horizon] are scored against the prediction at t, ms. */
  readonly horizonMs: number;
  /** Which model level the venue's records report (see venuePriceSemantics). */
  readonly semantics: PriceSemantics;
  /**
   * History the model warms up on before the covered period, ms (default: six half-lives, at
   * least 7 days; everything without a half-life). Positions older than six half-lives weigh
   * under 2%, and a window's figures should not depend on data far outside it.
   */
  readonly warmupMs?: number;
  /** Records without a side: pool both sides (default) or infer each from where it printed against the price (see SideBasis; tried for issue 11, README). */
  readonly unsided?: 'inferred' | 'pooled';
}

/** The default warm-up of {@link TraceOptions.warmupMs}. */
export function defaultWarmupMs(params: ModelParams): number {
  return params.halfLifeHours > 0 ? Math.max(7 * 86_400_000, 6 * params.halfLifeHours * 3_600_000) : Infinity;
}

/**
 * A backtest's raw material: every prediction's capture record and every bucket's amount
 * sample inside the period the realized liquidations cover (before and after it, the data
 * cannot tell a quiet market from a missing file).
 */
export interface BacktestTrace {
  readonly horizonMs: number;
  readonly bucketMs: number;
  /** Covered period [from, to), bucket-aligned, epoch ms. */
  readonly from: number;
  readonly to: number;
  /** Whether the records carry a side. */
  readonly sided: boolean;
  /** How the capture knew each liquidation's side. */
  readonly sides: SideBasis;
  readonly semantics: PriceSemantics;
  readonly records: readonly CaptureRecord[];
  readonly amounts: readonly AmountSample[];
  /** Liquidations per amount sample's bucket start (for counts). */
  readonly liquidationsByBucket: ReadonlyMap<number, number>;
  /** Model buckets stepped and predictions built (for throughput figures). */
  readonly buckets: number;
  readonly predictions: number;
}

function lowerBound(xs: readonly RealizedLiquidation[], t: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (xs[m]!.t <= t) lo = m + 1;
    else hi = m;
  }
  return lo; // first index with xs[i].t > t
}

/**
 * Runs the model over `buckets` (each prediction sees only buckets before it) and, for every
 * bucket end t inside the covered period, ranks its levels within the range traded in
 * (t, t + horizon]; per bucket, compares what the previous levels said would be crossed with
 * what was liquidated.
 */
export function traceBacktest(buckets: readonly MarketBucket[], realizedIn: readonly RealizedLiquidation[], opts: TraceOptions): BacktestTrace {
  const width = opts.params.timeBucketSeconds * 1000;
  const realized = [...realizedIn].sort((a, b) => a.t - b.t);
  const sided = realized.some((l) => l.side !== null);
  const sides: SideBasis = sided ? 'reported' : (opts.unsided ?? 'pooled');
  const first = realized[0]?.t ?? 0;
  const last = realized.at(-1)?.t ?? 0;
  const from = Math.floor(first / width) * width;
  const to = (Math.floor(last / width) + 1) * width;
  const state = createModelState(opts.params);
  const predictions: { k: number; p: Omit<RangedPrediction, 'traversedLow' | 'traversedHigh'> }[] = [];
  const amounts: AmountSample[] = [];
  const liquidationsByBucket = new Map<number, number>();
  let prev: { long: ReadonlyMap<number, number>; short: ReadonlyMap<number, number>; step: number } | null = null;
  const warmupFrom = from - (opts.warmupMs ?? defaultWarmupMs(opts.params));
  for (let k = 0; k < buckets.length; k++) {
    const b = buckets[k]!;
    if (b.t < warmupFrom) continue;
    if (realized.length > 0 && b.t >= from && b.t < to && prev) {
      // What the levels standing before this bucket said its range would cross.
      const lowIdx = priceIndex(b.low, prev.step);
      const highIdx = priceIndex(b.high, prev.step);
      let crossedLong = 0;
      let crossedShort = 0;
      for (const [i, v] of prev.long) if (i >= lowIdx) crossedLong += v;
      for (const [i, v] of prev.short) if (i <= highIdx) crossedShort += v;
      let realLong = 0;
      let realShort = 0;
      let realAny = 0;
      let n = 0;
      for (let j = lowerBound(realized, b.t - 1); j < realized.length && realized[j]!.t < b.t + width; j++) {
        const l = realized[j]!;
        if (l.t < b.t) continue;
        n++;
        realAny += l.notional;
        if (l.side === 'sell') realLong += l.notional;
        else if (l.side === 'buy') realShort += l.notional;
      }
      liquidationsByBucket.set(b.t, n);
      const modelFree = Math.abs(b.open > 0 ? b.close / b.open - 1 : 0) * (b.buyVolume + b.sellVolume);
      if (sided) {
        amounts.push({ t: b.t, predicted: crossedLong, modelFree, realized: realLong });
        amounts.push({ t: b.t, predicted: crossedShort, modelFree, realized: realShort });
      } else {
        amounts.push({ t: b.t, predicted: crossedLong + crossedShort, modelFree, realized: realAny });
      }
    }
    const s = stepModel(state, b);
    prev = { long: s.long, short: s.short, step: s.priceStep };
    const t = b.t + width;
    if (realized.length > 0 && t >= from && t + opts.horizonMs <= to) {
      const levels = opts.semantics === 'bankruptcy' ? bankruptcyLevels(state, s.price) : { long: s.long, short: s.short };
      predictions.push({ k, p: { t, price: s.price, priceStep: s.priceStep, long: levels.long, short: levels.short } });
    }
  }
  const records: CaptureRecord[] = [];
  for (const { k, p } of predictions) {
    let low = Infinity;
    let high = -Infinity;
    for (let j = k + 1; j < buckets.length && buckets[j]!.t < p.t + opts.horizonMs; j++) {
      low = Math.min(low, buckets[j]!.low);
      high = Math.max(high, buckets[j]!.high);
    }
    if (!(low <= high)) continue; // no trading recorded in the horizon
    const inHorizon = realized.slice(lowerBound(realized, p.t), lowerBound(realized, p.t + opts.horizonMs));
    records.push(captureRecord({ ...p, traversedLow: low, traversedHigh: high }, inHorizon, sides));
  }
  return { horizonMs: opts.horizonMs, bucketMs: width, from, to, sided, sides, semantics: opts.semantics, records, amounts, liquidationsByBucket, buckets: buckets.length, predictions: predictions.length };
}

/** Persisted levels at the end of one bucket (what a stored market's results hold). */
export interface LevelRow {
  /** Bucket start, epoch ms (the levels stand at its end). */
  readonly t: number;
  readonly price: number;
  readonly priceStep: number;
  readonly long: ReadonlyMap<number, number>;
  readonly short: ReadonlyMap<number, number>;
}

/** A traded bar: bucket start (epoch ms), prices in quote, volume in base units. */
export type Bar = Pick<MarketBucket, 't' | 'open' | 'high' | 'low' | 'close' | 'buyVolume' | 'sellVolume'>;

/**
 * A trace from persisted levels instead of a model run (the API scores stored results this
 * way): each row is a prediction at its bucket's end, scored against the bars after it; its
 * amount sample compares the row's levels with the next bar's range. Rows may be sparse (one
 * per step of a long range); the levels are scored as they were stored, at the liquidation price.
 */
export function traceFromLevels(
  rows: readonly LevelRow[],
  barsIn: readonly Bar[],
  realizedIn: readonly RealizedLiquidation[],
  opts: { horizonMs: number; bucketMs: number; semantics: PriceSemantics; /** The period the liquidation records cover (default: first to last record), epoch ms. */ coverage?: { from: number; to: number }; unsided?: 'inferred' | 'pooled' },
): BacktestTrace {
  const width = opts.bucketMs;
  const realized = [...realizedIn].sort((a, b) => a.t - b.t);
  const bars = [...barsIn].sort((a, b) => a.t - b.t);
  const sided = realized.some((l) => l.side !== null);
  const sides: SideBasis = sided ? 'reported' : (opts.unsided ?? 'pooled');
  const from = opts.coverage ? Math.floor(opts.coverage.from / width) * width : realized.length ? Math.floor(realized[0]!.t / width) * width : 0;
  const to = opts.coverage ? Math.floor(opts.coverage.to / width) * width : realized.length ? (Math.floor(realized.at(-1)!.t / width) + 1) * width : 0;
  const barIdx = (t: number) => {
    let lo = 0;
    let hi = bars.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (bars[m]!.t < t) lo = m + 1;
      else hi = m;
    }
    return lo;
  };
  const records: CaptureRecord[] = [];
  const amounts: AmountSample[] = [];
  const liquidationsByBucket = new Map<number, number>();
  let predictions = 0;
  for (const row of rows) {
    const t = row.t + width;
    if (realized.length === 0 || t < from || t >= to) continue;
    const k = barIdx(t);
    const next = bars[k];
    if (next && next.t === t) {
      let crossedLong = 0;
      let crossedShort = 0;
      const lowIdx = priceIndex(next.low, row.priceStep);
      const highIdx = priceIndex(next.high, row.priceStep);
      for (const [i, v] of row.long) if (i >= lowIdx) crossedLong += v;
      for (const [i, v] of row.short) if (i <= highIdx) crossedShort += v;
      let rl = 0;
      let rs = 0;
      let n = 0;
      for (let j = lowerBound(realized, t - 1); j < realized.length && realized[j]!.t < t + width; j++) {
        const l = realized[j]!;
        if (l.t < t) continue;
        n++;
        if (l.side === 'sell' || (!sided && l.side === null)) rl += l.notional;
        else if (l.side === 'buy') rs += l.notional;
      }
      liquidationsByBucket.set(t, n);
      const modelFree = Math.abs(next.open > 0 ? next.close / next.open - 1 : 0) * (next.buyVolume + next.sellVolume);
      if (sided) amounts.push({ t, predicted: crossedLong, modelFree, realized: rl }, { t, predicted: crossedShort, modelFree, realized: rs });
      else amounts.push({ t, predicted: crossedLong + crossedShort, modelFree, realized: rl });
    }
    if (t + opts.horizonMs > to) continue;
    predictions++;
    let low = Infinity;
    let high = -Infinity;
    for (let j = k; j < bars.length && bars[j]!.t < t + opts.horizonMs; j++) {
      low = Math.min(low, bars[j]!.low);
      high = Math.max(high, bars[j]!.high);
    }
    if (!(low <= high)) continue;
    const inHorizon = realized.slice(lowerBound(realized, t), lowerBound(realized, t + opts.horizonMs));
    records.push(captureRecord({ t, price: row.price, priceStep: row.priceStep, long: row.long, short: row.short, traversedLow: low, traversedHigh: high }, inHorizon, sides));
  }
  return { horizonMs: opts.horizonMs, bucketMs: width, from, to, sided, sides, semantics: opts.semantics, records, amounts, liquidationsByBucket, buckets: bars.length, predictions };
}

/** The fair score of one window. */
export interface WindowScore {
  /** Window of prediction times [from, to), epoch ms. */
  readonly from: number;
  readonly to: number;
  readonly capture: CaptureScore;
  readonly amounts: AmountScore;
}

/** A walk-forward score: the distance baseline fitted on the training window, both windows scored. */
export interface WalkForwardScore {
  readonly semantics: PriceSemantics;
  readonly sided: boolean;
  readonly sides: SideBasis;
  readonly horizonMs: number;
  /** First prediction time of the test window, epoch ms. */
  readonly split: number;
  readonly baseline: DistanceBaseline;
  /** The model × distance hazard fitted on the training window (scored next to the model, never instead of it); null unless asked for. */
  readonly hazard: DistanceHazard | null;
  /** In sample: the window the baseline (and, in calibration, the parameters) were fitted on. */
  readonly train: WindowScore;
  /** Out of sample: the following window. */
  readonly test: WindowScore;
}

/**
 * The walk-forward split: the bucket boundary by which `trainFraction` of the realized
 * liquidations had happened (by count, so a burst early in the period does not leave the test
 * window nearly empty), kept inside the covered period.
 */
export function splitTime(realized: readonly RealizedLiquidation[], bucketMs: number, trainFraction: number): number {
  const ts = realized.map((l) => l.t).sort((a, b) => a - b);
  if (ts.length === 0) return 0;
  const k = Math.min(ts.length - 1, Math.max(0, Math.floor(ts.length * trainFraction)));
  const from = Math.floor(ts[0]! / bucketMs) * bucketMs;
  const to = (Math.floor(ts.at(-1)! / bucketMs) + 1) * bucketMs;
  return Math.min(to - bucketMs, Math.max(from + bucketMs, Math.round(ts[k]! / bucketMs) * bucketMs));
}

/** Bootstrap blocks as long as the horizons overlap (in predictions). */
export function blockLength(trace: Pick<BacktestTrace, 'horizonMs' | 'bucketMs'>): number {
  return Math.max(1, Math.ceil(trace.horizonMs / trace.bucketMs));
}

/** Records whose horizon ends by `split` (training) or that start at or after it (test): never overlapping. */
export function trainRecords(trace: BacktestTrace, split: number): CaptureRecord[] {
  return trace.records.filter((r) => r.t + trace.horizonMs <= split);
}

function windowScore(trace: BacktestTrace, records: readonly CaptureRecord[], amounts: readonly AmountSample[], from: number, to: number, baseline: DistanceBaseline, hazard: DistanceHazard | null, qs: readonly number[], boot: BootstrapOptions): WindowScore {
  const liq = [...new Set(amounts.map((a) => a.t))].reduce((s, t) => s + (trace.liquidationsByBucket.get(t) ?? 0), 0);
  return { from, to, capture: aggregateCapture(records, baseline, qs, boot, hazard ? (u) => hazardScores(hazard, u) : null), amounts: scoreAmounts(amounts, liq, boot) };
}

/**
 * Scores a trace walk-forward: fit the distance baseline (and, with `hazard`, the model × distance
 * hazard) before `split`, score both sides of it. The hazard is opt-in for its fit's cost (eight
 * likelihood fits over the training buckets: 0.3-0.8 s on 3,306 of them), which the published
 * report pays and a query need not.
 */
export function walkForwardScore(trace: BacktestTrace, split: number, opts: { qs?: readonly number[]; boot?: BootstrapOptions; baseline?: DistanceBaseline; hazard?: boolean } = {}): WalkForwardScore {
  const qs = opts.qs ?? DEFAULT_QS;
  const boot = { block: blockLength(trace), ...opts.boot };
  const train = trainRecords(trace, split);
  const test = trace.records.filter((r) => r.t >= split);
  const baseline = opts.baseline ?? fitDistanceBaseline(train.flatMap((r) => r.units.flatMap((u) => u.samples)), { symmetric: trace.sides === 'pooled' });
  // The hazard always on this trace's own training window: it weighs this model's levels.
  const hazard = opts.hazard ? fitDistanceHazard(train, { symmetric: trace.sides === 'pooled' }) : null;
  const trainAmounts = trace.amounts.filter((a) => a.t + trace.bucketMs <= split);
  const testAmounts = trace.amounts.filter((a) => a.t >= split);
  return {
    semantics: trace.semantics,
    sided: trace.sided,
    sides: trace.sides,
    horizonMs: trace.horizonMs,
    split,
    baseline,
    hazard,
    train: windowScore(trace, train, trainAmounts, trace.from, split, baseline, hazard, qs, { ...boot, block: boot.block }),
    test: windowScore(trace, test, testAmounts, split, trace.to, baseline, hazard, qs, { ...boot, block: boot.block }),
  };
}
