import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlowProducer, Queue, Worker, type ConnectionOptions, type FlowJob, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { LiqmapError, maskUrl, serviceUnavailable, withTimeout } from '../base/index.js';
import { computedFreshness, marketFreshness, releaseLeaseOfJob, type BatchResult, type Store } from '../db/index.js';
import type { ModelParams } from '../engine/index.js';
import { processJob } from './processors/dispatch.js';
import { backfillStepId, COMPUTE_QUEUE, computeJobId, MAINTENANCE_QUEUE, KEPT_FAILED_JOBS, RETRY, uniqueJobId, type ComputeJobData } from './queues.js';
import type { JobProgress, JobRunner, JobRunnerOptions, JobSummary, QueueStatus } from './runner.js';
import { jobMetrics } from './metrics.js';
import { requestedParamsHash, servedParamSets } from './served-sets.js';

const SANDBOX = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sandbox/processor.mjs');

/** How long a producer's Redis command may wait (Redis down: a clear error, never a hang). */
const COMMAND_TIMEOUT_MS = 15_000;

/** Reconnect backoff: 200 ms, 400 ms, … capped at 5 s, forever (a restarted Redis is picked up). */
const retryStrategy = (times: number) => Math.min(times * 200, 5_000);

/** Sets `liqmap_compute_lag_seconds` for a market: its newest event minus its newest computed bucket. */
async function updateLag(store: Store, market: string): Promise<void> {
  const [events, computed] = await Promise.all([marketFreshness(store), computedFreshness(store)]);
  const last = events.find((m) => m.marketId === market)?.lastEventAt?.getTime();
  const done = Math.max(...computed.filter((c) => c.market === market).map((c) => c.lastT));
  // Event time, not wall-clock time: historical data that is fully computed has lag 0.
  if (last !== undefined && Number.isFinite(done)) jobMetrics.lag.set({ market }, Math.max(0, (last - done) / 1000));
}

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
  const connection = new Redis(opts.redisUrl, { maxRetriesPerRequest: null, lazyConnect: false, retryStrategy, connectTimeout: 5_000 });
  const prefix = config.LIQMAP_QUEUE_PREFIX;
  const redisDown = (cause: unknown) => serviceUnavailable('Redis', opts.redisUrl, cause, 'start Redis or fix REDIS_URL');
  const timed = async <T>(p: Promise<T>, what: string): Promise<T> => {
    if (down) {
      p.catch(() => {}); // queued offline; ioredis sends it if Redis comes back
      throw redisDown(lastCause);
    }
    // A refused connection fails the command at once; a silent one after the timeout.
    let onError: ((e: unknown) => void) | undefined;
    const refused = new Promise<never>((_, reject) => {
      onError = (e) => reject(redisDown(e));
      connection.once('error', onError);
    });
    refused.catch(() => {});
    try {
      return await withTimeout(Promise.race([p, refused]), COMMAND_TIMEOUT_MS, () => redisDown(lastCause ?? new Error(`${what}: no answer within ${COMMAND_TIMEOUT_MS / 1000} s`)));
    } finally {
      connection.removeListener('error', onError!);
    }
  };
  // One log line per outage and one per recovery (ioredis reports every reconnect attempt).
  let down = false;
  let lastCause: unknown = null;
  connection.on('error', (err) => {
    lastCause = err;
    if (down) return;
    down = true;
    if (opts.logOutages !== false) logger.warn({ at: 'jobs#redis', service: 'redis', url: maskUrl(opts.redisUrl), cause: String((err as Error).message ?? err) }, 'Redis unreachable; reconnecting with backoff');
  });
  connection.on('ready', () => {
    if (down) logger.info({ at: 'jobs#redis', service: 'redis', url: maskUrl(opts.redisUrl) }, 'Redis reconnected');
    down = false;
    // A Redis restarted without persistence lost the job schedulers: the workers put them back.
    if (opts.mode === 'work') void registerSchedulers().catch((e: unknown) => logger.warn({ at: 'jobs#redis', err: e }, 'could not re-register job schedulers'));
  });
  const conn = connection as unknown as ConnectionOptions;
  const compute = new Queue<ComputeJobData>(COMPUTE_QUEUE, { connection: conn, prefix });
  const maintenance = new Queue(MAINTENANCE_QUEUE, { connection: conn, prefix });
  const flows = new FlowProducer({ connection: conn, prefix });
  const workers: Worker[] = [];
  const retentionDays = config.LIQMAP_RETENTION_DAYS;
  const onQueueError = (err: Error) => (down ? undefined : logger.warn({ at: 'jobs#queue', err }, 'queue error'));
  compute.on('error', onQueueError);
  maintenance.on('error', onQueueError);
  flows.on('error', onQueueError);
  const registerSchedulers = async () => {
    await maintenance.upsertJobScheduler('refresh-stale-markets', { every: 60_000 }, { name: 'refresh' });
    await maintenance.upsertJobScheduler('prune-old-results', { pattern: '17 3 * * *' }, { name: 'prune' });
  };

  const served = servedParamSets(config);
  const enqueue = async (market: string, params?: Partial<ModelParams>): Promise<string> => {
    const key = computeJobId(market, requestedParamsHash(params));
    // One waiting job per market and set (a burst collapses into it), and a trigger that
    // arrives while that job is active is kept as its one follow-up (BullMQ's
    // keepLastIfActive) instead of being dropped: so a job runs one round over the data as it
    // stands and returns, and the data that landed meanwhile is the next job's.
    const job = await timed(
      compute.add('compute', { market, ...(params && Object.keys(params).length > 0 ? { params: params as Record<string, unknown> } : {}) }, { jobId: uniqueJobId(key), deduplication: { id: key, keepLastIfActive: true }, ...RETRY, removeOnComplete: true, removeOnFail: { count: KEPT_FAILED_JOBS } }),
      'enqueue',
    );
    // A deduplicated add answers with the job it joined (waiting or active).
    return job.id ?? key;
  };
  // New data concerns every set the workers keep computed: the default and the presets.
  const enqueueServed = async (market: string) => {
    for (const p of served) await enqueue(market, p);
  };

  if (opts.mode === 'work') {
    const sandboxed = opts.sandboxed ?? true;
    if (sandboxed && !config.DATABASE_URL) throw new LiqmapError('CONFIG_INVALID', 'sandboxed workers need DATABASE_URL (Postgres): PGlite cannot be shared across threads');
    const inline = (job: Job) => processJob(store, job, { retentionDays });
    // A killed worker's jobs go back to the queue once its lock expires and a check runs.
    const stallTimes = { lockDuration: config.LIQMAP_JOB_LOCK_MS, stalledInterval: config.LIQMAP_JOB_STALLED_CHECK_MS };
    const computeWorker = new Worker(COMPUTE_QUEUE, sandboxed ? SANDBOX : inline, {
      connection: conn,
      prefix,
      concurrency: opts.concurrency ?? 2,
      ...stallTimes,
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
      { connection: conn, prefix, concurrency: 1, ...stallTimes },
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
        if (r?.market) void updateLag(store, r.market).catch((e: unknown) => logger.debug({ at: 'jobs#worker', err: e }, 'lag not updated'));
      });
      // While Redis is down the outage is logged once (above), not once per reconnect attempt.
      w.on('error', (err) => (down ? undefined : logger.error({ at: 'jobs#worker', err }, 'worker error')));
      // A job whose worker died: free its market's lease now instead of when it expires (~2 min).
      w.on('stalled', (jobId) => {
        void (async () => {
          const job = await compute.getJob(jobId);
          const market = (job?.data as { market?: string } | undefined)?.market;
          if (market && (await releaseLeaseOfJob(store, market, jobId)) > 0) logger.warn({ at: 'jobs#worker', job: jobId, market }, 'stalled job: released its compute lease');
        })().catch((e: unknown) => logger.warn({ at: 'jobs#worker', job: jobId, err: e }, 'could not release the lease of a stalled job'));
      });
      workers.push(w);
    }
    // Registered on every (re)connect; waited for here only while Redis answers.
    await withTimeout(registerSchedulers(), 5_000, () => new Error("timeout")).catch(() => {});
    logger.info({ at: 'jobs#work', redis: maskUrl(opts.redisUrl), prefix }, `serving queues under the Redis prefix "${prefix}"`);
  }

  const status = async (): Promise<QueueStatus[]> => {
    const out: QueueStatus[] = [];
    for (const q of [compute, maintenance]) {
      const counts = await timed(q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'waiting-children'), 'queue status');
      for (const [state, n] of Object.entries(counts)) jobMetrics.depth.set({ queue: q.name, state }, n);
      const summary = (j: Job): JobSummary => ({
        id: String(j.id),
        name: j.name,
        market: (j.data as { market?: string }).market ?? null,
        progress: typeof j.progress === 'number' ? j.progress : 0,
        attempts: j.attemptsMade,
        error: j.failedReason ?? null,
      });
      out.push({ name: q.name, counts, active: (await timed(q.getActive(0, 50), 'queue status')).map(summary), failed: (await timed(q.getFailed(0, 50), 'queue status')).map(summary) });
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
      if (down) throw redisDown(lastCause ?? new Error('disconnected'));
      await timed(connection.ping(), 'PING');
    },
    status,
    async job(id) {
      const job = await timed(compute.getJob(id), 'job status');
      if (!job) return null;
      const raw = await timed(job.getState(), 'job status');
      // Delayed is a retry waiting for its backoff; prioritised and waiting-children wait too.
      const state: JobProgress['state'] = raw === 'active' || raw === 'completed' || raw === 'failed' ? raw : 'waiting';
      return { id, state, progress: typeof job.progress === 'number' ? job.progress : 0, attempts: job.attemptsMade };
    },
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
      // With Redis down nothing is left to flush: drop the connections instead of waiting.
      const graceful = async () => {
        for (const w of workers) await w.close();
        await flows.close();
        await compute.close();
        await maintenance.close();
        await connection.quit();
      };
      await withTimeout(down ? Promise.reject(new Error('down')) : graceful(), 10_000, () => new Error('close timed out')).catch(() => {
        for (const w of workers) void w.close(true).catch(() => {});
        connection.disconnect();
      });
    },
  };
}
