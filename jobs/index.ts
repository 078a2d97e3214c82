/** jobs/: the pipeline that keeps heatmaps and clusters current (BullMQ, or in-process). */
import { createBullmqRunner } from './bullmq-runner.js';
import { createInProcessRunner } from './in-process-runner.js';
import type { JobRunner, JobRunnerOptions } from './runner.js';
import { servedParamSets } from './served-sets.js';

export type { JobRunner, JobRunnerOptions, RunnerMode, QueueStatus, JobSummary, JobProgress } from './runner.js';
export { createBullmqRunner, type BullmqRunner } from './bullmq-runner.js';
export { createInProcessRunner } from './in-process-runner.js';
export { holdBatches, type HeldBatches } from './held-batches.js';
export { computeMarket, effectiveParams, toHeatmapRow, type ComputeInput, type ComputeOutcome } from './processors/compute-market.js';
export { paramsForMarket, withMarketBrackets } from './processors/effective-params.js';
export { processJob, staleMarkets, pruneResults } from './processors/dispatch.js';
export { computeExactMarket, knownPosition, type ExactOptions } from './processors/exact-levels.js';
export { GmxReplay, type ReplayedPosition } from './processors/gmx-replay.js';
export { COMPUTE_QUEUE, MAINTENANCE_QUEUE, computeJobId } from './queues.js';
export { servedParamSets, requestedParamsHash } from './served-sets.js';
export { historyBuckets, historyCells, priceBucketsPerRow, MAX_REQUESTED_SET_CELLS } from './processors/result-size.js';
export { jobsRegistry, jobMetrics } from './metrics.js';

/**
 * Creates the runner: BullMQ when REDIS_URL is set, in-process otherwise. In-process
 * `enqueue-only` (a plain `liqmap ingest` on the embedded default) computes nothing: the next
 * `liqmap start` or `serve` computes on demand.
 */
export async function createJobRunner(options: JobRunnerOptions): Promise<JobRunner> {
  const url = options.config.REDIS_URL;
  if (url) return createBullmqRunner({ ...options, redisUrl: url, sandboxed: options.sandboxed ?? (options.mode === 'work' && options.config.DATABASE_URL !== undefined) });
  return createInProcessRunner(options.store, options.logger, options.mode !== 'enqueue-only', servedParamSets(options.config));
}
export * from './check/index.js';
export { computeAggregate, PART_CARRY_MS } from './processors/compute-aggregate.js';
