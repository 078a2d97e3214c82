import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { PNG } from 'pngjs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, silentLogger } from '../../base/index.js';
import { ingestPaths } from '../../indexer/index.js';
import { createJobRunner, type JobRunner } from '../../jobs/index.js';
import { createTestStore, SHARED_DATA, type TestStore } from '../_setup/store.js';
import { startTestApi, type TestApi } from '../_setup/api.js';
import { ARTEFACTS, CHROMIUM, launchChromium, openDashboard, screenshot } from '../_setup/browser.js';
import { ingestSlices, sliceMultiVenue } from '../_fixtures/dashboard-markets.js';

const TARDIS = SHARED_DATA ? path.join(SHARED_DATA, 'binance-futures-btcusdt-trades-2020-02-22.tardis.csv') : null;
const HAVE_DATA = !!TARDIS && existsSync(TARDIS);
/** OKX ETH: a month of real hourly candles and funding, and 1,632 real liquidations on its last day. */
const OKX = 'okx:ETH-USDT-SWAP';
const BINANCE = 'binance:BTCUSDT';

// Browser-side handles (the page's `window.liqmapDashboard`), typed loosely on purpose.
type Dash = any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const window: { liqmapDashboard: Dash; devicePixelRatio: number };

/** The API's heatmap for a window, as the dashboard asked for it (times in ms). */
async function apiHeatmap(api: TestApi, market: string, from: string, to: string, extra = '') {
  const r = await api.gql(`query($m: ID!, $f: DateTime, $t: DateTime) { heatmap(market: $m, from: $f, to: $t${extra}) { times prices priceBucket resolutionSeconds long short } }`, { m: market, f: from, t: to });
  expect(r.errors).toBeUndefined();
  const h = r.data!.heatmap;
  return { ...h, times: (h.times as string[]).map((t) => Date.parse(t)) } as { times: number[]; prices: number[]; priceBucket: number; resolutionSeconds: number; long: number[]; short: number[] };
}

/** Waits until the dashboard shows `market` loaded. */
async function loaded(page: Page, market: string) {
  await page.waitForFunction((m) => window.liqmapDashboard.data?.heatmap.market === m && document.getElementById('status')!.dataset.state !== 'loading', market, { timeout: 90_000 });
  expect(await page.getAttribute('#status', 'data-state')).toBe('ready');
}

/** Pixel (page coordinates) of the centre of a base-layer cell. */
async function cellPixel(page: Page, col: number, row: number) {
  return page.evaluate(
    ([c, j]) => {
      const a = window.liqmapDashboard;
      const L = a.chart.layers.base;
      const slot = Math.floor((L.times[c] - L.s0) / L.stepMs);
      const v = a.chart.view;
      const box = a.chart.canvas.getBoundingClientRect();
      return { x: box.left + v.x(L.s0 + (slot + 0.5) * L.stepMs), y: box.top + v.y(L.prices[j] + L.priceBucket / 2) };
    },
    [col, row] as const,
  );
}

