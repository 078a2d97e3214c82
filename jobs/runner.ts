import type { Config, Logger } from '../base/index.js';
import type { BatchResult, Store } from '../db/index.js';
import type { ModelParams } from '../engine/index.js';

/** How a process takes part in the jobs pipeline. */
export type RunnerMode = 'enqueue-only' | 'work' | 'embedded';

/** One queue's counts, for `liqmap jobs`. */
export interface QueueStatus {
  readonly name: string;
  readonly counts: Readonly<Record<string, number>>;
  readonly active: readonly JobSummary[];
  readonly failed: readonly JobSummary[];
}

/** A job as `liqmap jobs` shows it. */
export interface JobSummary {
  readonly id: string;
  readonly name: string;
  readonly market: string | null;
  readonly progress: number;
  readonly attempts: number;
  readonly error: string | null;
}

/** Where one job is, for a caller that was told NOT_READY with its id. */
export interface JobProgress {
  readonly id: string;
  readonly state: 'waiting' | 'active' | 'completed' | 'failed';
  /** Percent of its buckets done, 0..100. */
  readonly progress: number;
  readonly attempts: number;
}

/** The jobs pipeline as the rest of liqmap sees it (BullMQ on Redis, or in-process). */
export interface JobRunner {
  readonly kind: 'bullmq' | 'in-process';
  /** Whether work handed to it gets done (false: an in-process runner that only records work, e.g. `liqmap ingest` on the embedded default). */
  readonly canCompute: boolean;
  /** Tells the pipeline which markets and time ranges a committed batch touched. */
  onIngested(result: BatchResult): Promise<void>;
  /** Enqueues (or runs) a recompute of a market under one parameter set (one job per market and set); returns the job id. */
  recompute(market: string, params?: Partial<ModelParams>): Promise<string>;
  /** Resolves when every piece of work enqueued so far has finished (embedded mode and tests). */
  idle?(): Promise<void>;
  /** Checks the queue backend answers (Redis PING); absent when there is none. */
  ping?(): Promise<void>;
  /** Where job `id` is; null when unknown (never enqueued here, or finished and forgotten). */
  job?(id: string): Promise<JobProgress | null>;
  /** Queue counts and jobs, for `liqmap jobs`. */
  status(): Promise<QueueStatus[]>;
  close(): Promise<void>;
}

/** Options of `createJobRunner`. */
export interface JobRunnerOptions {
  readonly config: Config;
  readonly store: Store;
  readonly logger: Logger;
  readonly mode: RunnerMode;
  /** Worker concurrency (different markets in parallel; default 2). */
  readonly concurrency?: number;
  /** Log a queue outage (default true); one-shot commands report it in their own one line instead. */
  readonly logOutages?: boolean;
  /** Run compute jobs in worker threads (BullMQ sandbox; default true for `work`). */
  readonly sandboxed?: boolean;
}
