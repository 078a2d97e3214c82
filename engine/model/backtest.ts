import type { ModelParams } from './params.js';
import type { ModelEvent } from './types.js';
import { aggregateBuckets } from './aggregate-buckets.js';
import { runModel } from './heatmap-model.js';
import { detectClusters, type ClusterOptions } from './clusters.js';
import { scoreAccuracy, type AccuracyScore, type Prediction, type RealizedLiquidation } from './accuracy.js';

/** Options of {@link backtest}. */
export interface BacktestOptions {
  readonly params: ModelParams;
  /** Liquidations are counted in (t, t + horizon] after each prediction, ms. */
  readonly horizonMs: number;
  /** Predict once per this many ms (default: every bucket). */
  readonly everyMs?: number;
  readonly clusters?: ClusterOptions;
}

/**
 * Runs the model over a market's events and, at each prediction time, scores the clusters it
 * sees (using only data up to that time) against the liquidations realized afterwards.
 */
export function backtest(events: readonly ModelEvent[], realized: readonly RealizedLiquidation[], opts: BacktestOptions): AccuracyScore & { buckets: number } {
  const buckets = aggregateBuckets(events, opts.params.timeBucketSeconds);
  const { snapshots } = runModel(opts.params, buckets);
  const predictions: Prediction[] = [];
  const every = opts.everyMs ?? 0;
  let next = -Infinity;
  for (const s of snapshots) {
    if (s.t < next) continue;
    next = s.t + every;
    // A snapshot describes the end of its bucket: predictions start after it.
    const t = s.t + opts.params.timeBucketSeconds * 1000;
    predictions.push({ t, price: s.price, clusters: detectClusters(s, opts.clusters ?? { limit: 10 }) });
  }
  return { ...scoreAccuracy(predictions, realized, opts.horizonMs), buckets: buckets.length };
}
