import path from 'node:path';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestStore, SHARED_DATA, type TestStore } from '../_setup/store.js';
import { runCli, spawnCli } from '../_setup/cli.js';
import { binanceBehaviour, binanceReplayFromCapture } from '../_fixtures/live/binance.js';
import { startReplayServer } from '../_fixtures/live/replay-server.js';
import { count, heatmapOf, storedTrades, waitFor } from '../_fixtures/live/compare.js';

const CAPTURE = SHARED_DATA ? path.join(SHARED_DATA, 'binance-usdm-btcusdt-ws-2024-08-08.jsonl.gz') : null;

describe('liqmap ingest live', () => {
  const stores: TestStore[] = [];
  afterAll(async () => {
    for (const s of stores) await s.drop();
  });

  it('refuses bad markets with one clear line', () => {
    const r = runCli(['ingest', 'live', '--market', 'binance:BTCUSDT', '--market', 'kraken:XBT', '--metrics-port', '0'], { DATABASE_URL: '' , LIQMAP_DATA_DIR: path.join(process.env.TMPDIR ?? '/tmp', `lq-live-${process.pid}`) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/INPUT_INVALID: not a live market: kraken:XBT \(expected venue:SYMBOL with venue one of binance/);
  }, 60_000);

  it.skipIf(!CAPTURE)('follows a market, answers /readyz once caught up and /metrics, replaces its connection at --max-connection-age, computes the heatmap, commits on SIGTERM', async () => {
    const replay = binanceReplayFromCapture(CAPTURE!, { limitTrades: 4000 });
    const server = await startReplayServer({ frames: replay.frames, venue: binanceBehaviour(replay), speed: 20 });
    const t = await createTestStore();
    stores.push(t);
    const port = 20_000 + (process.pid % 20_000);
    const child = spawnCli(['ingest', 'live', '--market', 'binance:btcusdt', '--metrics-port', String(port), '--oi-interval', '0', '--flush-ms', '100', '--max-connection-age', '1'], {
      DATABASE_URL: t.url,
      REDIS_URL: '',
      LIQMAP_BINANCE_WS_URL: server.wsUrl,
      LIQMAP_BINANCE_REST_URL: server.restUrl,
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitFor('readiness', async () => (await fetch(`${url}/readyz`).catch(() => null))?.status === 200, 30_000);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      await server.finished();
      const truth = replay.aggTrades.length;
      await waitFor('every trade', async () => (await count(t.store, 'trades', 'binance:BTCUSDT')) >= truth, 30_000);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/liqmap_live_events_committed_total\{market="binance:BTCUSDT",kind="trade"\} \d+/);
      expect(metrics).toMatch(/liqmap_live_caught_up\{market="binance:BTCUSDT"\} 1/);
      expect(metrics).toMatch(/liqmap_live_commit_lag_seconds_bucket/);
      // --max-connection-age 1: the feed replaced its own connection (the replay never closes one).
      expect(metrics).toMatch(/liqmap_live_reconnects_total\{venue="binance",reason="max-age"\} [1-9]/);
      // Without REDIS_URL the heatmap is computed in-process as batches commit.
      await waitFor('the heatmap', async () => (await heatmapOf(t.store, 'binance:BTCUSDT')).length > 0, 30_000);
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number];
      expect(code, stderr).toBe(0);
      expect((await storedTrades(t.store, 'binance:BTCUSDT')).length).toBe(truth);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await server.close();
    }
  }, 90_000);
});
