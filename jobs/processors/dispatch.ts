import type { Job } from 'bullmq';
import { sql } from 'kysely';
import type { Store } from '../../db/index.js';
import { computeMarket, type ComputeOutcome } from './compute-market.js';
import type { ComputeJobData, JobName } from '../queues.js';

/** Markets whose results are behind their data (new or late data since the last compute). */
export async function staleMarkets(store: Store): Promise<string[]> {
  const r = await sql<{ market_id: string }>`
    select v.market_id from market_versions v
    left join lateral (select max(data_version) as dv from model_checkpoints c where c.market_id = v.market_id) c on true
    where v.dirty_from is not null or c.dv is null or c.dv < v.version`.execute(store.db);
  return r.rows.map((x) => x.market_id);
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
export async function processJob(store: Store, job: Pick<Job, 'name' | 'data' | 'updateProgress'>, opts: { retentionDays: number; enqueue?: (markets: string[]) => Promise<void> }): Promise<unknown> {
  const name = job.name as JobName;
  const data = job.data as ComputeJobData;
  switch (name) {
    case 'compute':
    case 'compute-until':
      return recordRun(store, data.market, () =>
        computeMarket(store, { market: data.market, params: data.params, untilMs: name === 'compute-until' ? data.untilMs : undefined }, (done, total) => job.updateProgress(total > 0 ? Math.round((100 * done) / total) : 100)),
      );
    case 'backfill':
      await job.updateProgress(100);
      return { market: data.market, done: true };
    case 'refresh': {
      const markets = await staleMarkets(store);
      await opts.enqueue?.(markets);
      return { enqueued: markets };
    }
    case 'prune':
      return { removed: await pruneResults(store, opts.retentionDays) };
    default:
      throw new Error(`unknown job name ${String(name)}`);
  }
}
