import type { Browser, BrowserContext, Page } from 'playwright-core';

// In-page measurements of the dashboard with the Performance API (shared by the browser test
// and bench/dashboard.bench.ts). Each returns plain numbers, milliseconds or frames per second.

/**
 * Defines esbuild's `__name` helper in every page. Run under tsx (`npm run bench`, the scripts),
 * esbuild keeps function names by wrapping each named function in a `__name(fn, "name")` call,
 * and playwright sends a `page.evaluate` function's source text to the page, where that helper
 * does not exist (ReferenceError: __name is not defined). A string, so it is not rewritten itself.
 */
export const KEEP_NAMES_SHIM = 'globalThis.__name = globalThis.__name || ((f) => f);';

/** A browser context whose pages run functions compiled by tsx ({@link KEEP_NAMES_SHIM}). */
export async function evaluableContext(browser: Browser, viewport = { width: 1500, height: 900 }): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport });
  await context.addInitScript(KEEP_NAMES_SHIM);
  return context;
}

/** Frames of a pan/zoom run: the view changed by real wheel and drag events each animation frame. */
export const PAN_ZOOM_FRAMES = 120;

/** First paint of the heatmap after navigation (the `liqmap:first-paint` mark), ms. */
export async function firstPaintMs(page: Page): Promise<number> {
  await page.waitForFunction(() => performance.getEntriesByName('liqmap:first-paint', 'mark').length > 0, undefined, { timeout: 240_000 });
  return page.evaluate(() => performance.getEntriesByName('liqmap:first-paint', 'mark')[0]!.startTime);
}

/**
 * Pan and zoom at animation-frame pace: each frame dispatches a wheel event (zoom in, then out)
 * and a pointer drag step to the chart's own handlers, which repaint on the next frame. Returns
 * the frames painted per second of wall time and the median and 95th-percentile paint times.
 */
export async function panZoom(page: Page, frames = PAN_ZOOM_FRAMES): Promise<{ fps: number; medianPaintMs: number; p95PaintMs: number; frames: number }> {
  return page.evaluate(async (n) => {
    const app = (window as unknown as { liqmapDashboard: { chart: { overlay: HTMLCanvasElement; frames: number; view: { plot: { w: number; h: number } } } } }).liqmapDashboard;
    const c = app.chart.overlay;
    const r = c.getBoundingClientRect();
    const at = { clientX: r.left + app.chart.view.plot.w * 0.6, clientY: r.top + app.chart.view.plot.h * 0.5 };
    performance.clearMeasures('liqmap:frame');
    const before = app.chart.frames;
    c.dispatchEvent(new PointerEvent('pointerdown', { ...at, pointerId: 1, bubbles: true }));
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      await new Promise(requestAnimationFrame);
      c.dispatchEvent(new WheelEvent('wheel', { ...at, deltaY: i < n / 2 ? -40 : 40, bubbles: true, cancelable: true }));
      c.dispatchEvent(new PointerEvent('pointermove', { clientX: at.clientX - (i % 20) * 3, clientY: at.clientY + (i % 10), pointerId: 1, bubbles: true }));
    }
    await new Promise(requestAnimationFrame);
    const elapsed = performance.now() - t0;
    c.dispatchEvent(new PointerEvent('pointerup', { ...at, pointerId: 1, bubbles: true }));
    const paints = performance.getEntriesByName('liqmap:frame').map((e) => e.duration).sort((a, b) => a - b);
    const painted = app.chart.frames - before;
    return { fps: (painted / elapsed) * 1000, medianPaintMs: paints[Math.floor(paints.length / 2)] ?? 0, p95PaintMs: paints[Math.floor(paints.length * 0.95)] ?? 0, frames: painted };
  }, frames);
}

/**
 * The baseline of a pan/zoom frame: the same cells on screen repainted one rectangle each
 * (fillRect per cell, the straightforward canvas heatmap) for `frames` frames at the same view
 * changes. Returns its frames per second and 95th-percentile paint time.
 */
export async function naiveRedraw(page: Page, frames = PAN_ZOOM_FRAMES): Promise<{ fps: number; p95PaintMs: number; frames: number }> {
  return page.evaluate(async (n) => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const app = (window as any).liqmapDashboard;
    const { VIRIDIS, colourIndex } = await import('/dashboard/viridis.js' as string);
    const L = app.chart.layers.base;
    const v = app.chart.view;
    const ctx = (app.chart.canvas as HTMLCanvasElement).getContext('2d')!;
    const paints: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      await new Promise(requestAnimationFrame);
      v.zoomTime(Math.exp((i < n / 2 ? -40 : 40) * 0.0015), v.tAt(v.plot.w * 0.6));
      v.panPixels(-3, 1);
      const s = performance.now();
      ctx.fillStyle = '#000';
      ctx.fillRect(0, 0, v.plot.w, v.plot.h);
      for (let slot = 0; slot < L.slots; slot++) {
        const col = L.slotCol[slot];
        if (col < 0) continue;
        const x0 = v.x(L.s0 + slot * L.stepMs);
        const x1 = v.x(L.s0 + (slot + 1) * L.stepMs);
        if (x1 < 0 || x0 > v.plot.w) continue;
        for (let j = 0; j < L.rows; j++) {
          const c = VIRIDIS[colourIndex(L.long[col * L.rows + j] + L.short[col * L.rows + j], L.scaleMax)];
          ctx.fillStyle = `rgb(${c[0]},${c[1]},${c[2]})`;
          const y0 = v.y(L.prices[j] + L.priceBucket);
          ctx.fillRect(x0, y0, x1 - x0 + 0.5, v.y(L.prices[j]) - y0 + 0.5);
        }
      }
      paints.push(performance.now() - s);
    }
    const elapsed = performance.now() - t0;
    paints.sort((a, b) => a - b);
    return { fps: (n / elapsed) * 1000, p95PaintMs: paints[Math.floor(paints.length * 0.95)] ?? 0, frames: n };
  }, frames);
}

/**
 * The first paint's data floor on a fresh page, as a visitor's browser would meet it: a
 * navigation to a page of the same origin (served by playwright, not the API, so it costs the
 * server nothing) whose inline script asks the API for the markets and then `heatmap` (the same
 * queries the dashboard's first paint waits for) and parses both; returns the ms from navigation
 * to both parsed. Run alternately with the dashboard's visits it tells what the machine and the
 * server take for the data alone at that moment, so the dashboard's own share can be told apart.
 */
export async function dataFloorMs(browser: Browser, origin: string, heatmap: { query: string; variables: object }, markets: string, viewport = { width: 1500, height: 900 }): Promise<number> {
  const page = await browser.newPage({ viewport });
  try {
    const script = `(async () => {
      const post = (query, variables) => fetch('/graphql', { priority: 'high', method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ query, variables }) }).then((r) => r.json());
      await post(${JSON.stringify(markets)}, {});
      const h = await post(${JSON.stringify(heatmap.query)}, ${JSON.stringify(heatmap.variables)});
      if (!h.data) throw new Error('no heatmap');
      window.floorMs = performance.now();
    })();`;
    await page.route(`${origin}/__data-floor`, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: `<!doctype html><html><body><script>${script}</script></body></html>` }));
    await page.goto(`${origin}/__data-floor`);
    await page.waitForFunction(() => typeof (window as unknown as { floorMs?: number }).floorMs === 'number', undefined, { timeout: 240_000 });
    return await page.evaluate(() => (window as unknown as { floorMs: number }).floorMs);
  } finally {
    await page.close();
  }
}
