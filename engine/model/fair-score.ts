import { EngineError } from '../errors.js';
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
import { aggregateCapture, aggregatePooledCapture, captureRecord, DEFAULT_QS, type CaptureRecord, type CaptureScore, type CaptureUnit, type RangedPrediction, type SideBasis } from './traversed-capture.js';

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

/** One fold of an expanding-window walk-forward: fitted on everything before it, scored on itself. */
export interface FoldScore {
  /** The fold's prediction times [from, to), epoch ms; its fit saw only predictions whose horizon ends by `from`. */
  readonly from: number;
  readonly to: number;
  /** The distance baseline and the hazard (null unless asked for) fitted before the fold. */
  readonly baseline: DistanceBaseline;
  readonly hazard: DistanceHazard | null;
  /** In sample: the fit scored on its own window (every prediction whose horizon ends by `from`). */
  readonly fit: CaptureScore;
  /** Out of sample: the fold's predictions scored by that fit. */
  readonly test: CaptureScore;
}

/**
 * A walk-forward score. Folds 2..k each fitted (distance baseline, hazard, and in calibration the
 * parameters) on everything before them and scored on themselves; their predictions pooled are
 * the out-of-sample figures. One fold is the single split.
 */
export interface WalkForwardScore {
  readonly semantics: PriceSemantics;
  readonly sided: boolean;
  readonly sides: SideBasis;
  readonly horizonMs: number;
  /** First out-of-sample prediction time (the start of fold 2), epoch ms. */
  readonly split: number;
  /** The first fit's distance baseline (fitted on the in-sample window). */
  readonly baseline: DistanceBaseline;
  /** The model × distance hazard fitted on the in-sample window (scored next to the model, never instead of it); null unless asked for. */
  readonly hazard: DistanceHazard | null;
  /** Folds 2..k, in time order. */
  readonly folds: readonly FoldScore[];
  /** In sample: the window before the first scored fold [from, split), by the fit made on it. */
  readonly train: WindowScore;
  /** Out of sample: every scored fold's predictions [split, to), each by its own fold's fit, pooled. */
  readonly test: WindowScore;
}

/** Bootstrap blocks as long as the horizons overlap (in predictions). */
export function blockLength(trace: Pick<BacktestTrace, 'horizonMs' | 'bucketMs'>): number {
  return Math.max(1, Math.ceil(trace.horizonMs / trace.bucketMs));
}

/** Records whose horizon ends by `split` (training) or that start at or after it (test): never overlapping. */
export function trainRecords(trace: BacktestTrace, split: number): CaptureRecord[] {
  return trace.records.filter((r) => r.t + trace.horizonMs <= split);
}

/** One fold's input to {@link rollingWalkForwardScore}. */
export interface FoldInput {
  /** The trace the fold is scored on (in calibration, the fold's own fitted parameters'). */
  readonly trace: BacktestTrace;
  /** The fold's first prediction time, epoch ms (see walkForwardFolds). */
  readonly from: number;
  /** A distance baseline fitted elsewhere on the same window (default: fitted on this trace's predictions before `from`). */
  readonly baseline?: DistanceBaseline;
}

/** Options of {@link rollingWalkForwardScore} and {@link walkForwardScore}. */
export interface WalkForwardOptions {
  readonly qs?: readonly number[];
  readonly boot?: BootstrapOptions;
  /** Also fit and score the model × distance hazard (see walkForwardScore). */
  readonly hazard?: boolean;
}

function amountsScore(parts: readonly { trace: BacktestTrace; amounts: readonly AmountSample[] }[], boot: BootstrapOptions): AmountScore {
  let liq = 0;
  for (const { trace, amounts } of parts) for (const t of new Set(amounts.map((a) => a.t))) liq += trace.liquidationsByBucket.get(t) ?? 0;
  return scoreAmounts(parts.flatMap((p) => p.amounts), liq, boot);
}

