import type { RealizedLiquidation } from './accuracy.js';
import { capLeverageMix, parseModelParams, type ModelParams } from './params.js';
import type { PriceSemantics } from './price-semantics.js';
import type { MarketBucket } from './types.js';
import type { BootstrapOptions } from './bootstrap.js';
import { fitDistanceBaseline } from './distance-baseline.js';
import { splitTime, trainRecords, traceBacktest, walkForwardScore, type WalkForwardScore } from './fair-score.js';
import { aggregateCapture } from './traversed-capture.js';

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
  /** Share of the covered period used for fitting (default 0.5); the rest is scored out of sample. */
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

/** A calibration's result. */
export interface CalibrationResult {
  readonly params: ModelParams;
  /** Training objective of the start and the fitted parameters. */
  readonly startObjective: number;
  readonly fittedObjective: number;
  readonly evaluations: number;
  /** The fitted parameters scored walk-forward (in sample = training window, out of sample = after). */
  readonly fitted: WalkForwardScore;
  /** The start parameters scored on the same windows. */
  readonly start: WalkForwardScore;
  /** True when out-of-sample capture at q = 20% is below in-sample by more than its interval. */
  readonly overfit: boolean | null;
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
 * Fits the model's free parameters on the training window of a venue's realized liquidations
 * and scores them on the following window (walk-forward: never the reverse). The search is a
 * deterministic coordinate search over a bounded grid — each parameter in turn takes every
 * candidate value with the others fixed, the best is kept (ties keep the current value), for
 * a few rounds — so the same data gives the same parameters. A grid, not Nelder–Mead: the
 * objective (a share of top-ranked buckets) is piecewise constant in the parameters, where a
 * simplex method stalls on its flats; and fmin, the maintained npm Nelder–Mead, ships a UMD
 * build that exports nothing under Node's ESM loader (measured: `import('fmin')` → no keys).
 */
export function calibrate(buckets: readonly MarketBucket[], realized: readonly RealizedLiquidation[], opts: CalibrateOptions): CalibrationResult {
  const grid = opts.grid ?? DEFAULT_CALIBRATION_GRID;
  const qs = opts.qs ?? [0.1, 0.2, 0.3];
  const trainFraction = opts.trainFraction ?? 0.5;
  // The split depends on the realized period only, not on the parameters.
  const split = splitTime(realized, opts.base.timeBucketSeconds * 1000, trainFraction);
  // Only buckets before the split can inform the fit.
  const trainBuckets = buckets.filter((b) => b.t + opts.base.timeBucketSeconds * 1000 <= split);
  const trainRealized = realized.filter((l) => l.t <= split);
  let evaluations = 0;
  const cache = new Map<string, number>();
  const objective = (p: Point): number => {
    const key = JSON.stringify(p);
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const trace = traceBacktest(trainBuckets, trainRealized, { params: toParams(opts.base, grid, p), horizonMs: opts.horizonMs, semantics: opts.semantics });
    const recs = trainRecords(trace, split);
    const score = aggregateCapture(recs, null, qs, { resamples: 0 });
    const vals = score.figures.map((f) => f.model.value ?? 0);
    const v = vals.reduce((s, x) => s + x, 0) / Math.max(1, vals.length);
    evaluations++;
    cache.set(key, v);
    return v;
  };
  // The search starts from the base parameters themselves (so "start" is the default set when
  // the base is), then moves one coordinate at a time onto the grid.
  const baseWeights = grid.leverages.map((lev) => opts.base.leverages.find((l) => l.leverage === lev)?.weight ?? 0);
  let point: Point = { weights: baseWeights, imbalanceWeight: opts.base.imbalanceWeight, halfLifeHours: opts.base.halfLifeHours, positionNotional: opts.base.positionNotional };
  const startPoint = point;
  const startObjective = objective(point);
  let best = startObjective;
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
        opts.onEvaluation?.(evaluations, best);
      }
    }
    if (best <= before + 1e-12) break;
  }
  const fittedParams = toParams(opts.base, grid, point);
  const startParams = toParams(opts.base, grid, startPoint);
  // Participation only scales amounts: match the training window's realized total.
  const scoreWith = (params: ModelParams) => {
    const trace = traceBacktest(buckets, realized, { params, horizonMs: opts.horizonMs, semantics: opts.semantics });
    const base = fitDistanceBaseline(trainRecords(trace, split).flatMap((r) => r.units.flatMap((u) => u.samples)), { symmetric: trace.sides === 'pooled' });
    return { trace, score: walkForwardScore(trace, split, { boot: opts.boot, baseline: base }) };
  };
  const fittedRun = scoreWith(fittedParams);
  const trainAmounts = fittedRun.trace.amounts.filter((a) => a.t + fittedRun.trace.bucketMs <= split);
  const predicted = trainAmounts.reduce((s, a) => s + a.predicted, 0);
  const real = trainAmounts.reduce((s, a) => s + a.realized, 0);
  const participation = predicted > 0 && real > 0 ? Math.min(10, Math.max(1e-6, fittedParams.participation * (real / predicted))) : fittedParams.participation;
  const { maintenanceMarginRate: _m, maintenanceAmountFraction: _a, ...fittedRest } = fittedParams;
  const params = parseModelParams({ ...fittedRest, participation });
  const fitted = participation === fittedParams.participation ? fittedRun.score : scoreWith(params).score;
  const start = scoreWith(startParams).score;
  const is = fitted.train.capture.figures.find((f) => Math.abs(f.q - 0.2) < 1e-9)?.model;
  const oos = fitted.test.capture.figures.find((f) => Math.abs(f.q - 0.2) < 1e-9)?.model;
  const overfit = is && oos && is.value !== null && oos.value !== null && oos.high !== null ? oos.high < is.value : null;
  return { params, startObjective, fittedObjective: best, evaluations, fitted, start, overfit, split };
}
