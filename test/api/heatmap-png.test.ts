import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestDemo } from '../../indexer/index.js';
import { computeMarket } from '../../jobs/index.js';
import { pngLayout, type PngRect } from '../../api/render/heatmap-png.js';
import { VIRIDIS } from '../../api/render/viridis.js';
import { createTestStore, type TestStore } from '../_setup/store.js';
import { startTestApi, type TestApi } from '../_setup/api.js';

const MARKET = 'demo:BTCUSDT';

describe('/heatmap.png: bounded, rendered off the event loop, cached by data version, never computing', () => {
  let t: TestStore;
  let api: TestApi;
  beforeAll(async () => {
    t = await createTestStore();
    await ingestDemo(t.store, { days: 6 / 24 });
    await computeMarket(t.store, { market: MARKET });
    api = await startTestApi(t.store);
  }, 120_000);
  afterAll(async () => {
    await api?.close();
    await t?.drop();
  });

  it('refuses oversized images, bad grids and over-long ranges with a 400 naming the problem', async () => {
    const cases: [string, string, string][] = [
      ['width=5000', 'BAD_USER_INPUT', 'width and height must be between 16 and 4000'],
      ['width=3000&height=3000', 'BAD_USER_INPUT', 'at most 4000000'],
      ['priceBucket=-1', 'BAD_USER_INPUT', 'priceBucket = -1'],
      ['resolutionSeconds=0', 'BAD_USER_INPUT', 'resolutionSeconds = 0'],
      ['from=2023-01-01T00:00:00Z', 'RANGE_TOO_LARGE', 'at most 31 days'],
      ['resolutionSeconds=60&priceBucket=0.01&priceLow=1&priceHigh=100000', 'RANGE_TOO_LARGE', 'cells'],
    ];
    for (const [query, code, text] of cases) {
      const r = await api.get(`/heatmap.png?market=${MARKET}&${query}`);
      expect(r.status, query).toBe(400);
      const body = (await r.json()) as { code: string; error: string };
      expect(body.code, query).toBe(code);
      expect(body.error, query).toContain(text);
    }
  });

  it('draws the legend in a band of its own, under the time axis: never over cells or the time labels', async () => {
    const size = { width: 900, height: 450 };
    const r = await api.get(`/heatmap.png?market=${MARKET}&from=2024-01-01T01:00:00Z&to=2024-01-01T05:00:00Z&width=${size.width}&height=${size.height}`);
    expect(r.status).toBe(200);
    const png = PNG.sync.read(Buffer.from(await r.arrayBuffer()));
    const px = (x: number, y: number) => { const o = (y * png.width + x) * 4; return [png.data[o]!, png.data[o + 1]!, png.data[o + 2]!] as const; };
    const pixels = (b: PngRect) => { const out: { x: number; y: number; c: readonly [number, number, number] }[] = []; for (let y = b.y; y < b.y + b.h; y++) for (let x = b.x; x < b.x + b.w; x++) out.push({ x, y, c: px(x, y) }); return out; };
    // Text, ticks, the close line and the background are grey; cells and the scale are viridis (coloured).
    const coloured = (c: readonly number[]) => Math.max(...c) - Math.min(...c) > 24;
    const { plot, timeAxis, legend } = pngLayout(size);
    // The bands stack without overlapping: plot, time axis, legend, the image's bottom edge.
    expect(timeAxis.y).toBe(plot.y + plot.h);
    expect(legend.y).toBe(timeAxis.y + timeAxis.h);
    expect(legend.y + legend.h).toBe(size.height);
    // Cells fill the plot down to its last row.
    const bottomRow = pixels({ x: plot.x, y: plot.y + plot.h - 1, w: plot.w, h: 1 });
    expect(bottomRow.filter((p) => coloured(p.c)).length).toBeGreaterThan(plot.w * 0.5);
    // The time axis band: labels (light grey) and nothing coloured, so no part of the scale.
    const axis = pixels(timeAxis);
    expect(axis.filter((p) => p.c.every((v) => v > 150)).length).toBeGreaterThan(100);
    expect(axis.filter((p) => coloured(p.c))).toEqual([]);
    // The scale: a left-to-right viridis gradient, wholly inside the legend band; nothing else there is coloured.
    const lw = Math.min(260, Math.floor(size.width * 0.4));
    const near = (a: readonly number[], b: readonly number[]) => a.every((v, i) => Math.abs(v - b[i]!) <= 3);
    const barRows: number[] = [];
    for (let y = 0; y < size.height; y++) if (Array.from({ length: lw }, (_, i) => i).every((i) => near(px(6 + i, y), VIRIDIS[Math.round((i / (lw - 1)) * 255)]!))) barRows.push(y);
    expect(barRows.length).toBeGreaterThanOrEqual(6);
    expect(barRows[0]!).toBeGreaterThanOrEqual(legend.y);
    expect(barRows.at(-1)!).toBeLessThan(legend.y + legend.h);
    const stray = pixels(legend).filter((p) => coloured(p.c) && !(barRows.includes(p.y) && p.x >= 6 && p.x < 6 + lw));
    expect(stray).toEqual([]);
  });

  it('answers 503 NOT_READY at once for parameters it does not serve, and computes nothing', async () => {
    const started = performance.now();
    const r = await api.get(`/heatmap.png?market=${MARKET}&timeBucketSeconds=300`);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(r.status).toBe(503);
    expect(((await r.json()) as { code: string }).code).toBe('NOT_READY');
    const rows = await sql<{ n: number }>`select count(distinct params_hash)::int as n from heatmap_rows`.execute(t.store.db);
    expect(rows.rows[0]!.n).toBe(1);
  });

  it('keeps /healthz under 50 ms (p95) while several large images render, and serves a repeat from the cache', async () => {
    // Big images of a small window: the render is the heavy part (what must leave the event loop).
    const big = (i: number) => `/heatmap.png?market=${MARKET}&from=2024-01-01T01:00:00Z&to=2024-01-01T02:00:00Z&width=1600&height=1600&priceHigh=${46000 + i}`;
    // Warm-up: the render threads start (and load their code) once.
    expect((await api.get(big(100))).status).toBe(200);
    // Rounds of three renders until enough probes ran during them: on an idle machine one round
    // can finish within 20 probes, which would prove nothing about the event loop.
    const latencies: number[] = [];
    const images: Buffer[] = [];
    for (let round = 0; latencies.length <= 20 && round < 6; round++) {
      let rendering = true;
      const renders = Promise.all([0, 1, 2].map(async (i) => {
        const r = await api.get(big(round * 3 + i));
        expect(r.status).toBe(200);
        return Buffer.from(await r.arrayBuffer());
      })).finally(() => (rendering = false));
      while (rendering) {
        const s = performance.now();
        expect((await api.get('/healthz')).status).toBe(200);
        latencies.push(performance.now() - s);
        await new Promise((r) => setTimeout(r, 10));
      }
      images.push(...(await renders));
    }
    const idle: number[] = [];
    for (let i = 0; i < latencies.length && i < 200; i++) {
      const s = performance.now();
      await api.get('/healthz');
      idle.push(performance.now() - s);
      await new Promise((r) => setTimeout(r, 10));
    }
    const q = (a: number[], p: number) => [...a].sort((x, y) => x - y)[Math.floor(a.length * p)]!;
    // The 95th percentile under 50 ms, not every probe: on this loaded 2-core machine (load ~20
    // while measured) the scheduler alone delays an idle loop by tens of ms now and then (the
    // same probe once the renders are done: p99 16 ms, max 39 ms). A render on the event loop
    // holds the probes for seconds (4.5 s measured with the thread pool bypassed).
    expect(q(latencies, 0.95)).toBeLessThan(50);
    expect(Math.max(...latencies)).toBeLessThan(1000);
    expect(q(latencies, 0.5)).toBeLessThan(Math.max(10, 3 * q(idle, 0.5)));
    expect(latencies.length).toBeGreaterThan(20);
    const png = PNG.sync.read(images[0]!);
    expect([png.width, png.height]).toEqual([1600, 1600]);
    // The same request again: the cached bytes, much faster than a render.
    const s = performance.now();
    const again = Buffer.from(await (await api.get(big(0))).arrayBuffer());
    expect(performance.now() - s).toBeLessThan(100);
    expect(again.equals(images[0]!)).toBe(true);
  }, 60_000);
});
