import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { createPgliteStore, createPostgresStore, migrateToLatest, type Store } from '../../db/index.js';

/** The real Postgres the tests use (trust auth on the test machines). */
export const TEST_PG_URL = process.env.LIQMAP_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** `../shared/data` beside the project root, or null when absent (tests then skip, saying so). */
export const SHARED_DATA: string | null = (() => {
  const p = path.resolve(process.cwd(), '../shared/data');
  return existsSync(p) ? p : null;
})();

/** A store on its own fresh schema of the real Postgres; `drop()` removes the schema. */
export interface TestStore {
  readonly store: Store;
  readonly schema: string;
  readonly url: string;
  drop(): Promise<void>;
}

/** A unique schema name per call, so test files run in parallel without sharing data. */
export function uniqueName(prefix: string): string {
  // The run id (test/_setup/global.ts) lets the run's teardown find whatever a test left.
  return `${prefix}_${process.env.LIQMAP_TEST_RUN ?? 'x'}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Creates a migrated store on a new schema of the real Postgres. */
export async function createTestStore(options: { migrate?: boolean } = {}): Promise<TestStore> {
  const schema = uniqueName('t');
  const url = `${TEST_PG_URL}${TEST_PG_URL.includes('?') ? '&' : '?'}schema=${schema}`;
  const store = createPostgresStore({ url, max: 4 });
  if (options.migrate !== false) await migrateToLatest(store);
  return {
    store,
    schema,
    url,
    async drop() {
      await store.close();
      const sql = postgres(TEST_PG_URL, { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`drop schema if exists "${schema}" cascade`);
      } finally {
        await sql.end();
      }
    },
  };
}

/** Creates a migrated in-memory PGlite store (the embedded default's code path). */
export async function createPgliteTestStore(): Promise<Store> {
  const store = await createPgliteStore();
  await migrateToLatest(store);
  return store;
}
