import path from 'node:path';
import { sql } from 'kysely';
import { serviceUnavailable, withTimeout } from '../base/index.js';
import type { PgliteStoreOptions } from './dialects/pglite/pglite-store.js';
import { createPostgresStore } from './dialects/postgres/postgres-store.js';
import type { Store } from './store.js';

/** What {@link connect} needs to know: the two settings that pick the backend. */
export interface ConnectOptions {
  /** A postgres:// URL; absent selects the embedded PGlite. */
  readonly databaseUrl?: string | undefined;
  /** PGlite's data directory (`LIQMAP_DATA_DIR`); its database lives in `<dir>/pglite`. */
  readonly dataDir?: string | undefined;
  /** Pool size on Postgres. */
  readonly max?: number;
  /** Read-only transactions (Postgres only; the API process of a deployment). */
  readonly readOnly?: boolean;
}

/**
 * Opens the database: Postgres when `databaseUrl` is set, else the embedded PGlite.
 * The same migrations and queries run on both; this is the only place that chooses.
 */
export async function connect(options: ConnectOptions): Promise<Store> {
  if (options.databaseUrl) {
    const store = createPostgresStore({ url: options.databaseUrl, ...(options.max ? { max: options.max } : {}), ...(options.readOnly ? { readOnly: true } : {}) });
    await verifyPostgres(store, options.databaseUrl);
    return store;
  }
  const dataDir = path.resolve(options.dataDir ?? './.liqmap', 'pglite');
  return createPgliteStore({ dataDir });
}

/**
 * The embedded PGlite store, its modules (a WebAssembly Postgres and its dialect) loaded on the
 * first call: a command on Postgres never needs them (~30 ms of every start-up).
 */
export async function createPgliteStore(options: PgliteStoreOptions = {}): Promise<Store> {
  const pglite = await import('./dialects/pglite/pglite-store.js');
  return pglite.createPgliteStore(options);
}

/** Postgres error codes a user can fix, and what to do about each. */
const HINTS: Record<string, string> = {
  '3D000': 'create the database (createdb) or fix DATABASE_URL',
  '28P01': 'check the user and password in DATABASE_URL',
  '28000': 'the server refuses this user or host (pg_hba.conf)',
  ECONNREFUSED: 'start Postgres or fix the host and port in DATABASE_URL',
  ENOTFOUND: 'fix the host name in DATABASE_URL',
  TIMEOUT: 'the server does not answer: check the host, port and firewall',
};

/** Fails at once, in one line, when the database does not answer (postgres.js connects lazily). */
async function verifyPostgres(store: Store, url: string): Promise<void> {
  try {
    await withTimeout(sql`select 1`.execute(store.db), 10_000, () => Object.assign(new Error('no answer within 10 s'), { code: 'TIMEOUT' }));
  } catch (e) {
    await store.close().catch(() => {});
    const code = String((e as { code?: unknown }).code ?? (e as { errors?: { code?: unknown }[] }).errors?.[0]?.code ?? '');
    throw serviceUnavailable('Postgres', url, e, HINTS[code]);
  }
}
