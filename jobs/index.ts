/** jobs/: placeholder surface until the pipeline lands (see issue 4). */
import type { Config, Logger } from '../base/index.js';
import type { BatchResult, Store } from '../db/index.js';

/** How a process takes part in the jobs pipeline. */
export type RunnerMode = 'enqueue-only' | 'work' | 'embedded';

/** The jobs pipeline as the rest of liqmap sees it. */
export interface JobRunner {
  /** Tells the pipeline which markets and time ranges a committed batch touched. */
  onIngested(result: BatchResult): Promise<void>;
  /** Resolves when every piece of work enqueued so far has finished (embedded mode and tests). */
  idle?(): Promise<void>;
  /** Checks the queue backend answers (Redis PING); absent when there is none. */
  ping?(): Promise<void>;
  close(): Promise<void>;
}

/** Options of {@link createJobRunner}. */
export interface JobRunnerOptions {
  readonly config: Config;
  readonly store: Store;
  readonly logger: Logger;
  readonly mode: RunnerMode;
}

/** Creates the runner: BullMQ when REDIS_URL is set, in-process otherwise. */
export async function createJobRunner(_options: JobRunnerOptions): Promise<JobRunner> {
  return { async onIngested() {}, async close() {} };
}
