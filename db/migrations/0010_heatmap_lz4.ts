import { sql, type Kysely } from 'kysely';

/** The heatmap rows' level arrays (each row's levels, OI profile and leverage layers). */
const ARRAY_COLUMNS = ['long', 'short', 'oi_long', 'oi_short', 'lev_long', 'lev_short'] as const;

/**
 * Heatmap rows' level arrays are compressed with lz4 instead of Postgres's default pglz. A row's
 * arrays are doubles (a few KB to tens of KB, past the 2 KB TOAST threshold), which pglz barely
 * shrinks (smooth spread levels: 91 → 80 MB over a day of rows) and pays for dearly: writing a
 * day of level-spread rows (1,440 rows of ~7,700 doubles) took 2.3-4.1 s with pglz against
 * 0.55-0.59 s with lz4 and 0.54 s uncompressed (alternated in one psql session, load ~10), which
 * made the level-spread prior's compute several times the sharp one's. Values already stored
 * keep their pglz compression (read as before); new ones are lz4. A server built without lz4
 * (lz4 is a build option; Postgres before 14 has no column compression) keeps pglz: the
 * migration is then a no-op.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // The server lists lz4 among default_toast_compression's values only when built with it (and
  // before Postgres 14 there is no such setting at all).
  const { rows } = await sql<{ lz4: boolean }>`select exists (select 1 from pg_settings where name = 'default_toast_compression' and 'lz4' = any (enumvals)) as lz4`.execute(db);
  if (!rows[0]?.lz4) return;
  await sql.raw(`alter table heatmap_rows ${ARRAY_COLUMNS.map((c) => `alter column ${c} set compression lz4`).join(', ')}`).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`alter table heatmap_rows ${ARRAY_COLUMNS.map((c) => `alter column ${c} set compression default`).join(', ')}`).execute(db);
}