describe('dashboard and /heatmap.png over real data', () => {
  let t: TestStore;
  let api: TestApi;
  let jobs: JobRunner;
  beforeAll(async () => {
    t = await createTestStore();
    jobs = await createJobRunner({ config: parseConfig({}), store: t.store, logger: silentLogger, mode: 'embedded' });
    if (HAVE_DATA) {
      await ingestSlices(t.store, jobs, sliceMultiVenue(SHARED_DATA!, { venue: 'okx', coin: 'ETH', from: '2026-02-01' }));
      await ingestPaths(t.store, [TARDIS!], { onBatch: (b) => jobs.onIngested(b) });
      await jobs.idle!();
    }
    // A zero budget: every check answers PENDING first, and the page polls it by id.
    api = await startTestApi(t.store, { LIQMAP_CHECK_BUDGET_MS: '0' }, jobs);
  }, 240_000);
  afterAll(async () => {
    await api?.close();
    await jobs?.close();
    await t?.drop();
  });

  describe.skipIf(!HAVE_DATA)('with ../shared/data', () => {
    it('renders /heatmap.png: a PNG of the requested size with more than one colour', async () => {
      const r = await api.get(`/heatmap.png?market=${OKX}&width=320&height=200`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('image/png');
      const png = PNG.sync.read(Buffer.from(await r.arrayBuffer()));
      expect([png.width, png.height]).toEqual([320, 200]);
      const colours = new Set<number>();
      for (let i = 0; i < png.data.length; i += 4) colours.add((png.data[i]! << 16) | (png.data[i + 1]! << 8) | png.data[i + 2]!);
      expect(colours.size).toBeGreaterThan(10);
      expect(colours.has(0xffffff)).toBe(true); // the price line
    });

    it('/heatmap.png explains itself: title with the basis, price axis on the right, time axis, legend, realized liquidations', async () => {
      const from = '2026-03-04T10:00:00Z';
      const to = '2026-03-05T10:00:00Z';
      const r = await api.get(`/heatmap.png?market=${OKX}&from=${from}&to=${to}&width=900&height=450`);
      expect(r.status).toBe(200);
      const bytes = Buffer.from(await r.arrayBuffer());
      mkdirSync(ARTEFACTS, { recursive: true });
      writeFileSync(path.join(ARTEFACTS, 'heatmap-okx-eth.png'), bytes);
      const png = PNG.sync.read(bytes);
      const px = (x: number, y: number) => { const o = (y * png.width + x) * 4; return [png.data[o]!, png.data[o + 1]!, png.data[o + 2]!] as const; };
      const count = (x0: number, y0: number, x1: number, y1: number, f: (c: readonly [number, number, number]) => boolean) => {
        let n = 0;
        for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (f(px(x, y))) n++;
        return n;
      };
      const light = (c: readonly number[]) => c[0]! > 150 && c[1]! > 150 && c[2]! > 150;
      // Title (white, left) and the basis in amber (ESTIMATED), right.
      expect(count(0, 0, 450, 22, light)).toBeGreaterThan(200);
      expect(count(450, 0, 900, 22, (c) => c[0] > 200 && c[1] > 120 && c[1] < 210 && c[2] < 80)).toBeGreaterThan(100);
      // Price labels right of the plot, time labels under it.
      expect(count(900 - 58, 22, 900, 450 - 46, light)).toBeGreaterThan(200);
      expect(count(0, 450 - 46, 900 - 62, 450 - 26, light)).toBeGreaterThan(100);
      // The legend, in its own band under the time axis: the scale's ends are viridis' ends.
      const { VIRIDIS } = await import('../../api/render/viridis.js');
      const lw = Math.min(260, Math.floor(900 * 0.4));
      const near = (a: readonly number[], b: readonly number[]) => a.every((v, i) => Math.abs(v - b[i]!) <= 3);
      expect(near(px(6, 430), VIRIDIS[0]!)).toBe(true);
      expect(near(px(5 + lw, 430), VIRIDIS[255]!)).toBe(true);
      // Realized liquidations: the OKX rows are sided, so red (longs) and green (shorts) bubbles.
      const plot = (f: (c: readonly [number, number, number]) => boolean) => count(0, 22, 900 - 62, 450 - 46, f);
      expect(plot((c) => c[0] > 200 && c[1] < 110 && c[2] > 60 && c[2] < 150)).toBeGreaterThan(20);
      expect(plot((c) => c[0] < 60 && c[1] > 170 && c[2] > 100 && c[2] < 170)).toBeGreaterThan(20);
      // A thumbnail is the plot alone: no title bar.
      const small = PNG.sync.read(Buffer.from(await (await api.get(`/heatmap.png?market=${OKX}&from=${from}&to=${to}&width=200&height=120`)).arrayBuffer()));
      expect(small.data[0]).not.toBe(0x0d);
    });

    it('answers a bad image request with a 400 naming the problem', async () => {
      const r = await api.get(`/heatmap.png?market=${OKX}&width=99999`);
      expect(r.status).toBe(400);
      expect(await r.json()).toMatchObject({ code: 'BAD_USER_INPUT', error: expect.stringContaining('width') });
      const unknown = await api.get('/heatmap.png?market=nope:XYZ');
      expect(unknown.status).toBe(400);
      expect((await unknown.json()).code).toBe('NOT_FOUND');
    });

    it('serves OHLC columns from the bucket inputs, and marks sampled liquidation rows', async () => {
      const r = await api.gql(`{ priceCandles(market: "${OKX}", from: "2026-03-05T00:00:00Z", to: "2026-03-05T05:59:59Z") { resolutionSeconds times open high low close } }`);
      expect(r.errors).toBeUndefined();
      const c = r.data!.priceCandles;
      expect(c.resolutionSeconds).toBe(3600);
      expect(c.times).toHaveLength(6);
      // Candle-only market: each column is the stored hourly candle.
      const stored = await sql<{ o: string; h: string; l: string; c: string }>`select open as o, high as h, low as l, close as c from candles where market_id = ${OKX} and ts = '2026-03-05T03:00:00Z'`.execute(t.store.db);
      const k = (c.times as string[]).indexOf('2026-03-05T03:00:00.000Z');
      expect([c.open[k], c.high[k], c.low[k], c.close[k]]).toEqual(Object.values(stored.rows[0]!).map(Number));
      const l = await api.gql(`{ liquidations(market: "${OKX}", first: 3) { nodes { sampled } } }`);
      expect(l.data!.liquidations.nodes).toEqual([{ sampled: false }, { sampled: false }, { sampled: false }]);
    });

    describe.skipIf(!CHROMIUM)('in Chromium', () => {
      let browser: Browser;
      let page: Page;
      let errors: string[];
      beforeAll(async () => {
        browser = await launchChromium();
        ({ page, errors } = await openDashboard(browser, api.server.url, OKX));
      }, 120_000);
      afterAll(async () => {
        await browser?.close();
      });

      it('draws the heatmap and lists the clusters the API returns', async () => {
        await loaded(page, OKX);
        const bright = await page.evaluate(() => {
          const c = document.getElementById('heatmap') as HTMLCanvasElement;
          const v = window.liqmapDashboard.chart.view.plot;
          const dpr = window.devicePixelRatio;
          const d = c.getContext('2d')!.getImageData(v.x * dpr, v.y * dpr, v.w * dpr, v.h * dpr).data;
          let n = 0;
          for (let i = 0; i < d.length; i += 4) if (d[i + 1]! > 110 && d[i]! < 200) n++;
          return n;
        });
        expect(bright).toBeGreaterThan(500);
        const listed = await page.$$eval('#clusters li', (lis) => lis.map((li) => ({ side: li.dataset.side, notional: Number(li.dataset.notional), peakPrice: Number(li.dataset.peak) })));
        const at = await page.evaluate(() => new Date(window.liqmapDashboard.data.heatmap.times.at(-1)).toISOString());
        const c = await api.gql(`query($at: DateTime) { clusters(market: "${OKX}", at: $at) { clusters { side notional peakPrice } } }`, { at });
        expect(listed.length).toBeGreaterThan(0);
        expect(listed).toEqual(c.data!.clusters.clusters);
        expect(await page.textContent('#basis')).toMatch(/^ESTIMATED/);
        await screenshot(page, 'dashboard-okx-eth');
      });

      it("shows the market's score next to the heatmap: the accuracy query's out-of-sample capture over the window shown", async () => {
        await loaded(page, OKX);
        await page.waitForFunction(() => document.getElementById('accuracy')!.dataset.state === 'ok', undefined, { timeout: 90_000 });
        const [from, to] = await page.evaluate(() => [0, -1].map((k) => new Date(window.liqmapDashboard.data.heatmap.times.at(k)).toISOString()));
        const r = await api.gql(`query($f: DateTime!, $t: DateTime!) { accuracy(market: "${OKX}", from: $f, to: $t, horizonSeconds: 3600) { reportedPrice scoredLevel outOfSample { predictions capture { q model { value } } } } }`, { f: from, t: to });
        expect(r.errors).toBeUndefined();
        // OKX reports bankruptcy prices: scored against bankruptcy levels derived from the stored levels, as the CLI does.
        expect(r.data!.accuracy).toMatchObject({ reportedPrice: 'BANKRUPTCY', scoredLevel: 'BANKRUPTCY' });
        const w = r.data!.accuracy.outOfSample;
        expect(w.predictions).toBeGreaterThan(0);
        const c = w.capture.find((x: { q: number }) => x.q === 0.2);
        const text = await page.textContent('#accuracy');
        expect(text).toContain(`held ${(100 * c.model.value).toFixed(1)}%`);
        expect(text).toContain(`${w.predictions} predictions`);
      });

      it('hover tooltip: the cell under the cursor is the API cell, in human units', async () => {
        const w = await page.evaluate(() => ({ from: document.querySelector<HTMLInputElement>('#from')!.value, to: document.querySelector<HTMLInputElement>('#to')!.value }));
        const h = await apiHeatmap(api, OKX, `${w.from}:00Z`, `${w.to}:00Z`);
        // The largest short cell of the window.
        let best = 0;
        for (let k = 1; k < h.short.length; k++) if (h.short[k]! > h.short[best]!) best = k;
        const col = Math.floor(best / h.prices.length);
        const row = best % h.prices.length;
        const p = await cellPixel(page, col, row);
        await page.mouse.move(p.x, p.y);
        await page.waitForSelector('#tooltip:not([hidden])');
        const d = await page.$eval('#tooltip', (el) => ({ time: el.dataset.time, priceLow: el.dataset.priceLow, long: el.dataset.long, short: el.dataset.short, shares: el.dataset.shares, text: el.textContent }));
        expect(Date.parse(d.time!)).toBe(h.times[col]);
        expect(Number(d.priceLow)).toBe(h.prices[row]);
        expect(Number(d.long)).toBe(h.long[best]);
        expect(Number(d.short)).toBe(h.short[best]);
        expect(d.text).toContain(`shorts $${(h.short[best]! / 1e6).toFixed(1)}M`);
        expect(d.text).toContain('100% OKX');
        expect(JSON.parse(d.shares!)).toEqual([{ market: OKX, share: 1 }]);
        await screenshot(page, 'dashboard-tooltip');
      });

      it('realized-liquidation bubbles are the stored rows in view', async () => {
        const drawn = await page.evaluate(() => {
          const a = window.liqmapDashboard;
          return { view: a.chart.view.window(), rows: a.chart.drawnBubbles.map((r: { time: string; price: number; notional: number }) => ({ time: r.time, price: r.price, notional: r.notional })) };
        });
        const v = drawn.view;
        const stored = await sql<{ time: string; price: string; notional: string }>`
          select to_char(ts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as time, price::text, notional::text from liquidations
          where market_id = ${OKX} and ts >= to_timestamp(${v.t0 / 1000}) and ts <= to_timestamp(${v.t1 / 1000}) and price >= ${v.p0} and price <= ${v.p1}
          order by ts, key`.execute(t.store.db);
        expect(stored.rows.length).toBeGreaterThan(1000);
        const norm = (rows: { time: string; price: number | string; notional: number | string }[]) => rows.map((r) => `${Date.parse(r.time)}|${Number(r.price)}|${Number(r.notional).toFixed(6)}`).sort();
        expect(norm(drawn.rows)).toEqual(norm(stored.rows));
        expect(Number(await page.getAttribute('#liq-note', 'data-count'))).toBeGreaterThanOrEqual(stored.rows.length);
      });

      it('zooms around the cursor with the wheel and pans with a drag; the tooltip still reads the API cell', async () => {
        const before = await page.evaluate(() => window.liqmapDashboard.chart.view.window());
        const box = await page.evaluate(() => {
          const a = window.liqmapDashboard;
          const r = a.chart.canvas.getBoundingClientRect();
          const v = a.chart.view;
          return { x: r.left + v.plot.x + v.plot.w * 0.75, y: r.top + v.plot.y + v.plot.h / 2, tAt: v.tAt(v.plot.x + v.plot.w * 0.75) };
        });
        await page.mouse.move(box.x, box.y);
        for (let i = 0; i < 5; i++) await page.mouse.wheel(0, -200);
        await page.waitForFunction((span) => { const v = window.liqmapDashboard.chart.view; return v.t1 - v.t0 < span * 0.5; }, before.t1 - before.t0);
        const after = await page.evaluate(() => window.liqmapDashboard.chart.view.window());
        // The time under the cursor stays where it was.
        const r = (box.tAt - after.t0) / (after.t1 - after.t0);
        expect(r).toBeCloseTo(0.75, 2);
        expect(await page.evaluate(() => window.liqmapDashboard.chart.priceMode)).toBe('candles');
        // Price zoom with shift, then a drag pans both axes.
        await page.keyboard.down('Shift');
        await page.mouse.wheel(0, -300);
        await page.keyboard.up('Shift');
        const zp = await page.evaluate(() => window.liqmapDashboard.chart.view.window());
        expect(zp.p1 - zp.p0).toBeLessThan(after.p1 - after.p0);
        await page.mouse.down();
        await page.mouse.move(box.x - 100, box.y + 50, { steps: 5 });
        await page.mouse.up();
        const panned = await page.evaluate(() => window.liqmapDashboard.chart.view.window());
        expect(panned.t0).toBeGreaterThan(zp.t0);
        expect(panned.p0).toBeGreaterThan(zp.p0);
        await screenshot(page, 'dashboard-zoomed');
        // The cell under the cursor after zooming is still the API's.
        const w = await page.evaluate(() => ({ from: document.querySelector<HTMLInputElement>('#from')!.value, to: document.querySelector<HTMLInputElement>('#to')!.value }));
        const h = await apiHeatmap(api, OKX, `${w.from}:00Z`, `${w.to}:00Z`);
        await page.mouse.move(box.x - 40, box.y - 30);
        await page.waitForSelector('#tooltip:not([hidden])');
        const d = await page.$eval('#tooltip', (el) => ({ ...el.dataset }));
        const col = h.times.indexOf(Date.parse(d.time!));
        const row = h.prices.indexOf(Number(d.priceLow));
        expect(col).toBeGreaterThanOrEqual(0);
        expect(row).toBeGreaterThanOrEqual(0);
        expect([Number(d.long), Number(d.short)]).toEqual([h.long[col * h.prices.length + row], h.short[col * h.prices.length + row]]);
      });

      it('exports the cells on screen as JSON and CSV, equal to the API cells', async () => {
        const v = await page.evaluate(() => window.liqmapDashboard.chart.view.window());
        const [json] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
        const e = JSON.parse(readFileSync((await json.path())!, 'utf8'));
        const w = await page.evaluate(() => ({ from: document.querySelector<HTMLInputElement>('#from')!.value, to: document.querySelector<HTMLInputElement>('#to')!.value }));
        const h = await apiHeatmap(api, OKX, `${w.from}:00Z`, `${w.to}:00Z`);
        const n = h.prices.length;
        const expected: { time: string; priceLow: number; long: number; short: number }[] = [];
        h.times.forEach((tm, i) => {
          const s = Math.floor(tm / (h.resolutionSeconds * 1000)) * h.resolutionSeconds * 1000;
          if (s + h.resolutionSeconds * 1000 <= v.t0 || s > v.t1) return;
          h.prices.forEach((p, j) => {
            if (p + h.priceBucket <= v.p0 || p > v.p1) return;
            expected.push({ time: new Date(tm).toISOString(), priceLow: p, long: h.long[i * n + j]!, short: h.short[i * n + j]! });
          });
        });
        expect(e.market).toBe(OKX);
        expect(e.basis).toBe('ESTIMATED');
        expect(e.cells.length).toBeGreaterThan(10);
        expect(e.cells.map((c: Record<string, unknown>) => ({ time: c.time, priceLow: c.priceLow, long: c.long, short: c.short }))).toEqual(expected);
        const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
        const lines = readFileSync((await csv.path())!, 'utf8').trim().split('\n');
        expect(lines[1]).toBe('time,price_low,price_high,long,short');
        expect(lines.length - 2).toBe(expected.length);
        const [time, lo, , long, short] = lines[2]!.split(',');
        expect({ time, priceLow: Number(lo), long: Number(long), short: Number(short) }).toEqual(expected[0]);
      });

      it('the picker switches market; the range presets change the window', async () => {
        await page.selectOption('#market', BINANCE);
        await loaded(page, BINANCE);
        expect(new URL(page.url()).searchParams.get('market')).toBe(BINANCE);
        const shown = await page.evaluate(() => window.liqmapDashboard.data.heatmap.times.length);
        const h = await apiHeatmap(api, BINANCE, '2020-02-21T02:05:00Z', '2020-02-22T02:05:47.728Z');
        expect(shown).toBe(h.times.length);
        expect(await page.$$eval('#clusters li', (l) => l.length)).toBeGreaterThan(0);
        await screenshot(page, 'dashboard-binance-btcusdt');
        await page.selectOption('#market', OKX);
        await loaded(page, OKX);
        await page.click('#ranges button[data-range="7d"]');
        await page.waitForFunction(() => window.liqmapDashboard.data?.heatmap.times.length > 100 && document.getElementById('status')!.dataset.state === 'ready');
        const span = await page.evaluate(() => { const a = window.liqmapDashboard; return a.state.to - a.state.from; });
        expect(span).toBe(7 * 86_400_000);
        await screenshot(page, 'dashboard-okx-eth-7d');
      });

      it('the check toggle shows PENDING, then the verdict of the cells on screen', async () => {
        await page.click('#ranges button[data-range="24h"]');
        await page.waitForFunction(() => document.getElementById('status')!.dataset.state === 'ready' && window.liqmapDashboard.data?.heatmap.times.length < 30);
        await page.check('#check');
        await page.waitForSelector('#check-result[data-status="PENDING"]', { timeout: 30_000 });
        await page.waitForSelector('#check-result[data-status="DONE"], #check-result[data-status="FAILED"]', { timeout: 180_000 });
        const text = (await page.textContent('#check-result'))!;
        expect(await page.getAttribute('#check-result', 'data-status'), text).toBe('DONE');
        expect(await page.getAttribute('#check-result', 'data-ok')).toBe('true');
        expect(text).toMatch(/model \(bucket inputs → these cells\): ok/);
        await page.uncheck('#check');
        expect(errors).toEqual([]);
      }, 240_000);
    });
  });
  it.skipIf(HAVE_DATA)('skips: no ../shared/data (the dashboard tests run on real data)', () => {});
  it.skipIf(!!CHROMIUM)('skips the browser tests: no Chromium binary (/usr/bin/chromium); install it with apt-get install chromium', () => {});
});
