// Regenerates the README's pictures from a real run: docs/img/dashboard.png (the dashboard in
// Chromium on ETH across OKX and Bybit, hovering a cell both venues hold, so the tooltip shows
// their shares) and docs/img/heatmap.png (/heatmap.png of OKX over the same window), over the real
// OKX and Bybit ETH candles and funding and OKX's liquidations of ../shared/data, in an embedded
// in-memory database. Usage: npm run docs:screenshots (needs Chromium: /usr/bin/chromium or CHROMIUM_PATH).
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { parseConfig, silentLogger } from '../base/index.js';
import { createPgliteStore, migrateToLatest } from '../db/index.js';
import { createJobRunner } from '../jobs/index.js';
import { startServer } from '../api/index.js';
import { ingestSlices, sliceMultiVenue } from '../test/_fixtures/dashboard-markets.js';
import { evaluableContext } from '../test/_fixtures/dashboard-perf.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const SHARED = path.resolve(ROOT, '../shared/data');
const MARKET = 'okx:ETH-USDT-SWAP';
/** The picker's entry for ETH across both venues. */
const AGGREGATE = 'agg:ETH/bybit+okx';
const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium'].find((p): p is string => !!p && existsSync(p));
if (!existsSync(SHARED) || !CHROMIUM) {
  console.error(`needs ${SHARED} and Chromium (/usr/bin/chromium or CHROMIUM_PATH)`);
  process.exit(1);
}

const store = await createPgliteStore();
await migrateToLatest(store);
const config = parseConfig({ HOST: '127.0.0.1' });
const jobs = await createJobRunner({ config, store, logger: silentLogger, mode: 'embedded' });
await ingestSlices(store, jobs, ['okx', 'bybit'].flatMap((venue) => sliceMultiVenue(SHARED, { venue, coin: 'ETH', from: '2026-02-01' })));
const server = await startServer({ store, config, logger: silentLogger, jobs }, { port: 0 });
// The aggregate is computed on its first request (NOT_READY until then): asked for here and
// waited on, so the page opens on its result and not on the compute sharing PGlite's one thread.
await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ heatmap(symbol: "ETH", venues: [BYBIT, OKX]) { times } }' }) });
await jobs.idle!();
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await (await evaluableContext(browser, { width: 1440, height: 860 })).newPage();
  await page.goto(`${server.url}/?market=${encodeURIComponent(AGGREGATE)}`);
  await page.waitForSelector(`#heatmap[data-market="${AGGREGATE}"]`, { timeout: 120_000 });
  // Hover the largest cell of the window that both venues hold, so the picture shows the tooltip and its shares.
  const at = await page.evaluate(() => {
    const a = (window as unknown as { liqmapDashboard: any }).liqmapDashboard; // eslint-disable-line @typescript-eslint/no-explicit-any
    const L = a.chart.layers.base;
    let best = 0;
    const both = (k: number) => L.parts.every((p: { share: number[] }) => (p.share[k] ?? 0) > 0);
    for (let k = 1; k < L.long.length; k++) if (both(k) && (!both(best) || L.long[k] + L.short[k] > L.long[best] + L.short[best])) best = k;
    const col = Math.floor(best / L.rows);
    const slot = Math.floor((L.times[col] - L.s0) / L.stepMs);
    const r = a.chart.canvas.getBoundingClientRect();
    return { x: r.left + a.chart.view.x(L.s0 + (slot + 0.5) * L.stepMs), y: r.top + a.chart.view.y(L.prices[best % L.rows] + L.priceBucket / 2) };
  });
  await page.mouse.move(at.x, at.y);
  await page.waitForSelector('#tooltip:not([hidden])');
  const from = await page.inputValue('#from');
  const to = await page.inputValue('#to');
  await page.screenshot({ path: path.join(ROOT, 'docs/img/dashboard.png') });
  const png = await fetch(`${server.url}/heatmap.png?market=${MARKET}&from=${from}:00Z&to=${to}:00Z&width=1200&height=560`);
  if (png.status !== 200) throw new Error(`/heatmap.png answered ${png.status}: ${await png.text()}`);
  writeFileSync(path.join(ROOT, 'docs/img/heatmap.png'), Buffer.from(await png.arrayBuffer()));
  console.log(`docs/img/dashboard.png (${AGGREGATE}) and docs/img/heatmap.png (${MARKET}): ${from} → ${to} UTC`);
} finally {
  await browser.close();
  await server.close();
  await jobs.close();
  await store.close();
}
