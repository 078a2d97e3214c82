import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, silentLogger } from '../../base/index.js';
import { createJobRunner, type JobRunner } from '../../jobs/index.js';
import { createTestStore, SHARED_DATA, type TestStore } from '../_setup/store.js';
import { startTestApi, type TestApi } from '../_setup/api.js';
import { CHROMIUM, launchChromium, openDashboard, screenshot } from '../_setup/browser.js';
import { ingestSlices, sliceMultiVenue } from '../_fixtures/dashboard-markets.js';

const HAVE_DATA = !!SHARED_DATA && existsSync(path.join(SHARED_DATA, 'candles-1h-multivenue-2025-03-to-2026-03.csv'));
const OKX = 'okx:ETH-USDT-SWAP';
const BYBIT = 'bybit:ETHUSDT';
/** The picker's entry for ETH across its venues (the API's symbol: "ETH", venues: [BYBIT, OKX]). */
const AGG = 'agg:ETH/bybit+okx';
/** The same aggregate as level-query arguments. */
const TARGET = 'symbol: "ETH", venues: [BYBIT, OKX]';
/** Real OKX and Bybit ETH candles and funding from here on; OKX's last day of candles is held back and ingested while the page is open. */
const FROM = '2026-02-24';
const HELD_BACK = '2026-03-05';
/** OKX's liquidations of its last candle's hour, held back longer: they recompute that bucket, already shown (the 47 after it are left out: they would make a bucket of their own). */
const LATE = '2026-03-05T10:00';
/** And those of the four hours before it, held back longest: they recompute four older columns and the newest. */
const EARLY = '2026-03-05T06:00';
const LAST_HOUR_END = '2026-03-05T11:00';

/** One of the OKX ETH files (funding, candles or liquidations) over [from, to). */
const okxFile = (kind: string, from: string, to?: string) => sliceMultiVenue(SHARED_DATA!, { venue: 'okx', coin: 'ETH', from, ...(to ? { to } : {}) }).filter((f) => path.basename(f).includes(kind));

// Browser-side handles (the page's `window.liqmapDashboard`), typed loosely on purpose.
type Dash = any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const window: { liqmapDashboard: Dash; devicePixelRatio: number; pixelsBefore?: Uint8ClampedArray };

interface Grid { times: number[]; prices: number[]; priceBucket: number; resolutionSeconds: number; long: number[]; short: number[]; parts: { market: string; share: number[] }[] | null }

/** The heatmap of the window the page shows (or any `args`), from the API, times in ms. */
async function apiHeatmap(api: TestApi, target: string, args: string): Promise<Grid> {
  const r = await api.gql(`{ heatmap(${target}, ${args}) { times prices priceBucket resolutionSeconds long short parts { market share } } }`);
  expect(r.errors).toBeUndefined();
  const h = r.data!.heatmap;
  return { ...h, times: (h.times as string[]).map((t) => Date.parse(t)) } as Grid;
}

/** The page's window as heatmap arguments. */
async function windowArgs(page: Page): Promise<string> {
  const w = await page.evaluate(() => ({ from: document.querySelector<HTMLInputElement>('#from')!.value, to: document.querySelector<HTMLInputElement>('#to')!.value }));
  return `from: "${w.from}:00Z", to: "${w.to}:00Z"`;
}

/** Waits until the canvas shows `market` at these leverages ('all': every one), drawn after its load finished. */
async function shown(page: Page, market: string, leverages: string) {
  await page.waitForFunction(([m, l]) => { const c = document.getElementById('heatmap')!.dataset; return c.market === m && c.leverages === l && document.getElementById('status')!.dataset.state === 'ready'; }, [market, leverages] as const, { timeout: 40_000 }).catch(async (e: Error) => {
    const state = await page.evaluate(() => ({ status: document.getElementById('status')!.textContent, canvas: { ...document.getElementById('heatmap')!.dataset } }));
    throw new Error(`${e.message}; waiting for ${market} at ${leverages}, the page shows ${JSON.stringify(state)}`);
  });
}

/** Moves the mouse over cell (col, row) of the page's base layer, returns the tooltip's data. */
async function hover(page: Page, time: number, priceLow: number): Promise<Record<string, string>> {
  const p = await page.evaluate(([t, lo]) => {
    const a = window.liqmapDashboard;
    const L = a.chart.layers.base;
    const slot = Math.floor((t - L.s0) / L.stepMs);
    const v = a.chart.view;
    const box = a.chart.canvas.getBoundingClientRect();
    return { x: box.left + v.x(L.s0 + (slot + 0.5) * L.stepMs), y: box.top + v.y(lo + L.priceBucket / 2) };
  }, [time, priceLow] as const);
  await page.mouse.move(0, 0);
  await page.mouse.move(p.x, p.y);
  await page.waitForFunction((t) => { const d = document.getElementById('tooltip')!; return !d.hidden && Date.parse(d.dataset.time!) === t; }, time);
  return page.$eval('#tooltip', (el) => ({ ...el.dataset, text: el.textContent ?? '' }) as Record<string, string>);
}

