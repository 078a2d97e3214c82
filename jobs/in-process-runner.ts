import type { Logger } from '../base/index.js';
import type { BatchResult, Store } from '../db/index.js';
import type { ModelParams } from '../engine/index.js';
import { computeMarket } from './processors/compute-market.js';
import type { JobRunner } from './runner.js';
import { jobMetrics } from './metrics.js';

/**
 * The embedded default's runner: the same processor as the BullMQ workers, run in this
 * process, one market at a time, markets deduplicated while queued.
 */
export function createInProcessRunner(store: Store, logger: Logger, compute: boolean): JobRunner {
  const pending = new Map<string, Partial<ModelParams> | undefined>();
  let running: Promise<void> | null = null;
  let closed = false;
  let seq = 0;

  const drain = async () => {
    while (pending.size > 0 && !closed) {
      const [market, params] = pending.entries().next().value as [string, Partial<ModelParams> | undefined];
      pending.delete(market);
      const stop = jobMetrics.duration.startTimer({ queue: 'in-process' });
      try {
        const r = await computeMarket(store, { market, params });
        jobMetrics.buckets.inc({ market }, r.buckets);
        logger.info({ at: 'jobs#in-process', market, buckets: r.buckets, rolledBack: r.rolledBack }, 'computed');
      } catch (e) {
        logger.error({ at: 'jobs#in-process', market, err: e }, 'compute failed; other markets go on');
      } finally {
        stop();
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
    async onIngested(result: BatchResult) {
      for (const t of result.touched) pending.set(t.market, pending.get(t.market));
      kick();
    },
    async recompute(market, params) {
      pending.set(market, params);
      kick();
      return `in-process-${++seq}`;
    },
    async ensureComputed(market, params) {
      await idle();
      await computeMarket(store, { market, params });
    },
    idle,
    async status() {
      return [{ name: 'in-process', counts: { waiting: pending.size, active: running ? 1 : 0 }, active: [], failed: [] }];
    },
    async close() {
      closed = true;
      await idle();
    },
  };
}
