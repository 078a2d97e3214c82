import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { parseConfig, silentLogger } from '../../base/index.js';
import { BatchWriter, createPostgresStore, migrateToLatest, type CanonicalEvent, type Store } from '../../db/index.js';
import { computeMarket, createBullmqRunner, type BullmqRunner } from '../../jobs/index.js';
import { createTestStore, uniqueName, type TestStore } from '../_setup/store.js';
import { spawnCli, spawnServing } from '../_setup/cli.js';
import { compareResults, syntheticTrades } from '../_setup/results.js';
import { PG_BIN, throwawayPostgres, type ThrowawayPostgres } from '../_setup/throwaway-postgres.js';
import { throwawayRedis, type ThrowawayRedis } from '../_setup/throwaway.js';

const DAYS = 4;
const BUCKETS_PER_DAY = 1440;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) if (await cond().catch(() => false)) return;
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

/** A `liqmap …` child with its stderr collected. */
function child(args: string[], env: Record<string, string>): { proc: ChildProcess; stderr: () => string } {
  const proc = spawnCli(args, env);
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    if (process.env.LIQMAP_TEST_DEBUG) process.stderr.write(`[${args[0]} ${proc.pid}] ${d.toString()}`);
  });
  return { proc, stderr: () => err };
}
async function stop(p: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill(signal);
  await exited;
}

/** Lines of stderr that are not pino JSON (a raw stack trace, a printed error). */
function rawLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => {
    if (l.trim() === '') return false;
    try {
      return typeof JSON.parse(l) !== 'object';
    } catch {
      return true;
    }
  });
}

/**
 * Real `liqmap work` and `liqmap serve` processes on a throwaway Postgres and Redis of the
 * test's own, which the test restarts (immediate: every connection dies as in a crash) in the
 * middle of a computation. Every interrupted computation must end with the same persisted rows
 * as an uninterrupted one (computed on the shared test Postgres), compared row by row.
 */
