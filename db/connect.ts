import path from 'node:path';
import { createPgliteStore } from './dialects/pglite/pglite-store.js';
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
    return createPostgresStore({ url: options.databaseUrl, ...(options.max ? { max: options.max } : {}), ...(options.readOnly ? { readOnly: true } : {}) });
  }
  const dataDir = path.resolve(options.dataDir ?? './.liqmap', 'pglite');
  return createPgliteStore({ dataDir });
}
