import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlowProducer, Queue, Worker, type ConnectionOptions, type FlowJob, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { BatchResult } from '../db/index.js';
import type { ModelParams } from '../engine/index.js';
import { processJob } from './processors/dispatch.js';
import { backfillStepId, COMPUTE_QUEUE, computeJobId, MAINTENANCE_QUEUE, RETRY, type ComputeJobData } from './queues.js';
import type { JobRunner, JobRunnerOptions, JobSummary, QueueStatus } from './runner.js';
import { jobMetrics } from './metrics.js';
import { requestedParamsHash, servedParamSets } from './served-sets.js';

const SANDBOX = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sandbox/processor.mjs');

/** A BullMQ runner plus what only it can do (backfill flows, schedulers). */
export interface BullmqRunner extends JobRunner {
  /** Backfill a market's range as a flow: a parent job over one child per day, in order. */
  backfill(market: string, fromMs: number, toMs: number, params?: Partial<ModelParams>): Promise<string>;
  /** Progress of a backfill parent: children done / total. */
  backfillProgress(id: string): Promise<{ done: number; total: number; state: string } | null>;
}

/**
 * BullMQ on Redis. Producers (`enqueue-only`) add one job per touched market with a
 * deterministic id, so bursts collapse and a market is never computed twice at once; workers
 * (`work`) run the compute processor — sandboxed in worker threads by default — with
 * exponential-backoff retries, plus job schedulers that re-enqueue stale markets every minute
 * and prune old results daily.
 */
