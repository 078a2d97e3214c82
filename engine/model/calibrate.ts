import type { RealizedLiquidation } from './accuracy.js';
import { capLeverageMix, parseModelParams, type ModelParams } from './params.js';
import type { PriceSemantics } from './price-semantics.js';
import type { MarketBucket } from './types.js';
import type { BootstrapOptions } from './bootstrap.js';
import { rollingWalkForwardScore, trainRecords, traceBacktest, walkForwardScore, type BacktestTrace, type WalkForwardScore } from './fair-score.js';
import { DEFAULT_FOLDS, walkForwardFolds } from './walk-forward-folds.js';
import { aggregateCapture, type CaptureRecord } from './traversed-capture.js';

/** The bounded search space: candidate values per free parameter. */
export interface CalibrationGrid {
  /** Leverages of the mix (fixed) and the candidate weights each may take (normalised after). */
  readonly leverages: readonly number[];
  readonly weights: readonly number[];
  readonly imbalanceWeight: readonly number[];
  readonly halfLifeHours: readonly number[];
  readonly positionNotional: readonly number[];
}

/**
 * The default grid: the default mix's leverages with weights from 0 (nearly) to dominant; tilt
 * from none to full; half-lives from 6 hours to 16 days; position notionals across the first
 * four brackets. Participation only scales amounts, so it is fitted in closed form afterwards.
 */
export const DEFAULT_CALIBRATION_GRID: CalibrationGrid = Object.freeze({
  leverages: [5, 10, 25, 50, 100],
  weights: [0.02, 0.1, 0.25, 0.5, 1],
  imbalanceWeight: [0, 0.25, 0.5, 0.75, 1],
  halfLifeHours: [6, 12, 24, 48, 96, 192, 384],
  positionNotional: [1_000, 10_000, 100_000, 1_000_000],
});

/** Options of {@link calibrate}. */
export interface CalibrateOptions {
  /** Parameters the search starts from (and keeps for what it does not fit). */
  readonly base: ModelParams;
  readonly horizonMs: number;
  readonly semantics: PriceSemantics;
  /** Folds of the expanding walk-forward (default DEFAULT_FOLDS; 2 is the single split): each fold after the first fitted on everything before it. */
  readonly folds?: number;
  /** With 2 folds: the share of the liquidations before the split (default 0.5). */
  readonly trainFraction?: number;
  readonly grid?: CalibrationGrid;
  /** Coordinate-search rounds over every parameter (default 2). */
  readonly rounds?: number;
  /** Objective: mean training capture over these q (default 0.1, 0.2, 0.3: steadier than one q). */
  readonly qs?: readonly number[];
  readonly boot?: BootstrapOptions;
  /** Called after each evaluation (progress). */
  readonly onEvaluation?: (n: number, best: number) => void;
}

/** One fold's fit: the parameters fitted on everything before `from`. */
export interface FoldFit {
  /** The fold's first prediction time, epoch ms. */
  readonly from: number;
  readonly params: ModelParams;
  /** Training objective of the base and the fitted parameters on the fold's fit window. */
  readonly startObjective: number;
  readonly fittedObjective: number;
  /** Search points first backtested in this fold's search. */
  readonly evaluations: number;
  /** The fitted parameters' backtest over the whole period (the fold is scored on it). */
  readonly trace: BacktestTrace;
}

/** A calibration's result. */
export interface CalibrationResult {
  /** The last fold's fit (on everything before the last fold): the set a preset stores. */
  readonly params: ModelParams;
  /** Training objective of the base and the fitted parameters (the last fold's window). */
  readonly startObjective: number;
  readonly fittedObjective: number;
  /** Search points backtested over every fold's search (one backtest serves every fold). */
  readonly evaluations: number;
  /** Every fold's fit, in time order. */
  readonly folds: readonly FoldFit[];
  /** Each fold scored by its own fitted parameters, walk-forward (in sample = before the first fold, out of sample = the folds pooled). */
  readonly fitted: WalkForwardScore;
  /** The start parameters scored on the same folds. */
  readonly start: WalkForwardScore;
  /** True when out-of-sample capture at q = 20% is below in-sample by more than its interval. */
  readonly overfit: boolean | null;
  /** First out-of-sample prediction time (the first fold's start). */
  readonly split: number;
}

interface Point {
  weights: number[];
  imbalanceWeight: number;
  halfLifeHours: number;
  positionNotional: number;
}

/**
 * A point of the search as parameters. The grid's leverages are capped at the base mix's highest
 * (the venue's maximum, when the market's brackets capped the default mix): a venue that allows
 * 40× has no 100× traders to fit.
 */
