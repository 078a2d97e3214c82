import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cleanUpRun } from './leftovers.js';

/**
 * Once per `vitest run`: a run id that every test's schema and queue prefix carry
 * (`t_<run>_…`, `lqtest_<run>_…`), and a temporary directory of the run's own (TMPDIR, inherited
 * by test workers and the CLIs they spawn). Teardown removes all three — whatever a test left
 * behind — without touching another run's on the same Postgres and Redis, and fails the run
 * (exit code 1) when a process the tests started still runs, or something is back after removal.
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
    const r = await cleanUpRun(run, dir, {
      redisUrl: process.env.LIQMAP_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      databaseUrl: process.env.LIQMAP_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    });
    process.stderr.write(`test run ${run}: removed ${(r.tempBytes / 1e6).toFixed(1)} MB of temporary files, ${r.redisKeys} Redis keys and ${r.schemas} Postgres schemas\n`);
    // Vitest reports an error thrown here but still exits 0: the exit code says it instead.
    for (const p of r.problems) process.stderr.write(`test run ${run} left something behind: ${p}\n`);
    if (r.problems.length > 0) process.exitCode = 1;
  };
}
