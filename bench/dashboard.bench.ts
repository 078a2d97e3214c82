import { existsSync } from 'node:fs';
import postgres from 'postgres';
import { chromium } from 'playwright-core';
import { parseConfig, silentLogger } from '../base/index.js';
import { createPostgresStore, migrateToLatest } from '../db/index.js';
import { ingestDemo } from '../indexer/index.js';
import { computeMarket } from '../jobs/index.js';
import { startServer } from '../api/index.js';
import { evaluableContext, firstPaintMs, naiveRedraw, panZoom } from '../test/_fixtures/dashboard-perf.js';
import { ROUNDS, spread as spreadOf } from './alternate.js';
import type { BenchFigure } from './types.js';

const PG = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium'].find((p): p is string => !!p && existsSync(p));

const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const spread = (a: number[]) => `min/median/max ${Math.min(...a).toFixed(2)}/${median(a).toFixed(2)}/${Math.max(...a).toFixed(2)}`;

/**
 * The dashboard in Chromium on a 7-day market of 1-minute buckets (the demo market), each side
 * run alternately ROUNDS times on a fresh page:
 * - first paint after navigation (warm server cache) vs the data floor: the page fetching and
 *   parsing the same markets + heatmap answers and drawing nothing;
 * - a pan/zoom frame's paint (p95) vs repainting the same cells one fillRect each per frame,
 *   and the frames per second of both (animation frames cap them at the display's 60).
 */
export async function run(): Promise<BenchFigure[]> {
  if (!CHROMIUM) {
    process.stderr.write('dashboard bench: no Chromium (/usr/bin/chromium or CHROMIUM_PATH), skipped\n');
    return [];
  }
  const schema = `bench_dash_${process.pid}`;
  const admin = postgres(PG, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop schema if exists ${schema} cascade`);
  const store = createPostgresStore({ url: `${PG}${PG.includes('?') ? '&' : '?'}schema=${schema}`, max: 4 });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    await migrateToLatest(store);
    const { market } = await ingestDemo(store, { days: 7 });
    await computeMarket(store, { market });
    const server = await startServer({ store, config: parseConfig({ HOST: '127.0.0.1' }), logger: silentLogger }, { port: 0 });
    const url = `${server.url}/?market=${encodeURIComponent(market)}&range=7d`;
    const context = await evaluableContext(browser);
    const open = async () => {
      const page = await context.newPage();
      await page.goto(url);
      return page;
    };
    const ready = (page: Awaited<ReturnType<typeof open>>) => page.waitForSelector('#status[data-state="ready"]', { timeout: 120_000 });
    // Two visits fill the response cache (it keeps an answer from a request's second ask on).
    for (let i = 0; i < 2; i++) await ready(await open());
    const paint: number[] = [];
    const floor: number[] = [];
    const ours: { fps: number; p95PaintMs: number }[] = [];
    const theirs: { fps: number; p95PaintMs: number }[] = [];
    let cells = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const page = await open();
      paint.push(await firstPaintMs(page));
      await ready(page);
      cells = await page.evaluate(() => { const b = (window as unknown as { liqmapDashboard: { chart: { layers: { base: { times: unknown[]; rows: number } } } } }).liqmapDashboard.chart.layers.base; return b.times.length * b.rows; });
      // The floor: what the first paint needs from the API, fetched and parsed by the page alone.
      floor.push(
        await page.evaluate(async () => {
          const a = (window as unknown as { liqmapDashboard: { lastRequest: { query: string; variables: object } } }).liqmapDashboard;
          const post = (query: string, variables = {}) => fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ query, variables }) }).then((r) => r.json());
          const t0 = performance.now();
          await post('{ markets { id exchange symbol base coverage { kind last } } }');
          await post(a.lastRequest.query, a.lastRequest.variables);
          return performance.now() - t0;
        }),
      );
      ours.push(await panZoom(page));
      await page.close();
      const base = await open();
      await ready(base);
      theirs.push(await naiveRedraw(base));
      await base.close();
    }
    await server.close();
    const p95Ratios = ours.map((o, i) => o.p95PaintMs / Math.max(1e-6, theirs[i]!.p95PaintMs));
    const paintRatios = paint.map((p, i) => p / floor[i]!);
    return [
      {
        name: `dashboard first paint, 7 days × 1-minute buckets (${cells.toLocaleString('en')} cells on loopback; ms, lower is better)`,
        value: Math.round(median(paint)),
        unit: 'ms',
        baseline: Math.round(median(floor)),
        baselineName: 'the page fetching and parsing the same markets + heatmap answers, drawing nothing',
        ratio: median(paintRatios),
        ratios: spreadOf(paintRatios),
        note: `target < 1000 ms; ${spread(paintRatios)} over ${ROUNDS} alternated rounds`,
      },
      {
        name: 'dashboard pan/zoom: paint of one frame, p95 (ms, lower is better)',
        value: Number(median(ours.map((o) => o.p95PaintMs)).toFixed(2)),
        unit: 'ms',
        baseline: Number(median(theirs.map((o) => o.p95PaintMs)).toFixed(2)),
        baselineName: 'the same cells repainted one fillRect each per frame',
        ratio: median(p95Ratios),
        ratios: spreadOf(p95Ratios),
        note: `${spread(p95Ratios)}; frames per second ${median(ours.map((o) => o.fps)).toFixed(1)} vs ${median(theirs.map((o) => o.fps)).toFixed(1)} (target ≥ 30; animation frames cap both at 60)`,
      },
    ];
  } finally {
    await browser.close();
    await store.close();
    await admin.unsafe(`drop schema if exists ${schema} cascade`);
    await admin.end();
  }
}
