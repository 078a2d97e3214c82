import { existsSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, silentLogger } from '../../base/index.js';
import { ingestDemo, ingestPaths } from '../../indexer/index.js';
import { createJobRunner, type JobRunner } from '../../jobs/index.js';
import { createTestStore, SHARED_DATA, type TestStore } from '../_setup/store.js';
import { startTestApi, type TestApi } from '../_setup/api.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', process.env.CHROMIUM_PATH].find((p): p is string => !!p && existsSync(p)) ?? null;
const REAL_FILE = SHARED_DATA ? path.join(SHARED_DATA, 'binance-futures-btcusdt-trades-2020-02-22.tardis.csv') : null;

describe('dashboard and /heatmap.png over real data', () => {
  let t: TestStore;
  let api: TestApi;
  let jobs: JobRunner;
  let market: string;
  beforeAll(async () => {
    t = await createTestStore();
    if (REAL_FILE && existsSync(REAL_FILE)) {
      await ingestPaths(t.store, [REAL_FILE]);
      market = 'binance:BTCUSDT';
    } else {
      // Without ../shared/data, the deterministic demo market stands in.
      market = (await ingestDemo(t.store, { days: 0.25 })).market;
    }
    jobs = await createJobRunner({ config: parseConfig({}), store: t.store, logger: silentLogger, mode: 'embedded' });
    // A zero budget: every check answers PENDING first, and the page polls it by id.
    api = await startTestApi(t.store, { LIQMAP_CHECK_BUDGET_MS: '0' }, jobs);
    await jobs.recompute(market);
    await jobs.idle!();
  }, 120_000);
  afterAll(async () => {
    await api?.close();
    await jobs?.close();
    await t?.drop();
  });

  it('renders /heatmap.png: a PNG of the requested size with more than one colour', async () => {
    const r = await api.get(`/heatmap.png?market=${market}&width=320&height=200`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('image/png');
    const png = PNG.sync.read(Buffer.from(await r.arrayBuffer()));
    expect([png.width, png.height]).toEqual([320, 200]);
    const colours = new Set<number>();
    for (let i = 0; i < png.data.length; i += 4) colours.add((png.data[i]! << 16) | (png.data[i + 1]! << 8) | png.data[i + 2]!);
    expect(colours.size).toBeGreaterThan(10);
    expect(colours.has(0xffffff)).toBe(true); // the price line
  });

  it('answers a bad image request with a 400 naming the problem', async () => {
    const r = await api.get(`/heatmap.png?market=${market}&width=99999`);
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ code: 'BAD_USER_INPUT', error: expect.stringContaining('width') });
    const unknown = await api.get('/heatmap.png?market=nope:XYZ');
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).code).toBe('NOT_FOUND');
  });

  describe.skipIf(!CHROMIUM)('in Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await chromium.launch({ executablePath: CHROMIUM!, args: ['--no-sandbox', '--disable-gpu'] });
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('draws a non-empty heatmap and lists the clusters the API returns', async () => {
      const page = await browser.newPage();
      const failures: string[] = [];
      page.on('pageerror', (e) => failures.push(e.message));
      await page.goto(`${api.server.url}/?market=${encodeURIComponent(market)}`);
      await page.waitForSelector('#status[data-state="ready"], #status[data-state="error"]', { timeout: 60_000 });
      expect(await page.textContent('#status')).not.toMatch(/error/i);
      expect(await page.getAttribute('#status', 'data-state')).toBe('ready');
      expect(failures).toEqual([]);
      // Count bright heatmap pixels (viridis above ~40%: green to yellow) inside the plot area.
      const bright = await page.evaluate(() => {
        const c = document.getElementById('heatmap') as HTMLCanvasElement;
        const d = c.getContext('2d')!.getImageData(70, 0, c.width - 70, c.height - 24).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i + 1]! > 110 && !(d[i] === 255 && d[i + 1] === 255 && d[i + 2] === 255)) n++;
        return n;
      });
      expect(bright).toBeGreaterThan(50);
      const listed = await page.$$eval('#clusters li', (lis) => lis.map((li) => ({ side: li.dataset.side, notional: Number(li.dataset.notional), peakPrice: Number(li.dataset.peak) })));
      const h = await api.gql(`{ heatmap(market: "${market}") { times } }`);
      const at = h.data!.heatmap.times.at(-1);
      const c = await api.gql(`query($at: DateTime) { clusters(market: "${market}", at: $at) { clusters { side notional peakPrice } } }`, { at });
      expect(listed.length).toBeGreaterThan(0);
      expect(listed).toEqual(c.data!.clusters.clusters);
      // The check toggle: PENDING first (zero budget), then the verdict of the cells on screen.
      await page.check('#check');
      await page.waitForSelector('#check-result[data-status="PENDING"]', { timeout: 30_000 });
      await page.waitForSelector('#check-result[data-status="DONE"], #check-result[data-status="FAILED"]', { timeout: 120_000 });
      const text = (await page.textContent('#check-result'))!;
      expect(await page.getAttribute('#check-result', 'data-status'), text).toBe('DONE');
      expect(await page.getAttribute('#check-result', 'data-ok')).toBe('true');
      const served = await api.gql(`{ heatmap(market: "${market}") { times prices } }`);
      expect(text).toContain(`the ${served.data!.heatmap.times.length * served.data!.heatmap.prices.length * 2} cells on screen`);
      expect(text).toMatch(/aggregation \(raw events → bucket inputs\): ok/);
      expect(text).toMatch(/model \(bucket inputs → these cells\): ok/);
      expect(failures).toEqual([]);
      await page.close();
    }, 240_000);
  });
  it.skipIf(CHROMIUM)('skips the browser test: no Chromium binary (/usr/bin/chromium); install it with apt-get install chromium', () => {});
});
