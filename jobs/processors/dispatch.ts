import { UnrecoverableError, type Job } from 'bullmq';
import { sql } from 'kysely';
import { z } from 'zod';
import { staleResultSets, type Store } from '../../db/index.js';
import { EngineError } from '../../engine/index.js';
import { computeMarket, type ComputeOutcome } from './compute-market.js';
import type { ComputeJobData, JobName } from '../queues.js';

/**
 * Markets whose results are behind their data under any persisted parameter set (new or late
 * data since that set was computed), and markets with data but no results yet. A market's
 * compute job brings every persisted set of it up to date.
 */
export async function staleMarkets(store: Store): Promise<string[]> {
  return [...new Set((await staleResultSets(store)).map((x) => x.market))];
}

const computeData = z.object({
  market: z.string().min(1),
  params: z.record(z.string(), z.unknown()).optional(),
  untilMs: z.number().finite().optional(),
});

/**
 * A compute job's data, parsed; invalid data (or parameters the engine rejects) fails the job
 * for good — retrying the same input five times cannot help.
 */
function parseComputeData(name: string, data: unknown): z.infer<typeof computeData> {
  const r = computeData.safeParse(data);
  if (!r.success) throw new UnrecoverableError(`invalid ${name} job data: ${r.error.issues.map((i) => `${i.path.join('.') || 'data'}: ${i.message}`).join('; ')}`);
  if (name === 'compute-until' && r.data.untilMs === undefined) throw new UnrecoverableError('invalid compute-until job data: untilMs: required');
  return r.data;
}

/** Deletes computed results older than `days` (0 keeps everything); returns rows removed. */
export async function pruneResults(store: Store, days: number): Promise<number> {
  if (days <= 0) return 0;
  const r = await sql<{ n: number }>`with a as (delete from heatmap_rows where t < now() - make_interval(days => ${days}) returning 1),
      b as (delete from clusters where t < now() - make_interval(days => ${days}) returning 1)
    select ((select count(*) from a) + (select count(*) from b))::int as n`.execute(store.db);
  return Number(r.rows[0]?.n ?? 0);
}

/** Records one processor run (its input and, on failure, its error) in `job_runs`. */
async function recordRun<T extends ComputeOutcome>(store: Store, market: string, run: () => Promise<T>): Promise<T> {
  const started = new Date();
  try {
    const out = await run();
    await sql`insert into job_runs (market_id, params_hash, started_at, finished_at, buckets, status) values (${market}, ${out.paramsHash}, ${started}, now(), ${out.buckets}, 'completed')`.execute(store.db);
    return out;
  } catch (e) {
    await sql`insert into job_runs (market_id, params_hash, started_at, finished_at, buckets, status, error) values (${market}, '', ${started}, now(), 0, 'failed', ${String((e as Error).stack ?? e).slice(0, 4000)})`.execute(store.db).catch(() => {});
    throw e;
  }
}

/**
 * The work of a compute-queue job by name, as a plain async function of the job: the BullMQ
 * worker (in-thread or sandboxed) and tests call the same code. `enqueue` lets `refresh` add
 * compute jobs.
 */
export async function processJob(store: Store, job: Pick<Job, 'name' | 'data' | 'updateProgress'> & { id?: string | undefined }, opts: { retentionDays: number; enqueue?: (markets: string[]) => Promise<void> }): Promise<unknown> {
  const name = job.name as JobName;
  switch (name) {
    case 'compute':
    case 'compute-until': {
      const data = parseComputeData(name, job.data);
      // One round: a trigger landing meanwhile is the job's follow-up (the queue keeps it while
      // this one is active), so a live market's job returns as soon as its round is committed.
      try {
        return await recordRun(store, data.market, () =>
          computeMarket(store, { market: data.market, params: data.params, untilMs: name === 'compute-until' ? data.untilMs : undefined, jobId: job.id, once: true }, (done, total) => job.updateProgress(total > 0 ? Math.round((100 * done) / total) : 100)),
        );
      } catch (e) {
        if (e instanceof EngineError && e.code === 'INPUT_INVALID') throw new UnrecoverableError(e.message);
        throw e;
      }
    }
    case 'backfill':
      await job.updateProgress(100);
      return { market: (job.data as ComputeJobData).market, done: true };
    case 'refresh': {
      const markets = await staleMarkets(store);
      await opts.enqueue?.(markets);
      return { enqueued: markets };
    }
    case 'prune':
      return { removed: await pruneResults(store, opts.retentionDays) };
    default:
      throw new UnrecoverableError(`unknown job name ${String(name)}`);
  }
}
