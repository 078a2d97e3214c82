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

function isOtherSchemaDropped(error: unknown, schema: string): boolean {
  if (!(error instanceof Error) || (error as { code?: unknown }).code !== '3F000') return false;
  return !error.message.includes(`"${schema}"`);
}
