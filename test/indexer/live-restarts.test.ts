import path from 'node:path';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createPostgresStore, migrateToLatest, type Store } from '../../db/index.js';
import { SHARED_DATA } from '../_setup/store.js';
import { spawnCli } from '../_setup/cli.js';
import { freePort, throwawayRedis, type ThrowawayRedis } from '../_setup/throwaway.js';
import { PG_BIN, throwawayPostgres, type ThrowawayPostgres } from '../_setup/throwaway-postgres.js';
import { binanceBehaviour, binanceReplayFromCapture } from '../_fixtures/live/binance.js';
import { startReplayServer } from '../_fixtures/live/replay-server.js';
import { count, storedTrades, waitFor } from '../_fixtures/live/compare.js';

const CAPTURE = SHARED_DATA ? path.join(SHARED_DATA, 'binance-usdm-btcusdt-ws-2024-08-08.jsonl.gz') : null;

/** Lines of a child's stderr that are not JSON log lines (a stack trace, a raw error). */
const notJson = (stderr: string) =>
  stderr.split('\n').filter((l) => {
    if (!l.trim()) return false;
    try {
      JSON.parse(l);
      return false;
    } catch {
      return true;
    }
  });

describe.skipIf(!PG_BIN || !CAPTURE)('`liqmap ingest live` through a Postgres restart and a Redis restart (throwaway servers)', () => {
  let pg: ThrowawayPostgres;
  let redis: ThrowawayRedis;
  let store: Store;
  beforeAll(async () => {
    pg = await throwawayPostgres();
    store = createPostgresStore({ url: pg.url, max: 2 });
    await migrateToLatest(store);
    redis = await throwawayRedis(); // started
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await redis?.kill();
    pg?.destroy();
  });

  it('keeps following: every replayed trade stored once, compute enqueued again on the restarted Redis, logs stay JSON, SIGTERM exits 0', async () => {
    const replay = binanceReplayFromCapture(CAPTURE!, { limitTrades: 6000 });
    const truth = replay.aggTrades.length;
    const server = await startReplayServer({ frames: replay.frames, venue: binanceBehaviour(replay), speed: 15 });
    const port = await freePort();
    const child = spawnCli(['ingest', 'live', '--market', 'binance:BTCUSDT', '--metrics-port', String(port), '--oi-interval', '0', '--flush-ms', '100'], {
      DATABASE_URL: pg.url,
      REDIS_URL: redis.url,
      LIQMAP_QUEUE_PREFIX: 'lqrestart',
      LIQMAP_BINANCE_WS_URL: server.wsUrl,
      LIQMAP_BINANCE_REST_URL: server.restUrl,
      LOG_LEVEL: 'warn',
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = once(child, 'exit');
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitFor('readiness', async () => (await fetch(`${url}/readyz`).catch(() => null))?.status === 200, 60_000);
      // Postgres crashes (immediate restart) while batches are being committed...
      await waitFor('some trades', async () => (await count(store, 'trades', 'binance:BTCUSDT')) > 500, 60_000);
      const before = await count(store, 'trades', 'binance:BTCUSDT');
      expect(before).toBeLessThan(truth);
      pg.restart();
      // ... then Redis crashes and comes back empty.
      await waitFor('trades after the Postgres restart', async () => (await count(store, 'trades', 'binance:BTCUSDT').catch(() => 0)) > before + 300, 60_000);
      await redis.kill();
      await new Promise((r) => setTimeout(r, 1500));
      await redis.start();
      await server.finished();
      await waitFor('every trade', async () => (await count(store, 'trades', 'binance:BTCUSDT')) >= truth, 60_000);
      expect(child.exitCode).toBeNull();
      // The batches after the Redis restart enqueued compute again on the empty server.
      const r = new Redis(redis.url, { maxRetriesPerRequest: 1 });
      try {
        await waitFor('a compute job on the restarted Redis', async () => (await r.keys('lqrestart:compute:*')).length > 0, 30_000);
      } finally {
        r.disconnect();
      }
      expect((await fetch(`${url}/metrics`)).status).toBe(200);
      child.kill('SIGTERM');
      const [code] = (await exited) as [number];
      expect(code, stderr).toBe(0);
      const stored = await storedTrades(store, 'binance:BTCUSDT');
      expect(stored.length).toBe(truth);
      expect(new Set(stored).size).toBe(truth);
      expect(notJson(stderr), stderr.slice(0, 2000)).toEqual([]);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await server.close();
    }
  }, 240_000);
});
