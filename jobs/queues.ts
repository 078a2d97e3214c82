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
 * The deterministic id of a market's compute job: one per market, so a burst of batches
 * collapses into one waiting job and a market is never computed by two workers at once.
 * (BullMQ job ids may not contain `:`.)
 */
export function computeJobId(market: string): string {
  return `compute~${market.replaceAll(':', '~')}`;
}

/** Id of one backfill step (a day of a market). */
export function backfillStepId(market: string, dayStartMs: number): string {
  return `backfill~${market.replaceAll(':', '~')}~${new Date(dayStartMs).toISOString().slice(0, 10)}`;
}

/** Retry policy: exponential backoff from 2 s, five attempts. */
export const RETRY = { attempts: 5, backoff: { type: 'exponential' as const, delay: 2000 } };
