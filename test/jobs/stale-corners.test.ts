import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { parseConfig, silentLogger } from '../../base/index.js';
import { BatchWriter, latestModelCheckpoint, marketDataState, readHeatmapRows, type CanonicalEvent } from '../../db/index.js';
import { modelParamsHash, parseModelParams } from '../../engine/index.js';
import { COMPUTE_QUEUE, computeMarket, createJobRunner, processJob, staleMarkets } from '../../jobs/index.js';
import { createTestStore, type TestStore } from '../_setup/store.js';
import { TEST_REDIS_URL, testQueuePrefix } from '../_setup/redis.js';

const T0 = Date.UTC(2024, 5, 1) * 1000;
const CUSTOM = { halfLifeHours: 12, leverages: [{ leverage: 20, weight: 1 }] };

/** `hours` of synthetic trades every 5 s from `startH`, prices shifted by `shift`. */
function trades(market: string, startH: number, hours: number, shift = 0): CanonicalEvent[] {
  const out: CanonicalEvent[] = [];
  for (let i = startH * 3600; i < (startH + hours) * 3600; i += 5) {
    const p = 50_000 * (1 + 0.01 * Math.sin(i / 3000)) + shift;
    out.push({ kind: 'trade', market, ts: T0 + i * 1e6, tradeId: `${i}-${shift}`, price: p.toFixed(1), qty: ((i % 11) / 10 + 0.1).toFixed(3), side: i % 3 === 0 ? 'sell' : 'buy' });
  }
  return out;
}

describe('no stale corners: every parameter set follows late data; invalid jobs fail once', () => {
  let t: TestStore;
  const q = testQueuePrefix();
  beforeAll(async () => {
    t = await createTestStore();
  });
  afterAll(async () => {
    await q.cleanup();
    await t.drop();
  });

  it('late data rolls back and recomputes every persisted parameter set, not only the first to run', async () => {
    const w = new BatchWriter(t.store);
    const custom = modelParamsHash(parseModelParams(CUSTOM));
    await w.write({ events: trades('binance:LATE', 0, 6) });
    await computeMarket(t.store, { market: 'binance:LATE' });
    await computeMarket(t.store, { market: 'binance:LATE', params: CUSTOM });
    // A late batch inside hour 2, then one compute under the defaults only.
    await w.write({ events: trades('binance:LATE', 2, 1, 7) });
    await computeMarket(t.store, { market: 'binance:LATE' });
    // The same data in one go, under another market id, is what both sets must show now.
    await w.write({ events: [...trades('binance:ONCE', 0, 6), ...trades('binance:ONCE', 2, 1, 7)] });
    await computeMarket(t.store, { market: 'binance:ONCE', params: CUSTOM });
    const version = (await marketDataState(t.store, 'binance:LATE'))!.version;
    const served = await readHeatmapRows(t.store, 'binance:LATE', custom, 0, Date.now());
    const fresh = await readHeatmapRows(t.store, 'binance:ONCE', custom, 0, Date.now());
    expect(served.length).toBe(fresh.length);
    const late = served.filter((r) => r.t >= T0 / 1000 + 2 * 3_600_000);
    expect(late.every((r) => r.dataVersion === version)).toBe(true);
    served.forEach((r, i) => {
      const f = fresh[i]!;
      expect([r.t, r.longLo, r.long.length]).toEqual([f.t, f.longLo, f.long.length]);
      const total = f.long.reduce((a, b) => a + b, 0) + f.short.reduce((a, b) => a + b, 0);
      r.long.forEach((v, j) => expect(Math.abs(v - f.long[j]!)).toBeLessThanOrEqual(total * 1e-9));
    });
  });

  it('the staleness check and the scheduled refresh consider every persisted set', async () => {
    const w = new BatchWriter(t.store);
    const custom = modelParamsHash(parseModelParams(CUSTOM));
    await w.write({ events: trades('binance:BEHIND', 0, 3) });
    await computeMarket(t.store, { market: 'binance:BEHIND' });
    await computeMarket(t.store, { market: 'binance:BEHIND', params: CUSTOM });
    expect(await staleMarkets(t.store)).not.toContain('binance:BEHIND');
    // The custom set computed before the last batch (as a set computed by an older release, or
    // a backfill step, leaves it): the defaults are current, the custom set is not.
    await sql`update model_checkpoints set data_version = data_version - 1 where market_id = 'binance:BEHIND' and params_hash = ${custom}`.execute(t.store.db);
    expect(await staleMarkets(t.store)).toContain('binance:BEHIND');
    const enqueued: string[] = [];
    await processJob(t.store, { name: 'refresh', data: {}, updateProgress: async () => {} }, { retentionDays: 0, enqueue: async (m) => void enqueued.push(...m) });
    expect(enqueued).toContain('binance:BEHIND');
    // The market's job (defaults) brings the custom set along.
    await computeMarket(t.store, { market: 'binance:BEHIND' });
    const version = (await marketDataState(t.store, 'binance:BEHIND'))!.version;
    expect((await latestModelCheckpoint(t.store, 'binance:BEHIND', custom))!.dataVersion).toBe(version);
  });

  it('invalid job input fails at the first attempt (UnrecoverableError), in the sandboxed workers', async () => {
    const config = parseConfig({ REDIS_URL: TEST_REDIS_URL, LIQMAP_QUEUE_PREFIX: q.prefix, DATABASE_URL: t.url });
    const worker = await createJobRunner({ config, store: t.store, logger: silentLogger, mode: 'work', sandboxed: true });
    const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(COMPUTE_QUEUE, { connection, prefix: q.prefix });
    const events = new QueueEvents(COMPUTE_QUEUE, { connection: new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null }), prefix: q.prefix });
    try {
      await events.waitUntilReady();
      const retry = { attempts: 5, backoff: { type: 'exponential' as const, delay: 2000 } };
      const bad = [
        await queue.add('compute', { market: 42 }, retry),
        await queue.add('compute', { market: 'binance:BEHIND', params: { maintenanceMarginRate: 0.9 } }, retry),
      ];
      for (const job of bad) {
        await expect(job.waitUntilFinished(events, 20_000)).rejects.toThrow(/invalid compute job data|maintenanceMarginRate/);
        const after = (await queue.getJob(job.id!))!;
        expect(await after.getState()).toBe('failed');
        expect(after.attemptsMade).toBe(1);
      }
    } finally {
      await events.close();
      await queue.close();
      connection.disconnect();
      await worker.close();
    }
  }, 60_000);
});
