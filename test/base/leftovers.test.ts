import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { cleanUpRun } from '../_setup/leftovers.js';
import { TEST_REDIS_URL } from '../_setup/redis.js';
import { TEST_PG_URL } from '../_setup/store.js';

/** The test run's teardown (test/_setup/global.ts), on a run of this test's own. */
describe("a test run's teardown", () => {
  const services = { redisUrl: TEST_REDIS_URL, databaseUrl: TEST_PG_URL };
  const fakeRun = () => `tt${randomBytes(3).toString('hex')}`;

  it('removes what a run left and fails it for a process still running (killed), naming it', async () => {
    const run = fakeRun();
    const dir = mkdtempSync(path.join(tmpdir(), 'liqmap-leftover-'));
    writeFileSync(path.join(dir, 'left.bin'), Buffer.alloc(4096));
    const redis = new Redis(TEST_REDIS_URL);
    const sql = postgres(TEST_PG_URL, { max: 1, onnotice: () => {} });
    try {
      await redis.set(`lqtest_${run}_1_ab:compute:meta`, 'x');
      await sql.unsafe(`create schema "t_${run}_1_ab"`);
      // A process a test started and never stopped (the run id is in its environment, as in every CLI a test spawns).
      const leaked = spawn('sleep', ['300'], { env: { ...process.env, LIQMAP_TEST_RUN: run }, stdio: 'ignore' });
      const exited = new Promise((r) => leaked.once('exit', r));
      const r = await cleanUpRun(run, dir, services);
      expect(r.problems).toHaveLength(1);
      expect(r.problems[0]).toContain(`pid ${leaked.pid} (sleep 300)`);
      await exited;
      expect(r).toMatchObject({ redisKeys: 1, schemas: 1 });
      expect(r.tempBytes).toBeGreaterThanOrEqual(4096);
      expect(existsSync(dir)).toBe(false);
      expect(await redis.exists(`lqtest_${run}_1_ab:compute:meta`)).toBe(0);
      expect(await sql`select 1 from pg_namespace where nspname = ${`t_${run}_1_ab`}`).toHaveLength(0);
    } finally {
      redis.disconnect();
      await sql.end();
    }
  });

  it("passes a clean run, and leaves other runs' processes alone", async () => {
    const other = spawn('sleep', ['300'], { env: { ...process.env, LIQMAP_TEST_RUN: fakeRun() }, stdio: 'ignore' });
    try {
      const r = await cleanUpRun(fakeRun(), mkdtempSync(path.join(tmpdir(), 'liqmap-leftover-')), services);
      expect(r.problems).toEqual([]);
      expect(other.exitCode).toBeNull();
    } finally {
      other.kill('SIGKILL');
    }
  });
});