function toParams(base: ModelParams, grid: CalibrationGrid, p: Point): ModelParams {
  const { maintenanceMarginRate: _m, maintenanceAmountFraction: _a, ...rest } = base;
  const cap = Math.max(...base.leverages.map((l) => l.leverage));
  return parseModelParams({
    ...rest,
    leverages: capLeverageMix(grid.leverages.map((leverage, i) => ({ leverage, weight: p.weights[i]! })).filter((l) => l.weight > 0), cap),
    imbalanceWeight: p.imbalanceWeight,
    halfLifeHours: p.halfLifeHours,
    positionNotional: p.positionNotional,
  });
}

/**
 * Fits the model's free parameters walk-forward on a venue's realized liquidations: the period is
 * cut into folds of equal liquidation count (walkForwardFolds), and for each fold after the first
 * the parameters are fitted on everything before it (predictions whose horizon ends by its start;
 * buckets and liquidations before it) and scored on the fold: never the reverse. Each fold's
 * search is warm-started from the previous fold's fit (or the base, whichever scores higher on
 * the new window), so later folds mostly confirm it in one round. The search is a deterministic
 * coordinate search over a bounded grid — each parameter in turn takes every candidate value
 * with the others fixed, the best is kept (ties keep the current value), for a few rounds — so
 * the same data gives the same parameters. A grid, not Nelder–Mead: the objective (a share of
 * top-ranked buckets) is piecewise constant in the parameters, where a simplex method stalls on
 * its flats; and fmin, the maintained npm Nelder–Mead, ships a UMD build that exports nothing
 * under Node's ESM loader (measured: `import('fmin')` → no keys).
 */
export function calibrate(buckets: readonly MarketBucket[], realized: readonly RealizedLiquidation[], opts: CalibrateOptions): CalibrationResult {
  const grid = opts.grid ?? DEFAULT_CALIBRATION_GRID;
  const qs = opts.qs ?? [0.1, 0.2, 0.3];
  const width = opts.base.timeBucketSeconds * 1000;
  // The folds depend on the realized period only, not on the parameters.
  const starts = walkForwardFolds(realized, width, { folds: opts.folds ?? DEFAULT_FOLDS, horizonMs: opts.horizonMs, trainFraction: opts.trainFraction });
  if (starts.length === 0) starts.push(0);
  const baseWeights = grid.leverages.map((lev) => opts.base.leverages.find((l) => l.leverage === lev)?.weight ?? 0);
  const basePoint: Point = { weights: baseWeights, imbalanceWeight: opts.base.imbalanceWeight, halfLifeHours: opts.base.halfLifeHours, positionNotional: opts.base.positionNotional };
  const traceOf = (params: ModelParams) => traceBacktest(buckets, realized, { params, horizonMs: opts.horizonMs, semantics: opts.semantics });
  const shared = trainingRecordsCache(buckets, realized, starts.at(-1)!, opts, grid);
  let warm: Point | null = null;
  const fits: FoldFit[] = [];
  for (const split of starts) {
    const search = searchFold(split, opts, grid, qs, basePoint, warm, shared);
    warm = search.point;
    const fittedParams = toParams(opts.base, grid, search.point);
    // Participation only scales amounts: match the training window's realized total.
    const fittedTrace = traceOf(fittedParams);
    const trainAmounts = fittedTrace.amounts.filter((a) => a.t + fittedTrace.bucketMs <= split);
    const predicted = trainAmounts.reduce((s, a) => s + a.predicted, 0);
    const real = trainAmounts.reduce((s, a) => s + a.realized, 0);
    const participation = predicted > 0 && real > 0 ? Math.min(10, Math.max(1e-6, fittedParams.participation * (real / predicted))) : fittedParams.participation;
    const { maintenanceMarginRate: _m, maintenanceAmountFraction: _a, ...fittedRest } = fittedParams;
    const params = parseModelParams({ ...fittedRest, participation });
    fits.push({ from: split, params, startObjective: search.startObjective, fittedObjective: search.best, evaluations: search.evaluations, trace: participation === fittedParams.participation ? fittedTrace : traceOf(params) });
  }
  const fitted = rollingWalkForwardScore(fits.map((f) => ({ trace: f.trace, from: f.from })), { boot: opts.boot });
  const start = walkForwardScore(traceOf(toParams(opts.base, grid, basePoint)), starts, { boot: opts.boot });
  const is = fitted.train.capture.figures.find((f) => Math.abs(f.q - 0.2) < 1e-9)?.model;
  const oos = fitted.test.capture.figures.find((f) => Math.abs(f.q - 0.2) < 1e-9)?.model;
  const overfit = is && oos && is.value !== null && oos.value !== null && oos.high !== null ? oos.high < is.value : null;
  const last = fits.at(-1)!;
  return {
    params: last.params,
    startObjective: last.startObjective,
    fittedObjective: last.fittedObjective,
    evaluations: shared.backtests,
    folds: fits,
    fitted,
    start,
    overfit,
    split: starts[0]!,
  };
}

