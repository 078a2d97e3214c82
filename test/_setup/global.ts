import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import postgres from 'postgres';

/**
 * Once per `vitest run`: a run id that every test's schema and queue prefix carry
 * (`t_<run>_…`, `lqtest_<run>_…`), and a temporary directory of the run's own (TMPDIR, inherited
 * by test workers and the CLIs they spawn). Teardown removes all three — whatever a test left
 * behind — without touching another run's on the same Postgres and Redis.
 */
export default function setup(): () => Promise<void> {
  // Vitest calls a root globalSetup once more per project (projects extend the root config):
  // one run id and one directory for the whole run, torn down once.
  if (process.env.LIQMAP_TEST_RUN_OWNER === String(process.pid)) return async () => {};
  process.env.LIQMAP_TEST_RUN_OWNER = String(process.pid);
  const run = randomBytes(3).toString('hex');
  const dir = mkdtempSync(path.join(tmpdir(), `liqmap-test-${run}-`));
  // Like /tmp itself: throwaway servers run as another OS user (postgres) create their dirs here.
  chmodSync(dir, 0o1777);
  process.env.LIQMAP_TEST_RUN = run;
  process.env.TMPDIR = dir;
  return async () => {
    rmSync(dir, { recursive: true, force: true });
    const redis = new Redis(process.env.LIQMAP_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `lqtest_${run}_*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    } catch {
      // No Redis: nothing was left there.
    } finally {
      redis.disconnect();
    }
    const sql = postgres(process.env.LIQMAP_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', { max: 1, onnotice: () => {} });
    try {
      const left = await sql<{ nspname: string }[]>`select nspname from pg_namespace where nspname like ${`t\\_${run}\\_%`}`;
      for (const { nspname } of left) await sql.unsafe(`drop schema if exists "${nspname}" cascade`);
    } catch {
      // No Postgres: nothing was left there.
    } finally {
      await sql.end();
    }
  };
}
