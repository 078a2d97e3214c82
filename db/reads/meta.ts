import { sql } from 'kysely';
import type { Store } from '../store.js';

/** Per ingest source: the newest committed checkpoint. */
export interface SourceFreshness {
  readonly sourceKey: string;
  readonly format: string;
  readonly rowsWritten: number;
  readonly done: boolean;
  /** When the source's last batch was committed. */
  readonly updatedAt: Date;
}

/** Per market: the newest event time of any kind and the data version. */
export interface MarketFreshness {
  readonly marketId: string;
  readonly version: number;
  readonly lastEventAt: Date | null;
  readonly updatedAt: Date;
}

/** The newest checkpoints (most recently updated first). */
export async function sourceFreshness(store: Store, limit = 100): Promise<SourceFreshness[]> {
  const rows = await store.db
    .selectFrom('ingest_checkpoints')
    .select(['source_key', 'format', 'rows_written', 'done', 'updated_at'])
    .orderBy('updated_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ sourceKey: r.source_key, format: r.format, rowsWritten: Number(r.rows_written), done: r.done, updatedAt: r.updated_at }));
}

/** Every market's data version and newest event time. */
export async function marketFreshness(store: Store): Promise<MarketFreshness[]> {
  const rows = await store.db.selectFrom('market_versions').select(['market_id', 'version', 'last_ts', 'updated_at']).orderBy('market_id').execute();
  return rows.map((r) => ({ marketId: r.market_id, version: Number(r.version), lastEventAt: r.last_ts, updatedAt: r.updated_at }));
}

/** Sum of every market's data version: changes whenever any market's data changes. */
export async function globalDataVersion(store: Store): Promise<number> {
  const r = await sql<{ v: string | number | null }>`select coalesce(sum(version), 0) as v from market_versions`.execute(store.db);
  return Number(r.rows[0]?.v ?? 0);
}

/** A range a live feed missed and REST history could not fill. */
export interface LiveGapRow {
  readonly marketId: string;
  readonly stream: string;
  readonly from: Date;
  readonly to: Date;
  readonly reason: string;
}

/** The newest recorded live-feed gaps (newest first). */
export async function liveGaps(store: Store, limit = 100): Promise<LiveGapRow[]> {
  const rows = await store.db.selectFrom('live_gaps').select(['market_id', 'stream', 'from_ts', 'to_ts', 'reason']).orderBy('from_ts', 'desc').limit(limit).execute();
  return rows.map((r) => ({ marketId: r.market_id, stream: r.stream, from: r.from_ts, to: r.to_ts, reason: r.reason }));
}
