import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { parseConfig, silentLogger } from '../../base/index.js';
import { createBullmqRunner, createJobRunner, jobsRegistry } from '../../jobs/index.js';
import { BatchWriter, type CanonicalEvent } from '../../db/index.js';
import { createTestStore, TEST_PG_URL, type TestStore } from '../_setup/store.js';
import { testQueuePrefix } from '../_setup/redis.js';
import { runCliAsync, spawnCli } from '../_setup/cli.js';
import { startTestApi } from '../_setup/api.js';
import { freePort, throwawayRedis } from '../_setup/throwaway.js';

const T0 = Date.UTC(2024, 4, 1) * 1000;
function trades(market: string, hours: number): CanonicalEvent[] {
  const out: CanonicalEvent[] = [];
  for (let i = 0; i < hours * 3600; i += 5) {
    const p = 60000 * (1 + Math.sin(i / 3000) * 0.002);
    out.push({ kind: 'trade', market, ts: T0 + i * 1e6, tradeId: String(i), price: p.toFixed(1), qty: ((i % 17) / 10 + 0.1).toFixed(3), side: i % 3 === 0 ? 'sell' : 'buy' });
  }
  return out;
}

const until = async (cond: () => Promise<boolean>, ms: number) => {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
};

describe('a service that is down: one line naming it, never a hang', () => {
  let t: TestStore;
  let deadRedis: string;
  beforeAll(async () => {
    t = await createTestStore();
    deadRedis = `redis://:s3cret@127.0.0.1:${await freePort()}`;
  });
  afterAll(async () => t?.drop());

  it('ingest with Redis unreachable commits its rows, says what is pending, and exits', async () => {
    const t0 = Date.now();
    const r = await runCliAsync(['ingest', 'demo', '--days', '0.05'], { DATABASE_URL: t.url, REDIS_URL: deadRedis });
    expect(Date.now() - t0).toBeLessThan(45_000);
    expect(r.code).toBe(3);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^liqmap: SERVICE_UNAVAILABLE: Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/? is unavailable \(.*ECONNREFUSED.*\).*rows are committed, computing 1 market\(s\) is pending \(demo:BTCUSDT\)/);
    expect(r.stderr).not.toContain('s3cret');
    const n = await sql<{ n: string }>`select count(*) as n from trades`.execute(t.store.db);
    expect(Number(n.rows[0]!.n)).toBeGreaterThan(100);
  }, 60_000);

  it('`liqmap jobs` with Redis unreachable fails in one line', async () => {
    const t0 = Date.now();
    const r = await runCliAsync(['jobs'], { DATABASE_URL: t.url, REDIS_URL: deadRedis });
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^liqmap: SERVICE_UNAVAILABLE: Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+/);
  }, 60_000);

  it('`liqmap migrate` on a database that does not exist fails in one line', async () => {
    const u = new URL(TEST_PG_URL);
    u.password = 'pw-not-shown';
    u.pathname = '/liqmap_no_such_db';
    const r = await runCliAsync(['migrate'], { DATABASE_URL: u.toString(), REDIS_URL: '' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^liqmap: SERVICE_UNAVAILABLE: Postgres at postgres:\/\/postgres:\*\*\*@.*liqmap_no_such_db is unavailable \(.*does not exist\): create the database/);
    expect(r.stderr).not.toContain('pw-not-shown');
  }, 60_000);

  it('/readyz answers 503 within its timeout, without the database host or port', async () => {
    const jobs = await createJobRunner({ config: parseConfig({ REDIS_URL: deadRedis }), store: t.store, logger: silentLogger, mode: 'enqueue-only' });
    const api = await startTestApi(t.store, {}, jobs);
    try {
      const t0 = Date.now();
      const r = await api.get('/readyz');
      expect(Date.now() - t0).toBeLessThan(4_000);
      expect(r.status).toBe(503);
      const body = await r.text();
      expect(JSON.parse(body)).toMatchObject({ status: 'not ready', database: 'ok', redis: expect.stringMatching(/^unavailable/) });
      expect(body).not.toMatch(/127\.0\.0\.1|5432|6379|localhost/);
    } finally {
      await api.close();
      await jobs.close();
    }
  }, 30_000);

  it('the worker metrics answer while Redis is down, on 127.0.0.1 only', async () => {
    const port = await freePort();
    const child = spawnCli(['work', '--no-sandbox', '--metrics-port', String(port)], { DATABASE_URL: t.url, REDIS_URL: deadRedis, LOG_LEVEL: 'info' });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      let res: Response | null = null;
      await until(async () => {
        res = await fetch(`http://127.0.0.1:${port}/`).catch(() => null);
        return res !== null;
      }, 30_000);
      expect(res!.status).toBe(200);
      expect(await res!.text()).toContain('liqmap_job_duration_seconds');
      // Logs stay JSON lines, one warning per outage rather than one per reconnect attempt.
      const lines = stderr.trim().split('\n').filter(Boolean);
      for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
      expect(lines.filter((l) => l.includes('Redis unreachable')).length).toBeLessThanOrEqual(1);
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.on('exit', r));
    }
  }, 60_000);
});

describe('a Redis restarted under the workers', () => {
  let t: TestStore;
  const q = testQueuePrefix();
  beforeAll(async () => {
    t = await createTestStore();
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('re-registers the job schedulers after a restart without persistence, resumes, and sets the compute lag from event time', async () => {
    const redis = await throwawayRedis();
    const config = parseConfig({ REDIS_URL: redis.url, LIQMAP_QUEUE_PREFIX: q.prefix, DATABASE_URL: t.url });
    const worker = await createJobRunner({ config, store: t.store, logger: silentLogger, mode: 'work', sandboxed: false });
    const producer = await createBullmqRunner({ config, store: t.store, logger: silentLogger, mode: 'enqueue-only', redisUrl: redis.url });
    const { Queue } = await import('bullmq');
    const probe = new Queue('maintenance', { connection: { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null }, prefix: q.prefix });
    try {
      expect((await probe.getJobSchedulers()).map((s) => s.key).sort()).toEqual(['prune-old-results', 'refresh-stale-markets']);
      await redis.kill();
      await redis.start();
      expect(await until(async () => (await probe.getJobSchedulers().catch(() => [])).length === 2, 20_000)).toBe(true);
      // Work resumes on the restarted Redis; the lag is measured against the newest event.
      const result = await new BatchWriter(t.store).write({ events: trades('binance:RESTART', 2) });
      await producer.onIngested(result);
      expect(await until(async () => (await jobsRegistry.getSingleMetric('liqmap_compute_lag_seconds')!.get()).values.some((v) => v.labels.market === 'binance:RESTART'), 60_000)).toBe(true);
      const lag = (await jobsRegistry.getSingleMetric('liqmap_compute_lag_seconds')!.get()).values.find((v) => v.labels.market === 'binance:RESTART')!.value;
      // Historical data (2024) fully computed: the newest bucket trails the newest event by < 1 bucket.
      expect(lag).toBeGreaterThanOrEqual(0);
      expect(lag).toBeLessThan(120);
    } finally {
      await probe.close();
      await producer.close();
      await worker.close();
      await redis.kill();
    }
  }, 120_000);
});
