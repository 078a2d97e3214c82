import { Migrator, sql, type MigrationResultSet } from 'kysely';
import { LiqmapError } from '../base/index.js';
import { migrations } from './migrations/index.js';
import { isConnectionLoss, withReconnect } from './reconnect.js';
import type { Store } from './store.js';
import { quoteIdent } from './sql-ident.js';

/** Outcome of {@link migrateToLatest}: the names of the migrations that ran now. */
export interface MigrateOutcome {
  readonly applied: readonly string[];
}

/**
 * Brings the store's schema to the newest migration with Kysely's Migrator (its bookkeeping
 * tables live in the same schema). Throws with the failing migration's name; never leaves a
 * half-applied migration (each runs in a transaction).
 */
export async function migrateToLatest(store: Store): Promise<MigrateOutcome> {
  // Every command migrates first, and the schema is almost always current: one read of the
  // executed names then, instead of the Migrator's catalog reads, lock and listing (a dozen
  // round trips, 0.1-0.4 s of a `liqmap ingest` under load). Anything else takes the Migrator.
  if (await isUpToDate(store)) return { applied: [] };
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => migrations },
    migrationTableSchema: store.schema,
  });
  // A connection lost meanwhile (Postgres restarted after the connection check): again once it is
  // back. Safe: a migration that was cut rolled back with its transaction.
  const result = await withReconnect(async () => {
    await sql.raw(`create schema if not exists ${quoteIdent(store.schema)}`).execute(store.db);
    // Kysely's migrator reads the catalog of every schema; one dropped by another process between
    // its listing and `has_schema_privilege` fails the read with 3F000 naming that other schema.
    // Nothing was migrated then: read again.
    let r: MigrationResultSet = await migrator.migrateToLatest();
    for (let i = 0; i < 5 && isOtherSchemaDropped(r.error, store.schema); i++) r = await migrator.migrateToLatest();
    if (isConnectionLoss(r.error)) throw r.error;
    return r;
  });
  const failed = result.results?.find((r) => r.status === 'Error');
  if (result.error || failed) {
    const cause = result.error instanceof Error ? result.error.message : String(result.error);
    throw new LiqmapError('MIGRATION_FAILED', `migration ${failed?.migrationName ?? '(unknown)'} failed: ${cause.split('\n')[0]}`, { migration: failed?.migrationName }, result.error);
  }
  return { applied: (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

/**
 * Whether the store has run exactly the known migrations: each is recorded in the Migrator's
 * table in the transaction that ran it, so a complete list means every one committed. A
 * missing table, a lost connection, a name unknown here (a newer liqmap migrated) or a
 * missing one: false, and the Migrator decides.
 */
async function isUpToDate(store: Store): Promise<boolean> {
  try {
    const { rows } = await sql<{ name: string }>`select name from ${sql.table(`${store.schema}.${MIGRATION_TABLE}`)}`.execute(store.db);
    const known = Object.keys(migrations);
    return rows.length === known.length && rows.every((r) => Object.hasOwn(migrations, r.name));
  } catch {
    return false;
  }
}

/** Kysely's Migrator's default table of executed migrations. */
const MIGRATION_TABLE = 'kysely_migration';

function isOtherSchemaDropped(error: unknown, schema: string): boolean {
  if (!(error instanceof Error) || (error as { code?: unknown }).code !== '3F000') return false;
  return !error.message.includes(`"${schema}"`);
}
