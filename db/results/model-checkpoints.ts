import { sql } from 'kysely';
import type { Store } from '../store.js';
import { timestampText } from '../copy-csv.js';
import { copyClusters, type ClusterRow } from './clusters.js';
import { copyHeatmapRows, type HeatmapRow } from './heatmap-rows.js';
import { copyBucketInputs } from './bucket-inputs.js';
import type { BucketPart } from '../../engine/index.js';

/** A model state checkpoint: the state at the end of bucket `t`. */
export interface ModelCheckpoint {
  /** Bucket start, epoch ms. */
  readonly t: number;
  /** Serialised engine model state. */
  readonly state: string;
  readonly dataVersion: number;
}

/** Records a parameter set under its hash (idempotent). */
export async function saveModelParams(store: Store, paramsHash: string, params: unknown): Promise<void> {
  await sql`insert into model_params (params_hash, params) values (${paramsHash}, ${JSON.stringify(params)}::text::jsonb) on conflict do nothing`.execute(store.db);
}

/** The newest checkpoint of a market and parameter set, or null. */
export async function latestModelCheckpoint(store: Store, market: string, paramsHash: string): Promise<ModelCheckpoint | null> {
  const r = await store.db.selectFrom('model_checkpoints').select(['t', 'state', 'data_version']).where('market_id', '=', market).where('params_hash', '=', paramsHash).orderBy('t', 'desc').limit(1).executeTakeFirst();
  return r ? { t: r.t.getTime(), state: r.state, dataVersion: Number(r.data_version) } : null;
}

/** Time and data version of the newest checkpoint, without its state (hundreds of KB a read), or null. */
export async function newestCheckpointStamp(store: Store, market: string, paramsHash: string): Promise<{ t: number; dataVersion: number } | null> {
  const r = await store.db.selectFrom('model_checkpoints').select(['t', 'data_version']).where('market_id', '=', market).where('params_hash', '=', paramsHash).orderBy('t', 'desc').limit(1).executeTakeFirst();
  return r ? { t: r.t.getTime(), dataVersion: Number(r.data_version) } : null;
}

/**
 * Deletes results and checkpoints of a market and parameter set from `fromMs` on (late data
 * arrived there, or the range is recomputed). Returns the number of heatmap rows removed.
 */
export async function rollbackResults(store: Store, market: string, paramsHash: string, fromMs: number): Promise<number> {
  const from = timestampText(fromMs * 1000);
  return store.rawTransaction(async (tx) => {
    await tx.query(`delete from clusters where market_id = $1 and params_hash = $2 and t >= $3::text::timestamptz`, [market, paramsHash, from]);
    await tx.query(`delete from model_checkpoints where market_id = $1 and params_hash = $2 and t >= $3::text::timestamptz`, [market, paramsHash, from]);
    await tx.query(`delete from bucket_inputs where market_id = $1 and params_hash = $2 and t >= $3::text::timestamptz`, [market, paramsHash, from]);
    const r = await tx.query<{ n: number }>(`with d as (delete from heatmap_rows where market_id = $1 and params_hash = $2 and t >= $3::text::timestamptz returning 1) select count(*)::int as n from d`, [market, paramsHash, from]);
    return Number(r[0]?.n ?? 0);
  });
}

/** One chunk of computed results and the checkpoint after it. */
export interface ResultsChunk {
  readonly market: string;
  readonly paramsHash: string;
  readonly rows: readonly HeatmapRow[];
  readonly clusters: readonly ClusterRow[];
  readonly checkpoint: ModelCheckpoint;
  /** The bucket inputs of [fromMs, toMs) the rows were computed from (kept for the reference check). */
  readonly inputs?: { readonly fromMs: number; readonly toMs: number; readonly parts: readonly BucketPart[] } | undefined;
}

/**
 * Writes a chunk of heatmap rows and clusters (COPY) and its model checkpoint in one
 * transaction, so a restarted worker resumes exactly after the last committed chunk. Old
 * checkpoints are thinned to one per day plus the newest two.
 */
export async function commitResultsChunk(store: Store, c: ResultsChunk): Promise<void> {
  await store.rawTransaction(async (tx) => {
    await copyHeatmapRows(tx, c.market, c.paramsHash, c.rows);
    await copyClusters(tx, c.market, c.paramsHash, c.clusters);
    if (c.inputs) await copyBucketInputs(tx, c.market, c.paramsHash, c.inputs.fromMs, c.inputs.toMs, c.inputs.parts);
    await tx.query(
      `insert into model_checkpoints (market_id, params_hash, t, state, data_version) values ($1, $2, $3::text::timestamptz, $4, $5)
       on conflict (market_id, params_hash, t) do update set state = excluded.state, data_version = excluded.data_version`,
      [c.market, c.paramsHash, timestampText(c.checkpoint.t * 1000), c.checkpoint.state, c.checkpoint.dataVersion],
    );
    await tx.query(
      `delete from model_checkpoints m where market_id = $1 and params_hash = $2
         and t < (select min(t) from (select t from model_checkpoints where market_id = $1 and params_hash = $2 order by t desc limit 2) k)
         and exists (select 1 from model_checkpoints o where o.market_id = m.market_id and o.params_hash = m.params_hash
                     and date_trunc('day', o.t) = date_trunc('day', m.t) and o.t > m.t)`,
      [c.market, c.paramsHash],
    );
  });
}

/** The market's data version and the earliest late-data time, if any. */
export async function marketDataState(store: Store, market: string): Promise<{ version: number; dirtyFromMs: number | null } | null> {
  const r = await store.db.selectFrom('market_versions').select(['version', 'dirty_from']).where('market_id', '=', market).executeTakeFirst();
  return r ? { version: Number(r.version), dirtyFromMs: r.dirty_from ? r.dirty_from.getTime() : null } : null;
}

/**
 * Clears the late-data mark, but only if no batch landed since `version` was read (a batch
 * that lands while results are computed keeps the mark, so the next round rolls back).
 */
export async function clearDirty(store: Store, market: string, version: number): Promise<boolean> {
  const r = await sql<{ n: number }>`with u as (update market_versions set dirty_from = null where market_id = ${market} and version = ${version} returning 1) select count(*)::int as n from u`.execute(store.db);
  return Number(r.rows[0]?.n ?? 0) > 0;
}

/** Newest computed bucket per market and parameter set (freshness). */
export async function computedFreshness(store: Store): Promise<{ market: string; paramsHash: string; lastT: number; dataVersion: number }[]> {
  const r = await sql<{ market_id: string; params_hash: string; t: Date; data_version: string | number }>`
    select distinct on (market_id, params_hash) market_id, params_hash, t, data_version from model_checkpoints order by market_id, params_hash, t desc`.execute(store.db);
  return r.rows.map((x) => ({ market: x.market_id, paramsHash: x.params_hash, lastT: x.t.getTime(), dataVersion: Number(x.data_version) }));
}

/**
 * Records that a parameter set's newest checkpoint reflects the market's data up to `version`
 * (a round that found nothing to recompute), so the staleness check stops listing it.
 */
export async function markResultsCurrent(store: Store, market: string, paramsHash: string, version: number): Promise<void> {
  await sql`update model_checkpoints set data_version = ${version} where market_id = ${market} and params_hash = ${paramsHash} and data_version < ${version}
    and t = (select max(t) from model_checkpoints where market_id = ${market} and params_hash = ${paramsHash})`.execute(store.db);
}