describe.skipIf(!PG_BIN)('restarts under `liqmap work` and `liqmap serve` (throwaway servers)', () => {
  let pg: ThrowawayPostgres;
  let redis: ThrowawayRedis;
  let store: Store;
  let ref: TestStore;
  let producer: BullmqRunner;
  let env: Record<string, string>;
  beforeAll(async () => {
    [pg, redis, ref] = await Promise.all([throwawayPostgres(), throwawayRedis(), createTestStore()]);
    store = createPostgresStore({ url: pg.url, max: 2 });
    await migrateToLatest(store);
    env = { DATABASE_URL: pg.url, REDIS_URL: redis.url, LIQMAP_QUEUE_PREFIX: uniqueName('lqrestart'), LOG_LEVEL: 'warn' };
    producer = await createBullmqRunner({ config: parseConfig(env), store, logger: silentLogger, mode: 'enqueue-only', redisUrl: redis.url, logOutages: false });
  }, 120_000);
  afterAll(async () => {
    await producer?.close();
    await store?.close();
    pg?.destroy();
    await redis?.kill();
    await ref?.drop();
  });

  /** A queue prefix of the test's own: jobs a failed test leaves behind cannot occupy the next one's workers. */
  async function ownQueue(): Promise<Record<string, string>> {
    const own = { ...env, LIQMAP_QUEUE_PREFIX: uniqueName('lqrestart') };
    await producer.close();
    producer = await createBullmqRunner({ config: parseConfig(own), store, logger: silentLogger, mode: 'enqueue-only', redisUrl: redis.url, logOutages: false });
    return own;
  }

  /** Writes `events` to the throwaway database (and the reference), and enqueues the market. */
  async function ingest(events: CanonicalEvent[]): Promise<void> {
    await new BatchWriter(ref.store).write({ events });
    await producer.onIngested(await new BatchWriter(store).write({ events }));
  }
  const rows = async (market: string) => Number((await sql<{ n: string }>`select count(*) as n from heatmap_rows where market_id = ${market}`.execute(store.db)).rows[0]!.n);
  /** Waits until the market's computation has committed some chunks but not all. */
  async function midCompute(market: string, total: number): Promise<void> {
    await until(async () => {
      const n = await rows(market);
      if (n >= total) throw new Error(`the computation of ${market} finished before it could be interrupted`);
      return n > 0;
    }, 120_000, `${market} to be mid-compute`);
  }
  async function expectSameAsUninterrupted(market: string, total: number): Promise<void> {
    await until(async () => (await rows(market)) === total && (await sql`select 1 from compute_locks where market_id = ${market}`.execute(store.db)).rows.length === 0, 240_000, `${market} to be computed`);
    await computeMarket(ref.store, { market });
    const diff = await compareResults(store, ref.store, market);
    expect(diff.mismatches).toEqual([]);
    expect(diff.heatmapRows).toBe(total);
    expect(diff.clusterRows).toBeGreaterThan(0);
  }

  it('Redis restarted (empty) mid-compute under `liqmap work`: the computation completes, the worker reconnects and computes new data', async () => {
    const market = 'binance:REDISRESTART';
    const env = await ownQueue();
    const w = child(['work', '--metrics-port', '0', '--concurrency', '1'], env);
    try {
      const events = syntheticTrades(market, DAYS + 1);
      const firstDays = events.filter((e) => e.ts < events[0]!.ts + DAYS * 86_400e6);
      await ingest(firstDays);
      await midCompute(market, DAYS * BUCKETS_PER_DAY);
      await redis.kill();
      await redis.start();
      await until(async () => (await producer.ping!(), true), 30_000, 'the producer to reconnect');
      // Until every chunk is in: the job's record is gone with Redis, the work is not.
      await until(async () => (await rows(market)) === DAYS * BUCKETS_PER_DAY, 120_000, 'the interrupted computation to complete');
      await ingest(events.slice(firstDays.length));
      await expectSameAsUninterrupted(market, (DAYS + 1) * BUCKETS_PER_DAY);
      expect(w.proc.exitCode).toBeNull();
      expect(rawLines(w.stderr())).toEqual([]);
    } finally {
      await stop(w.proc);
    }
  }, 300_000);

  // Needs the pool repairs of scripts/patch-postgres-driver.mjs: without them the retried job
  // never gets a working connection (a reservation lost or a connection leaked in the restart).
  it('Postgres restarted mid-compute under `liqmap work`: the job is retried and its results equal an uninterrupted run', async () => {
    const market = 'binance:PGRESTART';
    const env = await ownQueue();
    const w = child(['work', '--metrics-port', '0', '--concurrency', '1'], env);
    try {
      await ingest(syntheticTrades(market, DAYS));
      await midCompute(market, DAYS * BUCKETS_PER_DAY);
      pg.restart();
      await expectSameAsUninterrupted(market, DAYS * BUCKETS_PER_DAY);
      // The attempt failed with a rejection it could retry, not a thread killed by the driver.
      expect(w.stderr()).not.toContain("reading 'write'");
      expect(w.proc.exitCode).toBeNull();
      expect(rawLines(w.stderr())).toEqual([]);
    } finally {
      await stop(w.proc);
    }
  }, 300_000);

  it('a worker killed (-9) mid-compute: another worker retries the job within seconds and its results equal an uninterrupted run', async () => {
    const market = 'binance:KILLED9';
    // Short lock and stalled check (defaults 30 s each): the dead worker's job is found at once.
    const env = { ...(await ownQueue()), LIQMAP_JOB_LOCK_MS: '4000', LIQMAP_JOB_STALLED_CHECK_MS: '1000' };
    const workers = [child(['work', '--metrics-port', '0', '--concurrency', '1'], env), child(['work', '--metrics-port', '0', '--concurrency', '1'], env)];
    const ownerPid = async () => {
      const owner = (await sql<{ owner: string }>`select owner from compute_locks where market_id = ${market}`.execute(store.db)).rows[0]?.owner;
      return owner ? Number(/:(\d+):[^:]+$/.exec(owner)?.[1]) : null;
    };
    try {
      await ingest(syntheticTrades(market, DAYS));
      // Baseline under this run's load: a worker taking a queued job (sandbox thread, lease), the
      // same steps the survivor takes once the dead worker's job is handed back.
      const enqueuedAt = Date.now();
      await until(async () => (await ownerPid()) !== null, 120_000, 'a worker to take the job');
      const takeMs = Date.now() - enqueuedAt;
      await midCompute(market, DAYS * BUCKETS_PER_DAY);
      const pid = await ownerPid();
      const doomed = workers.find((w) => w.proc.pid === pid);
      const survivor = workers.find((w) => w.proc.pid !== pid)!;
      expect(doomed).toBeDefined();
      await stop(doomed!.proc);
      const killedAt = Date.now();
      await until(async () => (await ownerPid()) === survivor.proc.pid, 60_000, 'the surviving worker to take the job over');
      // Handed back within the lock plus one check, then taken as the first worker took it (x3 for
      // noise). With BullMQ's defaults the job would wait 15 to 60 s for its lock to expire and a
      // check to run; a retry that never comes times out above.
      const bound = Number(env.LIQMAP_JOB_LOCK_MS) + Number(env.LIQMAP_JOB_STALLED_CHECK_MS) + 3 * takeMs;
      const retryMs = Date.now() - killedAt;
      expect(retryMs, `retried ${retryMs} ms after the kill; the first take took ${takeMs} ms`).toBeLessThan(bound);
      await expectSameAsUninterrupted(market, DAYS * BUCKETS_PER_DAY);
      expect(survivor.proc.exitCode).toBeNull();
      expect(rawLines(survivor.stderr())).toEqual([]);
    } finally {
      for (const w of workers) await stop(w.proc);
    }
  }, 300_000);

  it('`liqmap serve` through a Postgres restart and a Redis restart: /readyz says so, then it answers again and enqueues again', async () => {
    const market = 'binance:SERVED';
    await new BatchWriter(store).write({ events: syntheticTrades(market, 0.05) });
    const { child: api, url } = await spawnServing(['serve'], { ...env, PORT: '0', HOST: '127.0.0.1' });
    let stderr = '';
    api.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    let n = 0;
    // A fresh alias each time: the response cache must not answer for the database.
    const count = async () => {
      const r = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ a${++n}: market(id: "${market}") { tradeCount } }` }) });
      const body = (await r.json()) as { data?: Record<string, { tradeCount: number }> };
      return body.data?.[`a${n}`]?.tradeCount ?? null;
    };
    const ready = async () => (await fetch(`${url}/readyz`)).status;
    try {
      expect(await count()).toBeGreaterThan(0);
      pg.restart();
      await until(async () => (await count()) !== null && (await ready()) === 200, 30_000, 'serve to answer after the Postgres restart');
      await redis.kill();
      await until(async () => (await ready()) === 503, 10_000, '/readyz to answer 503 with Redis down');
      await redis.start();
      await until(async () => (await ready()) === 200, 30_000, '/readyz to recover with Redis');
      // Missing results of the default set are handed to the workers again: NOT_READY with a job id.
      const r = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ heatmap(market: "${market}") { paramsHash } }` }) });
      const body = (await r.json()) as { errors?: { extensions?: { code?: string; jobId?: string } }[] };
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_READY', jobId: expect.stringMatching(/^compute~binance~SERVED~/) });
      expect(api.exitCode).toBeNull();
      expect(rawLines(stderr)).toEqual([]);
    } finally {
      await stop(api, 'SIGTERM');
    }
  }, 180_000);
});