/**
 * Scores folds walk-forward (an expanding, anchored window): fold i's test window runs from its
 * start to the next fold's (the last to the trace's end); its distance baseline (and, with
 * `hazard`, its hazard) is fitted only on the predictions of its own trace whose horizon ends by
 * its start. The out-of-sample figures pool every fold's predictions, each scored by its own
 * fold's fit, in one moving-block bootstrap over prediction times (blocks as long as the
 * horizon); the amount calibration pools the folds' buckets. In sample is the window before the
 * first fold, scored by the first fold's fit, so in- and out-of-sample windows stay adjacent.
 */
export function rollingWalkForwardScore(folds: readonly FoldInput[], opts: WalkForwardOptions = {}): WalkForwardScore {
  if (folds.length === 0) throw new EngineError('INPUT_INVALID', 'a walk-forward needs at least one scored fold');
  const qs = opts.qs ?? DEFAULT_QS;
  const first = folds[0]!.trace;
  const boot = { block: blockLength(first), ...opts.boot };
  const fits = folds.map((f, i) => {
    const to = folds[i + 1]?.from ?? f.trace.to;
    const train = trainRecords(f.trace, f.from);
    const baseline = f.baseline ?? fitDistanceBaseline(train.flatMap((r) => r.units.flatMap((u) => u.samples)), { symmetric: f.trace.sides === 'pooled' });
    // The hazard always on this trace's own training window: it weighs this model's levels.
    const hazard = opts.hazard ? fitDistanceHazard(train, { symmetric: f.trace.sides === 'pooled' }) : null;
    const ranking = hazard ? (u: CaptureUnit) => hazardScores(hazard, u) : null;
    const test = f.trace.records.filter((r) => r.t >= f.from && r.t < to);
    const amounts = f.trace.amounts.filter((a) => a.t >= f.from && a.t < to);
    return { ...f, to, train, test, amounts, baseline, hazard, ranking };
  });
  const fold1 = fits[0]!;
  const split = fold1.from;
  const trainAmounts = fold1.trace.amounts.filter((a) => a.t + fold1.trace.bucketMs <= split);
  return {
    semantics: first.semantics,
    sided: first.sided,
    sides: first.sides,
    horizonMs: first.horizonMs,
    split,
    baseline: fold1.baseline,
    hazard: fold1.hazard,
    folds: fits.map((f) => ({ from: f.from, to: f.to, baseline: f.baseline, hazard: f.hazard, fit: aggregateCapture(f.train, f.baseline, qs, boot, f.ranking), test: aggregateCapture(f.test, f.baseline, qs, boot, f.ranking) })),
    train: { from: first.from, to: split, capture: aggregateCapture(fold1.train, fold1.baseline, qs, boot, fold1.ranking), amounts: amountsScore([{ trace: fold1.trace, amounts: trainAmounts }], boot) },
    test: {
      from: split,
      to: fits.at(-1)!.to,
      capture: aggregatePooledCapture(fits.map((f) => ({ records: f.test, baseline: f.baseline, hazard: f.ranking })), qs, boot),
      amounts: amountsScore(fits, boot),
    },
  };
}

/**
 * Scores a trace walk-forward, either at one split (the single split: fit the distance baseline,
 * and with `hazard` the model × distance hazard, before it and score both sides) or at the fold
 * starts of walkForwardFolds, every fold on this one trace. The hazard is opt-in for its fit's
 * cost (eight likelihood fits over the training buckets: 0.3-0.8 s on 3,306 of them, per fold),
 * which the published report pays and a query need not.
 */
export function walkForwardScore(trace: BacktestTrace, split: number | readonly number[], opts: WalkForwardOptions & { baseline?: DistanceBaseline | readonly DistanceBaseline[] } = {}): WalkForwardScore {
  const starts = typeof split === 'number' ? [split] : split;
  const baselines = opts.baseline === undefined ? [] : Array.isArray(opts.baseline) ? (opts.baseline as readonly DistanceBaseline[]) : [opts.baseline as DistanceBaseline];
  return rollingWalkForwardScore(starts.map((from, i) => ({ trace, from, ...(baselines[i] ? { baseline: baselines[i] } : {}) })), opts);
}
