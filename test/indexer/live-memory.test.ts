import { afterAll, describe, expect, it } from 'vitest';
import { binanceSyntheticReplay } from '../_fixtures/live/binance-synthetic.js';
import { runSlowDatabaseReplay } from '../_fixtures/live/memory-run.js';
import { testQueuePrefix, TEST_REDIS_URL } from '../_setup/redis.js';
import { createTestStore, TEST_PG_URL, type TestStore } from '../_setup/store.js';

const TRADES = 500_000;
const MAX_BUFFER = 20_000;
// LIVE_MEMORY_CHILD_MAX_BUFFER=10000000 runs the child with the bound out of reach, the allowance
// unchanged: the RSS check then fails (the bound is what keeps memory flat).
const CHILD_MAX_BUFFER = Number(process.env.LIVE_MEMORY_CHILD_MAX_BUFFER ?? MAX_BUFFER);
const BATCH = 5000;
/** Commits no faster than one 5,000-row batch per 150 ms: slower than the stream arrives. */
const SLEEP_MS = 150;
/**
 * Allowed RSS growth over the warmed-up process: what the bound lets wait (the buffer, one REST
 * page of 1,000 trades, the batch being written) at a generous 4 KiB per event, plus 96 MiB of
 * heap headroom and garbage the collector has not returned yet (a stream of this length churns
 * several GB through the young generation).
 */
const allowedGrowthKb = (maxBuffer: number) => 96 * 1024 + ((maxBuffer + 1000 + BATCH) * 4096) / 1024;

describe('live ingest memory under a slow database (a real liqmap ingest live process)', () => {
  const stores: TestStore[] = [];
  const queues: ReturnType<typeof testQueuePrefix>[] = [];
  afterAll(async () => {
    for (const s of stores) await s.drop();
    for (const q of queues) await q.cleanup();
  });

  it('500k trades into a slow database: RSS stays within the buffer bound, the feed disconnects past it and backfills every trade exactly once', async () => {
    const replay = binanceSyntheticReplay(TRADES);
    const t = await createTestStore();
    stores.push(t);
    const q = testQueuePrefix();
    queues.push(q);
    const r = await runSlowDatabaseReplay({ replay, url: t.url, schema: t.schema, adminUrl: TEST_PG_URL, redisUrl: TEST_REDIS_URL, queuePrefix: q.prefix, maxBuffer: CHILD_MAX_BUFFER, batchRows: BATCH, sleepMs: SLEEP_MS, lostOnClientClose: 5000, timeoutMs: 80_000 });
    const figure = `RSS ${Math.round(r.baselineKb / 1024)} MiB warmed up, peak ${Math.round(r.peakKb / 1024)} MiB (+${Math.round((r.peakKb - r.baselineKb) / 1024)} MiB, allowed +${Math.round(allowedGrowthKb(MAX_BUFFER) / 1024)}), ${r.connections} connections, ${r.seconds.toFixed(1)} s`;
    console.log(`live memory, --max-buffer ${CHILD_MAX_BUFFER}: ${figure}`);
    expect(r.exitCode, r.output.slice(-2000)).toBe(0);
    // No loss, no duplicate: every replayed trade stored once, exactly as replayed.
    expect(r.stored).toBe(TRADES);
    expect(r.exact).toBe(true);
    expect(r.peakKb - r.baselineKb, figure).toBeLessThan(allowedGrowthKb(MAX_BUFFER));
    // Past the bound the feed disconnected (the venue published on meanwhile: only REST had those).
    expect(r.boundReached).toBeGreaterThan(0);
    expect(r.connections).toBeGreaterThan(1);
  }, 90_000);
});
