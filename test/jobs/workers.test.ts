import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { QueueEvents } from 'bullmq';
import { parseConfig, silentLogger } from '../../base/index.js';
import { acquireComputeLease, BatchWriter, latestModelCheckpoint, readHeatmapRows, type CanonicalEvent } from '../../db/index.js';
import { modelParamsHash, parseModelParams } from '../../engine/index.js';
import { COMPUTE_QUEUE, computeMarket, createBullmqRunner, createJobRunner } from '../../jobs/index.js';
import { createTestStore, type TestStore } from '../_setup/store.js';
import { TEST_REDIS_URL, testQueuePrefix } from '../_setup/redis.js';
import { runCli, spawnCli } from '../_setup/cli.js';

const T0 = Date.UTC(2024, 4, 1) * 1000;

/** Three days of synthetic one-second trades on a slow random walk. */
function trades(market: string, days: number): CanonicalEvent[] {
  const out: CanonicalEvent[] = [];
  let p = 60000;
  for (let i = 0; i < days * 86_400; i += 7) {
    p *= 1 + Math.sin(i / 5000) * 0.00002 + ((i * 7919) % 13 - 6) * 0.00001;
    out.push({ kind: 'trade', market, ts: T0 + i * 1e6, tradeId: String(i), price: p.toFixed(1), qty: ((i % 17) / 10 + 0.1).toFixed(3), side: i % 3 === 0 ? 'sell' : 'buy' });
  }
  return out;
}

