import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../base/index.js';
import { parseLiveMarkets, startLiveIndexer, exponentialBackoff, type LiveIndexer } from '../../indexer/live/index.js';
import { createInProcessRunner, type JobRunner } from '../../jobs/index.js';
import { createTestStore, SHARED_DATA, type TestStore } from '../_setup/store.js';
import { startTestApi, type TestApi } from '../_setup/api.js';
import { CHROMIUM, dashboardReady, launchChromium, openPage, screenshot } from '../_setup/browser.js';
import { binanceBehaviour, binanceReplayFromCapture } from '../_fixtures/live/binance.js';
import { startReplayServer, type ReplayServer } from '../_fixtures/live/replay-server.js';
import { heatmapOf, liveConfig, waitFor } from '../_fixtures/live/compare.js';

const CAPTURE = SHARED_DATA ? path.join(SHARED_DATA, 'binance-usdm-btcusdt-ws-2024-08-08.jsonl.gz') : null;
const MARKET = 'binance:BTCUSDT';
/** Minutes of the capture (~6 in all) ingested before the page opens; the rest arrive while it is open. */
const BEFORE_MIN = 3;

/** What the page holds: heatmap columns (computed buckets), live columns added, last column time. */
interface PageColumns {
  step: number;
  columns: number;
  slots: number;
  lastT: number | null;
  live: number;
  painted: number;
  canvas: number;
}

describe.skipIf(!CAPTURE || !CHROMIUM)('the dashboard on a live market (local Binance replay → live indexer → compute → SSE)', () => {
  let t: TestStore;
  let server: ReplayServer;
  let runner: JobRunner;
  let live: LiveIndexer;
  let api: TestApi;
  let browser: Browser;
  beforeAll(async () => {
    t = await createTestStore();
    const replay = binanceReplayFromCapture(CAPTURE!);
    const cut = (Math.floor(replay.frames[0]!.tsMs / 60_000) + BEFORE_MIN) * 60_000;
    const holdAt = replay.frames.findIndex((f) => f.tsMs >= cut);
    server = await startReplayServer({ frames: replay.frames, venue: binanceBehaviour(replay), holdAt });
    // Each committed batch enqueues compute, as `liqmap ingest live` without Redis does.
    runner = createInProcessRunner(t.store, silentLogger, true);
    live = await startLiveIndexer({
      store: t.store,
      config: liveConfig({ binance: server }),
      logger: silentLogger,
      markets: parseLiveMarkets([MARKET]),
      onBatch: (r) => runner.onIngested(r),
      pollIntervalMs: 0,
      flushMs: 100,
      backoff: exponentialBackoff({ baseMs: 20, maxMs: 200 }),
    });
    api = await startTestApi(t.store, {}, runner);
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await live?.stop();
    await server?.close();
    await runner?.idle?.();
    await runner?.close();
    await api?.close();
    await t?.drop();
  });

  it('grows the heatmap by a column as the live feed commits and compute runs, without reloading', async () => {
    // The first minutes streamed, committed and computed; the venue pauses while the page opens.
    await server.held();
    await waitFor('the first minutes computed', async () => live.ready() && (await heatmapOf(t.store, MARKET)).length >= BEFORE_MIN, 30_000);
    await runner.idle?.();
    const { page, errors } = await openPage(browser, `${api.server.url}/?market=${encodeURIComponent(MARKET)}&range=12h`);
    const requests: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/graphql') && r.postData()?.includes('query Delta')) requests.push(r.postData()!);
    });
    const graphqlErrors: string[] = [];
    page.on('response', async (r) => {
      if (!r.url().endsWith('/graphql') || !r.request().postData()?.includes('query Delta')) return;
      const body = (await r.json().catch(() => null)) as { errors?: { message: string }[] } | null;
      for (const e of body?.errors ?? []) graphqlErrors.push(e.message);
    });
    expect(await dashboardReady(page, 30_000)).toBe('ready');
    const columns = () =>
      page.evaluate((): PageColumns => {
        const app = (window as unknown as { liqmapDashboard: { data?: { base: { times: number[]; slots: number; stepMs: number; canvas: { width: number } | null } } } }).liqmapDashboard;
        const base = app.data?.base;
        const box = document.getElementById('live') as HTMLInputElement;
        return { step: base?.stepMs ?? 0, columns: base?.times.length ?? 0, slots: base?.slots ?? 0, lastT: base?.times.at(-1) ?? null, live: Number(box.dataset.columns ?? 0), painted: Number(box.dataset.painted ?? 0), canvas: base?.canvas?.width ?? 0 };
      });
    const before = await columns();
    expect(before.columns, JSON.stringify(before)).toBeGreaterThanOrEqual(BEFORE_MIN);
    await screenshot(page, 'dashboard-live-before');
    // The venue goes on: the next minutes stream in, are computed per batch and announced over SSE.
    server.release();
    let after = before;
    await waitFor(
      'a live column',
      async () => {
        after = await columns();
        return after.live >= 1;
      },
      30_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}; page: ${JSON.stringify(after)}; delta errors: ${graphqlErrors.join(' | ')}; page errors: ${errors.join(' | ')}`);
    });
    await screenshot(page, 'dashboard-live-grown');
    expect(graphqlErrors).toEqual([]);
    // A column more, later than the last one the page loaded, painted into the bitmap in place.
    expect(after.columns).toBeGreaterThan(before.columns);
    expect(after.slots).toBeGreaterThan(before.slots);
    expect(after.lastT!).toBeGreaterThan(before.lastT!);
    expect(after.painted).toBeGreaterThanOrEqual(1);
    expect(after.canvas).toBeGreaterThanOrEqual(after.slots);
    // The delta asked only for the new columns: a bounded range, ending at the announced bucket.
    const vars = (JSON.parse(requests[0]!) as { variables: { from: string; to?: string } }).variables;
    expect(vars.to).toBeDefined();
    expect(Date.parse(vars.to!)).toBeGreaterThan(Date.parse(vars.from));
    expect(errors).toEqual([]);
  }, 60_000);
});
