import { sql } from 'kysely';
import type { Store } from '../store.js';

/** A persisted check of served results (`check: true`). */
export interface ResultCheckRow {
  readonly id: string;
  readonly market: string;
  readonly paramsHash: string;
  readonly dataVersion: number;
  /** The GraphQL field checked (heatmap, openInterestHeatmap, liquidationMap, clusters). */
  readonly field: string;
  readonly windowFromMs: number;
  readonly windowToMs: number;
  /** What was compared (shape of the served cells), as the check reports it. */
  readonly cells: unknown;
  readonly status: 'PENDING' | 'DONE' | 'FAILED';
  readonly verdict: unknown;
  readonly error: string | null;
  readonly createdAt: number;
}

/** Records a check as pending (a no-op when it exists already). */
export async function insertPendingCheck(store: Store, c: Omit<ResultCheckRow, 'status' | 'verdict' | 'error' | 'createdAt'>): Promise<void> {
  await sql`insert into result_checks (id, market_id, params_hash, data_version, field, window_from, window_to, cells, status)
    values (${c.id}, ${c.market}, ${c.paramsHash}, ${c.dataVersion}, ${c.field}, ${new Date(c.windowFromMs)}, ${new Date(c.windowToMs)}, ${JSON.stringify(c.cells)}::text::jsonb, 'PENDING')
    on conflict (id) do nothing`.execute(store.db);
}

/** Stores a check's outcome: its verdict, or the error that stopped it. */
export async function finishCheck(store: Store, id: string, outcome: { verdict: unknown } | { error: string }): Promise<void> {
  if ('verdict' in outcome) await sql`update result_checks set status = 'DONE', verdict = ${JSON.stringify(outcome.verdict)}::text::jsonb, error = null, finished_at = now() where id = ${id}`.execute(store.db);
  else await sql`update result_checks set status = 'FAILED', error = ${outcome.error.slice(0, 2000)}, finished_at = now() where id = ${id}`.execute(store.db);
}

/** A persisted check by id, or null. */
export async function readCheck(store: Store, id: string): Promise<ResultCheckRow | null> {
  const r = await sql<{ id: string; market_id: string; params_hash: string; data_version: string | number; field: string; window_from: Date; window_to: Date; cells: unknown; status: string; verdict: unknown; error: string | null; created_at: Date }>`
    select * from result_checks where id = ${id}`.execute(store.db);
  const x = r.rows[0];
  if (!x) return null;
  const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
  return {
    id: x.id,
    market: x.market_id,
    paramsHash: x.params_hash,
    dataVersion: Number(x.data_version),
    field: x.field,
    windowFromMs: x.window_from.getTime(),
    windowToMs: x.window_to.getTime(),
    cells: json(x.cells),
    status: x.status as ResultCheckRow['status'],
    verdict: json(x.verdict),
    error: x.error,
    createdAt: x.created_at.getTime(),
  };
}