/** Index of the largest cell (long + short) of a grid, of those `keep` accepts. */
const largest = (h: Grid, keep: (k: number) => boolean = () => true) => h.long.reduce((best, v, k) => (keep(k) && (best < 0 || v + h.short[k]! > h.long[best]! + h.short[best]!) ? k : best), -1);

/** Plot pixels that differ from the ones saved in the page (`window.pixelsBefore`); saves them first when `save`. */
function plotPixels(page: Page, save: boolean): Promise<{ changed: number; total: number }> {
  return page.evaluate((keep) => {
    const v = window.liqmapDashboard.chart.view.plot;
    const dpr = window.devicePixelRatio;
    const d = (document.getElementById('heatmap') as HTMLCanvasElement).getContext('2d')!.getImageData(v.x * dpr, v.y * dpr, v.w * dpr, v.h * dpr).data;
    if (keep) window.pixelsBefore = d;
    const b = window.pixelsBefore!;
    let changed = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] !== b[i] || d[i + 1] !== b[i + 1] || d[i + 2] !== b[i + 2]) changed++;
    return { changed, total: d.length / 4 };
  }, save);
}

describe.skipIf(!HAVE_DATA || !CHROMIUM)('dashboard across venues and by leverage layer (real OKX + Bybit ETH, Chromium)', () => {
  let t: TestStore;
  let api: TestApi;
  let jobs: JobRunner;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  beforeAll(async () => {
    t = await createTestStore();
    jobs = await createJobRunner({ config: parseConfig({}), store: t.store, logger: silentLogger, mode: 'embedded' });
    // OKX's candles stop a day early and its liquidations at its last candle's hour: the live test
    // ingests that day's candles (one batch: new columns), then the late liquidations (a recompute
    // of the newest column's bucket), then those of the hours before (a recompute of several).
    await ingestSlices(t.store, jobs, [
      ...okxFile('funding', FROM),
      ...okxFile('liquidations', FROM, EARLY),
      ...okxFile('candles', FROM, HELD_BACK),
      ...sliceMultiVenue(SHARED_DATA!, { venue: 'bybit', coin: 'ETH', from: FROM }),
    ]);
    api = await startTestApi(t.store, {}, jobs);
    browser = await launchChromium();
    ({ page, errors } = await openDashboard(browser, api.server.url, OKX));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await jobs?.close();
    await t?.drop();
  });

  it("the picker's ETH entry across venues: tooltip and cluster list show the API's per-venue shares", async () => {
    const entry = await page.$eval(`#market option[value="${AGG}"]`, (o) => ({ label: o.textContent, title: (o as HTMLOptionElement).title }));
    expect(entry.label).toMatch(/^ETH — all venues \((okx, bybit|bybit, okx)\)$/);
    expect(entry.title.split(' + ').sort()).toEqual([BYBIT, OKX]);
    await page.selectOption('#market', AGG);
    await shown(page, AGG, 'all');
    // The cell with the most notional of the window: the tooltip's shares are the API's parts' shares of it.
    const h = await apiHeatmap(api, TARGET, await windowArgs(page));
    expect(h.parts!.map((p) => p.market).sort()).toEqual([BYBIT, OKX]);
    // The largest cell both venues have a part of.
    const k = largest(h, (c) => h.parts!.every((p) => p.share[c]! > 0));
    const n = h.prices.length;
    const d = await hover(page, h.times[Math.floor(k / n)]!, h.prices[k % n]!);
    expect([Number(d.long), Number(d.short)]).toEqual([h.long[k], h.short[k]]);
    const expected = h.parts!.map((p) => ({ market: p.market, share: p.share[k]! })).filter((s) => s.share > 0).sort((a, b) => b.share - a.share);
    expect(expected).toHaveLength(2);
    expect(JSON.parse(d.shares!)).toEqual(expected);
    const name = { [OKX]: 'OKX', [BYBIT]: 'Bybit' } as Record<string, string>;
    const pct = (f: number) => (f < 1 && f >= 0.995 ? `${(Math.floor(f * 1000) / 10).toFixed(1)}%` : `${(f * 100).toFixed(f >= 0.1 ? 0 : 1)}%`);
    expect(d.text).toContain(expected.map((s) => `${pct(s.share)} ${name[s.market]}`).join(', '));
    await screenshot(page, 'dashboard-aggregate-eth-tooltip');
    // The side list: each cluster with its venues' shares, as clusters(symbol:) returns them.
    const at = await page.evaluate(() => new Date(window.liqmapDashboard.data.heatmap.times.at(-1)).toISOString());
    const c = await api.gql(`query($at: DateTime) { clusters(${TARGET}, at: $at) { clusters { notional venues { market share } } } }`, { at });
    expect(c.errors).toBeUndefined();
    const listed = await page.$$eval('#clusters li', (lis) => lis.map((li) => ({ notional: Number(li.dataset.notional), venues: JSON.parse(li.dataset.venues ?? 'null'), text: li.querySelector('.venues')?.textContent })));
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.map(({ notional, venues }) => ({ notional, venues }))).toEqual(c.data!.clusters.clusters);
    // The score is each venue's own.
    await page.waitForFunction(() => document.getElementById('accuracy')!.dataset.state === 'ok', undefined, { timeout: 60_000 });
    expect((await page.textContent('#accuracy'))!.split('\n').map((l) => l.split(' — ')[0])).toEqual(h.parts!.map((p) => name[p.market]));
    // A link naming the base alone (agg:ETH) opens the same entry.
    const linked = await openDashboard(browser, api.server.url, 'agg:ETH');
    expect(await linked.page.inputValue('#market')).toBe(AGG);
    await linked.page.close();
    for (const l of listed) expect(l.text).toBe([...l.venues].sort((a: { share: number }, b: { share: number }) => b.share - a.share).map((v: { market: string; share: number }) => `${pct(v.share)} ${name[v.market]}`).join(', '));
  });

  it('leverage toggles change the canvas to the API cells of those layers, keep every toggle offered, and all back on is the first picture', async () => {
    await shown(page, AGG, 'all');
    const available = (await page.getAttribute('#leverages', 'data-available'))!.split(',').map(Number);
    expect(available.length).toBeGreaterThanOrEqual(3);
    await plotPixels(page, true);
    // Only the two highest leverages (Hyblock's "high leverage"): every other toggle off.
    const high = available.slice(-2);
    for (const l of available.slice(0, -2)) await page.uncheck(`#leverages input[value="${l}"]`);
    await shown(page, AGG, high.join(','));
    const diff = await plotPixels(page, false);
    expect(diff.changed, JSON.stringify(diff)).toBeGreaterThan(diff.total * 0.05);
    await screenshot(page, 'dashboard-aggregate-eth-high-leverage');
    // Every leverage is still offered, the low ones unchecked.
    expect(await page.getAttribute('#leverages', 'data-available')).toBe(available.join(','));
    expect(await page.$$eval('#leverages input:checked', (i) => i.map((x) => Number((x as HTMLInputElement).value)))).toEqual(high);
    // The tooltip reads the API's cell of those layers (not the all-leverage one).
    const args = await windowArgs(page);
    const h = await apiHeatmap(api, TARGET, `${args}, leverages: [${high.join(', ')}]`);
    const all = await apiHeatmap(api, TARGET, args);
    const k = largest(h);
    const n = h.prices.length;
    const d = await hover(page, h.times[Math.floor(k / n)]!, h.prices[k % n]!);
    expect([Number(d.long), Number(d.short)]).toEqual([h.long[k], h.short[k]]);
    const ka = all.times.indexOf(h.times[Math.floor(k / n)]!) * all.prices.length + all.prices.indexOf(h.prices[k % n]!);
    expect(Number(d.long) + Number(d.short)).toBeLessThan(all.long[ka]! + all.short[ka]!);
    // All back on: the leverages argument left out again, and the same picture as before.
    for (const l of available.slice(0, -2)) await page.check(`#leverages input[value="${l}"]`);
    await shown(page, AGG, 'all');
    await page.mouse.move(0, 0);
    expect((await plotPixels(page, false)).changed).toBe(0);
  });

  it('a live column added while some leverages are off shows only those layers, as a full load of them does', async () => {
    await page.selectOption('#market', OKX);
    await shown(page, OKX, 'all');
    const available = (await page.getAttribute('#leverages', 'data-available'))!.split(',').map(Number);
    const high = available.slice(-2);
    for (const l of available.slice(0, -2)) await page.uncheck(`#leverages input[value="${l}"]`);
    await shown(page, OKX, high.join(','));
    const before = await page.evaluate(() => window.liqmapDashboard.data.base.times.at(-1));
    // OKX's held-back day arrives: computed, announced over SSE, fetched as a delta and painted in place.
    await ingestSlices(t.store, jobs, okxFile('candles', HELD_BACK));
    await page.waitForFunction(() => Number(document.getElementById('live')!.dataset.columns ?? 0) > 0, undefined, { timeout: 60_000 });
    // The feed polls the newest checkpoint, so under load it may announce a compute part way
    // (a first column painted, more to come): wait for the page to reach the newest bucket.
    const newest = (await api.gql(`{ clusters(market: "${OKX}") { at } }`)).data!.clusters.at as string;
    await page.waitForFunction((at) => { const L = window.liqmapDashboard.data.base; return L.times.at(-1) === Math.floor(at / L.stepMs) * L.stepMs; }, Date.parse(newest), { timeout: 60_000 });
    const b = await page.evaluate((t0) => {
      const L = window.liqmapDashboard.data.base;
      const cols = L.times.map((t: number, c: number) => ({ t, c })).filter((x: { t: number }) => x.t > t0);
      return { stepMs: L.stepMs, priceBucket: L.priceBucket, p0: L.p0, p1: L.p1, prices: L.prices, times: cols.map((x: { t: number }) => x.t), long: cols.flatMap((x: { c: number }) => L.long.slice(x.c * L.rows, (x.c + 1) * L.rows)), short: cols.flatMap((x: { c: number }) => L.short.slice(x.c * L.rows, (x.c + 1) * L.rows)) };
    }, before);
    expect(b.times.length).toBeGreaterThan(0);
    await screenshot(page, 'dashboard-live-high-leverage');
    // The same columns asked for in full, on the page's grid, with those leverages and without.
    const grid = `from: "${new Date(b.times[0]!).toISOString()}", to: "${new Date(b.times.at(-1)!).toISOString()}", resolutionSeconds: ${b.stepMs / 1000}, priceBucket: ${b.priceBucket}, priceLow: ${b.p0}, priceHigh: ${b.p1 - b.priceBucket / 2}`;
    const h = await apiHeatmap(api, `market: "${OKX}"`, `${grid}, leverages: [${high.join(', ')}]`);
    const all = await apiHeatmap(api, `market: "${OKX}"`, grid);
    expect(h.prices).toEqual(b.prices);
    expect(h.times).toEqual(b.times);
    expect({ long: b.long, short: b.short }).toEqual({ long: h.long, short: h.short });
    expect({ long: b.long, short: b.short }).not.toEqual({ long: all.long, short: all.short });
    // The toggles survived the update (the levels at the new end hold only the layers shown).
    expect(await page.getAttribute('#leverages', 'data-available')).toBe(available.join(','));
    // Late liquidations in the newest column's hour: that bucket is recomputed (the same `at`, a
    // newer data version) and the page fetches and repaints that column again.
    const lastColumn = () => page.evaluate(() => { const L = window.liqmapDashboard.data.base; const c = L.times.length - 1; return { t: L.times[c], cells: [...L.long.slice(c * L.rows, (c + 1) * L.rows), ...L.short.slice(c * L.rows, (c + 1) * L.rows)] }; });
    const stale = await lastColumn();
    await ingestSlices(t.store, jobs, okxFile('liquidations', LATE, LAST_HOUR_END));
    const recomputed = await apiHeatmap(api, `market: "${OKX}"`, `${grid.replace(/from: "[^"]+"/, `from: "${new Date(stale.t).toISOString()}"`)}, leverages: [${high.join(', ')}]`);
    expect(recomputed.times).toEqual([stale.t]);
    const want = [...recomputed.long, ...recomputed.short];
    expect(want).not.toEqual(stale.cells);
    await page.waitForFunction((w) => { const L = window.liqmapDashboard.data.base; const c = L.times.length - 1; const cells = [...L.long.slice(c * L.rows, (c + 1) * L.rows), ...L.short.slice(c * L.rows, (c + 1) * L.rows)]; return cells.length === w.length && cells.every((v: number, i: number) => v === w[i]); }, want, { timeout: 60_000 });
    expect((await lastColumn()).t).toBe(stale.t);
    expect(errors).toEqual([]);
  }, 120_000);

  it("late liquidations spanning several older columns: the page repaints them (and only from there) to the API's heatmap", async () => {
    await shown(page, OKX, (await page.$$eval('#leverages input:checked', (i) => i.map((x) => (x as HTMLInputElement).value))).join(','));
    const leverages = await page.$$eval('#leverages input:checked', (i) => i.map((x) => Number((x as HTMLInputElement).value)));
    const early = Date.parse(`${EARLY}:00Z`);
    /** The page's columns from `t0` on: times and cells. */
    const columnsFrom = (t0: number) =>
      page.evaluate((from) => {
        const L = window.liqmapDashboard.data.base;
        const cols = L.times.map((t: number, c: number) => ({ t, c })).filter((x: { t: number }) => x.t >= from);
        return { stepMs: L.stepMs, priceBucket: L.priceBucket, p0: L.p0, p1: L.p1, times: cols.map((x: { t: number }) => x.t), long: cols.flatMap((x: { c: number }) => L.long.slice(x.c * L.rows, (x.c + 1) * L.rows)), short: cols.flatMap((x: { c: number }) => L.short.slice(x.c * L.rows, (x.c + 1) * L.rows)), all: L.times.length };
      }, t0);
    const stale = await columnsFrom(early);
    expect(stale.times.length).toBeGreaterThanOrEqual(5);
    const deltas: { from: string; to: string }[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/graphql') && r.postData()?.includes('query Delta')) deltas.push((JSON.parse(r.postData()!) as { variables: { from: string; to: string } }).variables);
    });
    await ingestSlices(t.store, jobs, okxFile('liquidations', EARLY, LATE));
    const grid = `from: "${new Date(stale.times[0]!).toISOString()}", to: "${new Date(stale.times.at(-1)!).toISOString()}", resolutionSeconds: ${stale.stepMs / 1000}, priceBucket: ${stale.priceBucket}, priceLow: ${stale.p0}, priceHigh: ${stale.p1 - stale.priceBucket / 2}`;
    const want = await apiHeatmap(api, `market: "${OKX}"`, `${grid}, leverages: [${leverages.join(', ')}]`);
    expect(want.times).toEqual(stale.times);
    // The late rows changed every column from EARLY on, the newest and the older ones.
    const n = want.prices.length;
    const differs = (c: number, g: { long: number[]; short: number[] }) => [...want.long.slice(c * n, (c + 1) * n), ...want.short.slice(c * n, (c + 1) * n)].some((v, j) => v !== [...g.long.slice(c * n, (c + 1) * n), ...g.short.slice(c * n, (c + 1) * n)][j]);
    expect(want.times.filter((_, c) => differs(c, stale)).length).toBeGreaterThanOrEqual(4);
    await page
      .waitForFunction(([from, w]) => {
        const L = window.liqmapDashboard.data.base;
        const cols = L.times.map((t: number, c: number) => ({ t, c })).filter((x: { t: number }) => x.t >= from);
        const long = cols.flatMap((x: { c: number }) => L.long.slice(x.c * L.rows, (x.c + 1) * L.rows));
        const short = cols.flatMap((x: { c: number }) => L.short.slice(x.c * L.rows, (x.c + 1) * L.rows));
        return long.length === w.long.length && long.every((v: number, i: number) => v === w.long[i]) && short.every((v: number, i: number) => v === w.short[i]);
      }, [early, { long: want.long, short: want.short }] as const, { timeout: 60_000 })
      .catch(async (e: Error) => {
        const now = await columnsFrom(early);
        throw new Error(`${e.message}; columns still differing from the API's: ${want.times.filter((_, c) => differs(c, now)).map((t) => new Date(t).toISOString()).join(', ')}; deltas: ${JSON.stringify(deltas)}`);
      });
    await screenshot(page, 'dashboard-live-late-columns');
    // Fetched from the earliest rewritten column on (the compute resumes from the checkpoint before
    // the late rows, kept one a day: here the day's start), never the whole window again.
    const fetchedFrom = Math.min(...deltas.map((d) => Date.parse(d.from)));
    expect(fetchedFrom).toBeLessThanOrEqual(Math.floor(early / stale.stepMs) * stale.stepMs);
    expect(fetchedFrom).toBeGreaterThanOrEqual(Date.parse(EARLY.slice(0, 10)));
    const repainted = Number(await page.getAttribute('#live', 'data-repainted'));
    process.stdout.write(`late rows: the last delta fetched ${repainted} columns from ${new Date(fetchedFrom).toISOString()}, of ${stale.all} in the window\n`);
    expect(repainted).toBeLessThan(stale.all);
    expect(errors).toEqual([]);
  }, 120_000);
});
it.skipIf(HAVE_DATA && !!CHROMIUM)('skips: needs ../shared/data and Chromium (/usr/bin/chromium)', () => {});