export async function createBullmqRunner(opts: JobRunnerOptions & { redisUrl: string }): Promise<BullmqRunner> {
  const { store, logger, config } = opts;
  const connection = new Redis(opts.redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
  const prefix = config.LIQMAP_QUEUE_PREFIX;
  const conn = connection as unknown as ConnectionOptions;
  const compute = new Queue<ComputeJobData>(COMPUTE_QUEUE, { connection: conn, prefix });
  const maintenance = new Queue(MAINTENANCE_QUEUE, { connection: conn, prefix });
  const flows = new FlowProducer({ connection: conn, prefix });
  const workers: Worker[] = [];
  const retentionDays = config.LIQMAP_RETENTION_DAYS;

  const served = servedParamSets(config);
  const enqueue = async (market: string, params?: Partial<ModelParams>): Promise<string> => {
    const id = computeJobId(market, requestedParamsHash(params));
    const existing = await compute.getJob(id);
    if (existing && (await existing.getState()) === 'failed') {
      // The failure is kept in job_runs (error and input); new data gets a fresh attempt.
      await existing.remove();
    }
    await compute.add('compute', { market, ...(params && Object.keys(params).length > 0 ? { params: params as Record<string, unknown> } : {}) }, { jobId: id, ...RETRY, removeOnComplete: true, removeOnFail: false });
    return id;
  };
  // New data concerns every set the workers keep computed: the default and the presets.
  const enqueueServed = async (market: string) => {
    for (const p of served) await enqueue(market, p);
  };

  if (opts.mode === 'work') {
    const sandboxed = opts.sandboxed ?? true;
    if (sandboxed && !config.DATABASE_URL) throw new Error('sandboxed workers need DATABASE_URL (Postgres): PGlite cannot be shared across threads');
    const inline = (job: Job) => processJob(store, job, { retentionDays });
    const computeWorker = new Worker(COMPUTE_QUEUE, sandboxed ? SANDBOX : inline, {
      connection: conn,
      prefix,
      concurrency: opts.concurrency ?? 2,
      useWorkerThreads: sandboxed,
      // The thread opens its own connection: hand it this process's database settings.
      ...(sandboxed ? { workerThreadsOptions: { env: { ...process.env, DATABASE_URL: config.DATABASE_URL, LIQMAP_RETENTION_DAYS: String(retentionDays) } } } : {}),
    });
    const maintenanceWorker = new Worker(
      MAINTENANCE_QUEUE,
      (job: Job) =>
        processJob(store, job, {
          retentionDays,
          enqueue: async (markets) => {
            for (const m of markets) await enqueueServed(m);
          },
        }),
      { connection: conn, prefix, concurrency: 1 },
    );
    for (const w of [computeWorker, maintenanceWorker]) {
      w.on('failed', (job, err) => {
        jobMetrics.failures.inc({ queue: w.name });
        logger.warn({ at: 'jobs#worker', queue: w.name, job: job?.id, attempts: job?.attemptsMade, err }, 'job failed');
      });
      w.on('completed', (job) => {
        const ms = (job.finishedOn ?? Date.now()) - (job.processedOn ?? Date.now());
        jobMetrics.duration.observe({ queue: w.name }, ms / 1000);
        const r = job.returnvalue as { buckets?: number; market?: string } | undefined;
        if (r?.market && r.buckets) jobMetrics.buckets.inc({ market: r.market }, r.buckets);
      });
      w.on('error', (err) => logger.error({ at: 'jobs#worker', err }, 'worker error'));
      workers.push(w);
    }
    await maintenance.upsertJobScheduler('refresh-stale-markets', { every: 60_000 }, { name: 'refresh' });
    await maintenance.upsertJobScheduler('prune-old-results', { pattern: '17 3 * * *' }, { name: 'prune' });
  }

  const status = async (): Promise<QueueStatus[]> => {
    const out: QueueStatus[] = [];
    for (const q of [compute, maintenance]) {
      const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'waiting-children');
      for (const [state, n] of Object.entries(counts)) jobMetrics.depth.set({ queue: q.name, state }, n);
      const summary = (j: Job): JobSummary => ({
        id: String(j.id),
        name: j.name,
        market: (j.data as { market?: string }).market ?? null,
        progress: typeof j.progress === 'number' ? j.progress : 0,
        attempts: j.attemptsMade,
        error: j.failedReason ?? null,
      });
      out.push({ name: q.name, counts, active: (await q.getActive(0, 50)).map(summary), failed: (await q.getFailed(0, 50)).map(summary) });
    }
    return out;
  };

  return {
    kind: 'bullmq',
    canCompute: true,
    async onIngested(result: BatchResult) {
      for (const t of result.touched) await enqueueServed(t.market);
    },
    recompute: enqueue,
    async ping() {
      await connection.ping();
    },
    status,
    async idle() {
      for (;;) {
        const c = await compute.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
        if (Object.values(c).every((n) => n === 0)) return;
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async backfill(market, fromMs, toMs, params) {
      const day = 86_400_000;
      let child: FlowJob | undefined;
      // Nested so that day N runs only after day N−1: children complete before their parent.
      for (let d = Math.floor(fromMs / day) * day; d <= toMs; d += day) {
        const node: FlowJob = { name: 'compute-until', queueName: COMPUTE_QUEUE, data: { market, untilMs: Math.min(d + day - 1, toMs), ...(params ? { params } : {}) }, opts: { jobId: backfillStepId(market, d), ...RETRY } };
        child = child ? { ...node, children: [child] } : node;
      }
      const parentId = `backfill~${market.replaceAll(':', '~')}~${fromMs}~${toMs}`;
      await flows.add({ name: 'backfill', queueName: COMPUTE_QUEUE, data: { market }, opts: { jobId: parentId }, ...(child ? { children: [child] } : {}) });
      return parentId;
    },
    async backfillProgress(id) {
      const job = await compute.getJob(id);
      if (!job) return null;
      const state = await job.getState();
      let done = 0;
      let total = 0;
      // Walk the chain of single children down to the first day.
      let cur: Job | undefined = job;
      while (cur) {
        const deps: { processed?: Record<string, unknown>; unprocessed?: string[] } = await cur.getDependencies();
        const keys = [...Object.keys(deps.processed ?? {}), ...(deps.unprocessed ?? [])];
        if (keys.length === 0) break;
        total++;
        if (Object.keys(deps.processed ?? {}).length > 0) done++;
        const childId: string = keys[0]!.split(':').at(-1)!;
        cur = await compute.getJob(childId);
      }
      if (state === 'completed') done = total;
      return { done, total, state };
    },
    async close() {
      for (const w of workers) await w.close();
      await flows.close();
      await compute.close();
      await maintenance.close();
      await connection.quit().catch(() => {});
    },
  };
}
