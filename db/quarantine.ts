import type { Store } from './store.js';

/** A quarantined row as stored. */
export interface QuarantineEntry {
  readonly sourceKey: string;
  readonly file: string;
  readonly line: number;
  readonly field: string | null;
  readonly reason: string;
  readonly raw: string;
}

/** Quarantined rows, optionally of one source, in file/line order. */
export async function listQuarantine(store: Store, sourceKey?: string, limit = 1000): Promise<QuarantineEntry[]> {
  let q = store.db.selectFrom('quarantine').selectAll();
  if (sourceKey) q = q.where('source_key', '=', sourceKey);
  const rows = await q.orderBy('source_key').orderBy('line').limit(limit).execute();
  return rows.map((r) => ({
    sourceKey: r.source_key,
    file: r.file,
    line: Number(r.line),
    field: r.field,
    reason: r.reason,
    raw: r.raw,
  }));
}
