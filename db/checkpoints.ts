import type { Selectable } from 'kysely';
import type { Database } from './schema.js';
import type { Store } from './store.js';

/** A stored ingest checkpoint. */
export interface Checkpoint {
  readonly sourceKey: string;
  readonly format: string;
  readonly fingerprint: string;
  readonly line: number;
  readonly rowsWritten: number;
  readonly rowsQuarantined: number;
  readonly state: unknown;
  readonly done: boolean;
  readonly updatedAt: Date;
}

type CheckpointRow = Selectable<Database['ingest_checkpoints']>;

function toCheckpoint(row: CheckpointRow): Checkpoint {
  return {
    sourceKey: row.source_key,
    format: row.format,
    fingerprint: row.fingerprint,
    line: Number(row.line),
    rowsWritten: Number(row.rows_written),
    rowsQuarantined: Number(row.rows_quarantined),
    state: typeof row.state === 'string' ? JSON.parse(row.state) : row.state,
    done: row.done,
    updatedAt: row.updated_at,
  };
}

/** The checkpoint of a source, or `undefined` if it was never ingested. */
export async function getCheckpoint(store: Store, sourceKey: string): Promise<Checkpoint | undefined> {
  const row = await store.db.selectFrom('ingest_checkpoints').selectAll().where('source_key', '=', sourceKey).executeTakeFirst();
  return row ? toCheckpoint(row) : undefined;
}

/** Every checkpoint, newest first (for `_meta` and `liqmap jobs`). */
export async function listCheckpoints(store: Store): Promise<Checkpoint[]> {
  const rows = await store.db.selectFrom('ingest_checkpoints').selectAll().orderBy('updated_at', 'desc').execute();
  return rows.map(toCheckpoint);
}
