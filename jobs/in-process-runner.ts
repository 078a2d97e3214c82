import type { Logger } from '../base/index.js';
import type { BatchResult, Store } from '../db/index.js';
import type { ModelParams } from '../engine/index.js';
import { computeMarket } from './processors/compute-market.js';
import type { JobProgress, JobRunner } from './runner.js';
import { jobMetrics } from './metrics.js';
import { requestedParamsHash } from './served-sets.js';

interface Pending {
  readonly id: string;
  readonly market: string;
  readonly params: Partial<ModelParams> | undefined;
}

/**
 * The embedded default's runner: the same processor as the BullMQ workers, run in this
 * process, one job at a time, deduplicated by market and parameter set while queued. New data
 * computes every set of `served` (default: the default parameters only).
 */
export function createInProcessRunner(store: Store, logger: Logger, compute: boolean, served: readonly Partial<ModelParams>[] = [{}]): JobRunner {
  const pending = new Map<string, Pending>();
  let running: Promise<void> | null = null;
  let closed = false;
  let seq = 0;
  // The running job's progress, and the outcome of the last finished ones (bounded).
  let current: { id: string; progress: number } | null = null;
  const finished = new Map<string, JobProgress['state']>();
  const FINISHED_KEPT = 1000;
  const add = (market: string, params: Partial<ModelParams> | undefined): string => {
    const key = `${market}|${requestedParamsHash(params)}`;
    let p = pending.get(key);
    if (!p) pending.set(key, (p = { id: `in-process-${++seq}`, market, params: params && Object.keys(params).length > 0 ? params : undefined }));
    kick();
    return p.id;
  };

  const drain = async () => {
    while (pending.size > 0 && !closed) {
      const [key, { id, market, params }] = pending.entries().next().value as [string, Pending];
      pending.delete(key);
      const stop = jobMetrics.duration.startTimer({ queue: 'in-process' });
      current = { id, progress: 0 };
      let outcome: JobProgress['state'] = 'failed';
      try {
        // One round: a batch landing meanwhile queues the market again (coalesced in `pending`).
        const r = await computeMarket(store, { market, params, once: true }, (done, total) => {
          if (current) current.progress = total > 0 ? Math.round((100 * done) / total) : 100;
        });
        outcome = 'completed';
        jobMetrics.buckets.inc({ market }, r.buckets);
        logger.info({ at: 'jobs#in-process', market, buckets: r.buckets, rolledBack: r.rolledBack }, 'computed');
      } catch (e) {
        logger.error({ at: 'jobs#in-process', market, err: e }, 'compute failed; other markets go on');
      } finally {
        stop();
        current = null;
        finished.set(id, outcome);
        if (finished.size > FINISHED_KEPT) finished.delete(finished.keys().next().value!);
      }
    }
  };
  const kick = () => {
    if (!compute || running) return;
    running = drain().finally(() => {
      running = null;
      if (pending.size > 0 && !closed) kick();
    });
  };
  const idle = async () => {
    while (running) await running;
  };
  return {
    kind: 'in-process',
    canCompute: compute,
    async onIngested(result: BatchResult) {
      for (const t of result.touched) for (const p of served) add(t.market, p);
    },
    async recompute(market, params) {
      return add(market, params);
    },
    idle,
    async job(id) {
      if (current?.id === id) return { id, state: 'active', progress: current.progress, attempts: 1 };
      for (const p of pending.values()) if (p.id === id) return { id, state: 'waiting', progress: 0, attempts: 0 };
      const done = finished.get(id);
      return done ? { id, state: done, progress: done === 'completed' ? 100 : 0, attempts: 1 } : null;
    },
    async status() {
      return [{ name: 'in-process', counts: { waiting: pending.size, active: running ? 1 : 0 }, active: [], failed: [] }];
    },
    async close() {
      closed = true;
      await idle();
    },
  };
}
