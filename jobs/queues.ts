/** Queue and job naming shared by producers and workers. */

/** The queue every compute job goes through (markets in parallel, one job per market). */
export const COMPUTE_QUEUE = 'compute';

/** Queue of periodic maintenance (refresh stale markets, prune old results), never sandboxed. */
export const MAINTENANCE_QUEUE = 'maintenance';

/** Job names on the compute and maintenance queues. */
export type JobName = 'compute' | 'compute-until' | 'backfill' | 'refresh' | 'prune';

/** Job data of compute jobs. */
export interface ComputeJobData {
  readonly market: string;
  readonly params?: Record<string, unknown>;
  readonly untilMs?: number;
}

/**
 * The deduplication key of a market's compute jobs under one parameter set (`paramsHash`, the
 * hash of the requested parameters): a burst of batches collapses into one waiting job, while
 * a request for another set is its own job instead of being dropped as a duplicate of the
 * default's. (The per-market lease keeps two sets of one market from computing at once.
 * BullMQ job ids may not contain `:`.)
 */
export function computeJobId(market: string, paramsHash: string): string {
  return `compute~${market.replaceAll(':', '~')}~${paramsHash}`;
}

/**
 * A fresh id under a deduplication key: the key (see {@link computeJobId}) collapses triggers,
 * while each job that runs has its own id, so a follow-up created when the active job finishes
 * never meets the finished one's record.
 */
export function uniqueJobId(key: string): string {
  return `${key}~${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

/** Failed compute jobs kept for inspection (their error and input are also in `job_runs`). */
export const KEPT_FAILED_JOBS = 1000;

/** Id of one backfill step (a day of a market). */
export function backfillStepId(market: string, dayStartMs: number): string {
  return `backfill~${market.replaceAll(':', '~')}~${new Date(dayStartMs).toISOString().slice(0, 10)}`;
}

/** Retry policy: exponential backoff from 2 s, five attempts. */
export const RETRY = { attempts: 5, backoff: { type: 'exponential' as const, delay: 2000 } };