describe('workers on real Redis and Postgres', () => {
  let t: TestStore;
  const q = testQueuePrefix();
  beforeAll(async () => {
    t = await createTestStore();
    await new BatchWriter(t.store).write({ events: trades('binance:SYNUSDT', 3) });
  });
  afterAll(async () => {
    await q.cleanup();
    await t.drop();
  });

  it('lets one computation at a time hold a market, whoever asks', async () => {
    const a = await acquireComputeLease(t.store, 'binance:LOCKED');
    await expect(acquireComputeLease(t.store, 'binance:LOCKED', 300)).rejects.toThrow(/being computed elsewhere/);
    const other = await acquireComputeLease(t.store, 'binance:OTHER', 300);
    await other.release();
    await a.release();
    const b = await acquireComputeLease(t.store, 'binance:LOCKED', 300);
    await b.release();
  });

  it('a restarted computation continues from its checkpoint and ends where one run ends', async () => {
    const hash = modelParamsHash(parseModelParams({}));
    const partial = await computeMarket(t.store, { market: 'binance:SYNUSDT', untilMs: T0 / 1000 + 86_400_000 - 1 });
    expect(partial.buckets).toBe(1440);
    const cp = await latestModelCheckpoint(t.store, 'binance:SYNUSDT', hash);
    expect(cp!.t).toBe(T0 / 1000 + 86_400_000 - 60_000);
    const rest = await computeMarket(t.store, { market: 'binance:SYNUSDT' });
    expect(rest.buckets).toBe(2 * 1440);
    const resumed = await readHeatmapRows(t.store, 'binance:SYNUSDT', hash, 0, Date.now());
    // The same data computed in one go under another market id gives the same rows.
    await new BatchWriter(t.store).write({ events: trades('binance:SYNONE', 3) });
    await computeMarket(t.store, { market: 'binance:SYNONE' });
    const once = await readHeatmapRows(t.store, 'binance:SYNONE', hash, 0, Date.now());
    expect(resumed.length).toBe(once.length);
    // Same cells; sums may differ in the last bits (a resumed state re-adds its levels fresh).
    let worst = 0;
    resumed.forEach((r, i) => {
      const o = once[i]!;
      expect([r.t, r.longLo, r.shortLo, r.long.length, r.short.length]).toEqual([o.t, o.longLo, o.shortLo, o.long.length, o.short.length]);
      const total = [...o.long, ...o.short].reduce((a, b) => a + b, 0);
      r.long.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - o.long[j]!) / total)));
      r.short.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - o.short[j]!) / total)));
    });
    expect(worst).toBeLessThan(1e-12);
    // Six simulated days computed and three ingested: 29 s alone at load 14, near vitest's 60 s
    // default when three files share the two cores.
  }, 150_000);

  it('runs the processor sandboxed in worker threads, and reports a backfill flow day by day', async () => {
    const config = parseConfig({ REDIS_URL: TEST_REDIS_URL, LIQMAP_QUEUE_PREFIX: q.prefix, DATABASE_URL: t.url });
    await new BatchWriter(t.store).write({ events: trades('binance:SYNFLOW', 3) });
    const worker = await createJobRunner({ config, store: t.store, logger: silentLogger, mode: 'work', sandboxed: true });
    const producer = await createBullmqRunner({ config, store: t.store, logger: silentLogger, mode: 'enqueue-only', redisUrl: TEST_REDIS_URL });
    try {
      const id = await producer.backfill('binance:SYNFLOW', T0 / 1000, T0 / 1000 + 3 * 86_400_000 - 1);
      let p = await producer.backfillProgress(id);
      expect(p!.total).toBe(3);
      for (let i = 0; i < 600 && p!.state !== 'completed'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        p = await producer.backfillProgress(id);
      }
      expect(p).toMatchObject({ state: 'completed', done: 3, total: 3 });
      const rows = await readHeatmapRows(t.store, 'binance:SYNFLOW', modelParamsHash(parseModelParams({})), 0, Date.now());
      expect(rows.length).toBe(3 * 1440);
      const threads = await sql<{ n: number }>`select count(*)::int as n from job_runs where market_id = 'binance:SYNFLOW' and status = 'completed'`.execute(t.store.db);
      expect(threads.rows[0]!.n).toBeGreaterThanOrEqual(3); // the refresh scheduler may compute it too
    } finally {
      await producer.close();
      await worker.close();
    }
  }, 120_000);

  it('a batch landing while its market computes gets one follow-up job: the active job returns after its round', async () => {
    const M = 'binance:SYNFOLLOW';
    const day = 86_400_000;
    const all = trades(M, 4);
    const cut = T0 + 3 * day * 1000;
    await new BatchWriter(t.store).write({ events: all.filter((e) => e.ts < cut) });
    const config = parseConfig({ REDIS_URL: TEST_REDIS_URL, LIQMAP_QUEUE_PREFIX: `${q.prefix}fu`, DATABASE_URL: t.url });
    const events = new QueueEvents(COMPUTE_QUEUE, { connection: { url: TEST_REDIS_URL }, prefix: `${q.prefix}fu` } as never);
    await events.waitUntilReady();
    const producer = await createBullmqRunner({ config, store: t.store, logger: silentLogger, mode: 'enqueue-only', redisUrl: TEST_REDIS_URL });
    const completed: { jobId: string; lastT: number }[] = [];
    events.on('completed', ({ jobId, returnvalue }) => {
      const r = (typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as { market?: string; lastT?: number };
      if (r?.market === M) completed.push({ jobId, lastT: r.lastT! });
    });
    // The add that joins an active job is kept under its own id: the follow-up runs as that job.
    const keptIds: string[] = [];
    events.on('deduplicated', ({ jobId, deduplicatedJobId }) => {
      if (jobId === firstId) keptIds.push(deduplicatedJobId);
    });
    // The fourth day lands after the job's first committed chunk (of three), while it is active.
    let joined: Promise<string> | undefined;
    let firstId: string | undefined;
    events.on('progress', ({ jobId, data }) => {
      // (The refresh scheduler computes the file's other markets too.)
      if (joined || !jobId.startsWith('compute~binance~SYNFOLLOW~') || typeof data !== 'number' || data >= 100) return;
      firstId = jobId;
      joined = new BatchWriter(t.store).write({ events: all.filter((e) => e.ts >= cut) }).then(() => producer.recompute(M));
    });
    const worker = await createJobRunner({ config, store: t.store, logger: silentLogger, mode: 'work', sandboxed: false });
    try {
      await producer.recompute(M);
      for (let i = 0; i < 600 && completed.length < 2; i++) await new Promise((r) => setTimeout(r, 100));
      // The trigger joined the active job (it was not a new waiting one) ...
      expect(await joined).toBe(firstId);
      // ... which returned after the three days it saw, and its follow-up computed the fourth.
      expect(completed.map((c) => c.lastT)).toEqual([T0 / 1000 + 3 * day - 60_000, T0 / 1000 + 4 * day - 60_000]);
      expect(completed[0]!.jobId).toBe(firstId);
      // The follow-up is the trigger's own job, not the refresh scheduler's a minute later.
      expect(keptIds).toHaveLength(1);
      expect(completed[1]!.jobId).toBe(keptIds[0]);
      await producer.idle!();
      const rows = await readHeatmapRows(t.store, M, modelParamsHash(parseModelParams({})), 0, Date.now());
      expect(rows.length).toBe(4 * 1440);
    } finally {
      await events.close();
      await producer.close();
      await worker.close();
    }
  }, 120_000);

  it('`liqmap work` computes enqueued markets, `liqmap jobs` shows freshness, and SIGTERM exits cleanly', async () => {
    const env = { REDIS_URL: TEST_REDIS_URL, LIQMAP_QUEUE_PREFIX: `${q.prefix}cli`, DATABASE_URL: t.url, LOG_LEVEL: 'warn' };
    await new BatchWriter(t.store).write({ events: trades('binance:SYNCLI', 1) });
    const config = parseConfig(env);
    const producer = await createJobRunner({ config, store: t.store, logger: silentLogger, mode: 'enqueue-only' });
    await producer.recompute('binance:SYNCLI');
    const child = spawnCli(['work', '--metrics-port', '0'], env);
    try {
      await producer.idle!();
      const jobs = runCli(['jobs', '--json'], env);
      expect(jobs.code, jobs.stderr).toBe(0);
      const out = JSON.parse(jobs.stdout);
      expect(out.backend).toBe('bullmq');
      const m = out.markets.find((x: { market: string }) => x.market === 'binance:SYNCLI');
      expect(m.newestComputedBucket).toBe(new Date(T0 / 1000 + 86_400_000 - 60_000).toISOString());
    } finally {
      child.kill('SIGTERM');
      const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      expect(code).toBe(0);
      await producer.close();
    }
  });
});

