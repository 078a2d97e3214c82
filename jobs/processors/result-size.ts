import { DEFAULT_MODEL_PARAMS, type ModelParams } from '../../engine/index.js';
import { PERSIST_WINDOW } from './heatmap-row.js';

/**
 * Most price buckets one persisted row array can span under `params`: the row keeps levels
 * within ±{@link PERSIST_WINDOW} of the price, and the step is `price × fraction` rounded
 * down to 1/2/5×10ᵏ (at most 2.5× finer), so 2 × window × 2.5 / fraction (5,000 at the default
 * 0.0005; 25,000 at the smallest allowed 0.0001). Price drifting away from the market's first
 * price (the step is fixed then) scales it by the drift.
 */
export function priceBucketsPerRow(params: Pick<ModelParams, 'priceBucketFraction'>): number {
  return Math.ceil((2 * PERSIST_WINDOW * 2.5) / params.priceBucketFraction);
}

/** Time buckets of `params` over a market's history [firstMs, lastMs]. */
export function historyBuckets(params: Pick<ModelParams, 'timeBucketSeconds'>, span: { readonly firstMs: number; readonly lastMs: number }): number {
  const width = params.timeBucketSeconds * 1000;
  return Math.floor(span.lastMs / width) - Math.floor(span.firstMs / width) + 1;
}

/** Upper bound of the cells (time buckets × price buckets) a parameter set persists over a market's history. */
export function historyCells(params: Pick<ModelParams, 'timeBucketSeconds' | 'priceBucketFraction'>, span: { readonly firstMs: number; readonly lastMs: number }): number {
  return historyBuckets(params, span) * priceBucketsPerRow(params);
}

/**
 * Most cells a parameter set computed on request may persist over a market's history: what the
 * default parameters persist over a year of minute buckets (525,600 × 5,000). The configured
 * sets (default and presets) are the operator's choice and are not held to it.
 */
export const MAX_REQUESTED_SET_CELLS = 525_600 * priceBucketsPerRow(DEFAULT_MODEL_PARAMS);

/**
 * Cells (rows × price buckets per row) the compute processor holds per committed chunk: a day
 * of minute rows at the default price bucket. Finer price buckets get fewer rows per chunk, so
 * no parameter set holds more memory per chunk than the default does.
 */
export const CHUNK_CELLS = 1440 * priceBucketsPerRow(DEFAULT_MODEL_PARAMS);
