import { performance } from 'node:perf_hooks';
import { quantile } from './campaign-kit.js';

/** What a bounded load measured. */
export interface LoadResult {
  readonly requests: number;
  /** Requests that failed (the `request` callback threw or returned a reason). */
  readonly errors: number;
  readonly firstErrors: readonly string[];
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly seconds: number;
}


/**
 * Bounded concurrent load: `concurrency` loops, each sending one request after the other for
 * `seconds` (the k-th request overall gets `k`, so callers can make every request different —
 * uncached). `request` resolves null when the answer is right, else a reason.
 */
export async function boundedLoad(opts: { concurrency: number; seconds: number; request: (k: number) => Promise<string | null> }): Promise<LoadResult> {
  const latencies: number[] = [];
  const firstErrors: string[] = [];
  let errors = 0;
  let k = 0;
  const started = performance.now();
  const until = started + opts.seconds * 1000;
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (performance.now() < until) {
        const n = k++;
        const s = performance.now();
        let reason: string | null;
        try {
          reason = await opts.request(n);
        } catch (e) {
          reason = (e as Error).message;
        }
        latencies.push(performance.now() - s);
        if (reason !== null) {
          errors++;
          if (firstErrors.length < 5) firstErrors.push(reason);
        }
      }
    }),
  );
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    requests: latencies.length,
    errors,
    firstErrors,
    p50Ms: round(quantile(latencies, 0.5) ?? 0),
    p99Ms: round(quantile(latencies, 0.99) ?? 0),
    maxMs: round(Math.max(0, ...latencies)),
    seconds: round((performance.now() - started) / 1000),
  };
}