/**
 * Training records per search point, shared by every fold's search. A point's backtest runs over
 * the buckets that end by the last fold's start and the liquidations by it; a fold at `split`
 * then reads only the records whose horizon ends by its own start, which are the ones a backtest
 * cut at `split` would give (the model is causal, and a record sees only the liquidations and
 * prices of its own horizon), so a fold never sees its own or later data. One backtest per point
 * serves every fold: a warm-started fold mostly revisits the previous fold's neighbourhood.
 */
function trainingRecordsCache(buckets: readonly MarketBucket[], realized: readonly RealizedLiquidation[], lastSplit: number, opts: CalibrateOptions, grid: CalibrationGrid) {
  const trainBuckets = buckets.filter((b) => b.t + opts.base.timeBucketSeconds * 1000 <= lastSplit);
  const trainRealized = realized.filter((l) => l.t <= lastSplit);
  const cache = new Map<string, CaptureRecord[]>();
  let backtests = 0;
  return {
    get backtests() {
      return backtests;
    },
    /** The point's records whose horizon ends by `split` (≤ the last fold's start). */
    records(p: Point, split: number): CaptureRecord[] {
      const key = JSON.stringify(p);
      let recs = cache.get(key);
      if (!recs) {
        const trace = traceBacktest(trainBuckets, trainRealized, { params: toParams(opts.base, grid, p), horizonMs: opts.horizonMs, semantics: opts.semantics });
        recs = trainRecords(trace, lastSplit);
        backtests++;
        cache.set(key, recs);
      }
      return recs.filter((r) => r.t + opts.horizonMs <= split);
    },
  };
}

/** The coordinate search of one fold, on the training records before `split` only. */
function searchFold(split: number, opts: CalibrateOptions, grid: CalibrationGrid, qs: readonly number[], basePoint: Point, warm: Point | null, shared: ReturnType<typeof trainingRecordsCache>): { point: Point; best: number; startObjective: number; evaluations: number } {
  const before = shared.backtests;
  const cache = new Map<string, number>();
  const objective = (p: Point): number => {
    const key = JSON.stringify(p);
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const score = aggregateCapture(shared.records(p, split), null, qs, { resamples: 0 });
    const vals = score.figures.map((f) => f.model.value ?? 0);
    const v = vals.reduce((s, x) => s + x, 0) / Math.max(1, vals.length);
    cache.set(key, v);
    return v;
  };
  // The search starts from the base parameters themselves (so "start" is the default set when
  // the base is), or from the previous fold's fit when that scores higher here, then moves one
  // coordinate at a time onto the grid.
  const startObjective = objective(basePoint);
  let point = basePoint;
  let best = startObjective;
  if (warm) {
    const w = objective(warm);
    if (w > best + 1e-12) {
      best = w;
      point = warm;
    }
  }
  const rounds = opts.rounds ?? 2;
  for (let r = 0; r < rounds; r++) {
    const before = best;
    const coords: { values: readonly number[]; set: (p: Point, v: number) => Point }[] = [
      ...grid.leverages.map((_, i) => ({ values: grid.weights, set: (p: Point, v: number) => ({ ...p, weights: p.weights.map((w, j) => (j === i ? v : w)) }) })),
      { values: grid.imbalanceWeight, set: (p: Point, v: number) => ({ ...p, imbalanceWeight: v }) },
      { values: grid.halfLifeHours, set: (p: Point, v: number) => ({ ...p, halfLifeHours: v }) },
      { values: grid.positionNotional, set: (p: Point, v: number) => ({ ...p, positionNotional: v }) },
    ];
    for (const c of coords) {
      for (const v of c.values) {
        const cand = c.set(point, v);
        const f = objective(cand);
        if (f > best + 1e-12) {
          best = f;
          point = cand;
        }
        opts.onEvaluation?.(shared.backtests, best);
      }
    }
    if (best <= before + 1e-12) break;
  }
  return { point, best, startObjective, evaluations: shared.backtests - before };
}
