import { globalDataVersion, readRealizedLiquidations } from '../../db/index.js';
import type { ApiContext, ApiDeps } from '../context.js';
import { createLoaders } from '../context.js';
import { toUserError, userError } from '../errors.js';
import { checkHeatmapArgs, readHeatmap } from '../levels/heatmap.js';
import { DEFAULT_WINDOW_MS, resultsFor } from '../schema/levels.js';
import { checkRange } from '../schema/market-arg.js';
import { microsFromIso } from '../schema/scalars.js';
import { toRenderInput } from './heatmap-png.js';
import { RenderPool } from './render-pool.js';
import { bodyOf } from '../fetch-body.js';

/** Largest image the endpoint renders, pixels per side and in all (4,000,000 = 16 MB of RGBA). */
export const MAX_PNG_SIDE = 4000;
export const MAX_PNG_PIXELS = 4_000_000;
/** Realized liquidations drawn at most (the window's first), so an image's work stays bounded. */
export const MAX_PNG_LIQUIDATIONS = 50_000;
/** Rendered images kept for repeated requests (until the data version changes), bytes. */
const CACHE_BYTES = 64 * 1024 * 1024;

function numberParam(q: URLSearchParams, name: string, fallback?: number): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw userError('BAD_USER_INPUT', `${name}=${raw.slice(0, 30)} is not a number`);
  return n;
}

/** Images by request and data version, LRU-bounded by bytes. */
class PngCache {
  readonly #entries = new Map<string, { png: Buffer; version: number }>();
  #bytes = 0;
  get(key: string, version: number): Buffer | null {
    const e = this.#entries.get(key);
    if (!e) return null;
    this.#entries.delete(key);
    if (e.version !== version) {
      this.#bytes -= e.png.length;
      return null;
    }
    this.#entries.set(key, e);
    return e.png;
  }
  put(key: string, png: Buffer, version: number): void {
    if (png.length > CACHE_BYTES / 4) return;
    const old = this.#entries.get(key);
    if (old) this.#bytes -= old.png.length;
    this.#entries.set(key, { png, version });
    this.#bytes += png.length;
    for (const [k, e] of this.#entries) {
      if (this.#bytes <= CACHE_BYTES) break;
      this.#entries.delete(k);
      this.#bytes -= e.png.length;
    }
  }
}

/**
 * `GET /heatmap.png?market=…&from=…&to=…[&width=900&height=450&timeBucketSeconds=&priceBucket=
 * &resolutionSeconds=&priceLow=&priceHigh=]`: the `heatmap` query's answer, rendered
 * server-side (same defaults, limits and colour scale as the dashboard; with a title naming the
 * market, window, basis and parameters, the price axis, the time axis, the legend and the realized
 * liquidations, so a pasted image explains itself) in a render thread, and
 * kept until the data version changes (identical concurrent requests share one render). Like
 * GraphQL it serves and never computes: parameters other than the served sets answer 503
 * NOT_READY. A caller's mistake is a 400 with `{ error, code }`.
 */
export function heatmapPngRoute(deps: ApiDeps): ((request: Request) => Promise<Response>) & { close(): Promise<void> } {
  const pool = new RenderPool();
  const cache = new PngCache();
  const inFlight = new Map<string, Promise<Buffer>>();
  const route = async (request: Request): Promise<Response> => {
    const url = new URL(request.url, 'http://localhost');
    const q = url.searchParams;
    const ctx: ApiContext = { ...deps, loaders: createLoaders(deps.store), authorized: false };
    try {
      const market = q.get('market');
      if (!market) throw userError('BAD_USER_INPUT', 'market is required, e.g. /heatmap.png?market=binance:BTCUSDT');
      const width = Math.round(numberParam(q, 'width', 900)!);
      const height = Math.round(numberParam(q, 'height', 450)!);
      if (width < 16 || height < 16 || width > MAX_PNG_SIDE || height > MAX_PNG_SIDE) throw userError('BAD_USER_INPUT', `width and height must be between 16 and ${MAX_PNG_SIDE} pixels (got ${width} × ${height})`);
      if (width * height > MAX_PNG_PIXELS) throw userError('BAD_USER_INPUT', `width × height = ${width * height} pixels; at most ${MAX_PNG_PIXELS} (e.g. 2000 × 2000)`);
      const shape = { resolutionSeconds: numberParam(q, 'resolutionSeconds'), priceBucket: numberParam(q, 'priceBucket'), priceLow: numberParam(q, 'priceLow'), priceHigh: numberParam(q, 'priceHigh') };
      checkHeatmapArgs(shape, ctx.config.LIQMAP_MAX_RANGE_DAYS * 86_400);
      const fromUs = q.get('from') ? microsFromIso(q.get('from')!) : null;
      const toUs = q.get('to') ? microsFromIso(q.get('to')!) : null;
      if (fromUs !== null && toUs !== null) checkRange(ctx, fromUs, toUs, 'heatmap.png');
      const version = await globalDataVersion(deps.store);
      const key = [...q.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join('&');
      let png = cache.get(key, version);
      if (!png) {
        let run = inFlight.get(`${key}|${version}`);
        if (!run) {
          run = (async () => {
            const ref = await resultsFor(ctx, { market, timeBucketSeconds: numberParam(q, 'timeBucketSeconds') ?? null }, toUs);
            const toMs = toUs === null ? ref.span.lastMs : toUs / 1000;
            const fromMs = fromUs === null ? toMs - DEFAULT_WINDOW_MS : fromUs / 1000;
            checkRange(ctx, fromMs * 1000, toMs * 1000, 'heatmap.png');
            const m = await readHeatmap(ctx, ref, 'liquidations', { fromMs, toMs, ...shape });
            const liquidations = await readRealizedLiquidations(ctx.store, ref.market, fromMs, toMs + m.resolutionSeconds * 1000, MAX_PNG_LIQUIDATIONS);
            return pool.render(toRenderInput(m, { market: ref.market, basis: ref.basis, paramsHash: ref.paramsHash, fromMs, toMs }, liquidations), { width, height });
          })().finally(() => inFlight.delete(`${key}|${version}`));
          inFlight.set(`${key}|${version}`, run);
        }
        png = await run;
        cache.put(key, png, version);
      }
      return new Response(bodyOf(png), { status: 200, headers: { 'content-type': 'image/png', 'content-length': String(png.length), 'cache-control': 'public, max-age=30' } });
    } catch (e) {
      const busy = e instanceof Error && /queue is at limit|Task queue is at limit/i.test(e.message);
      const user = busy ? userError('NOT_READY', 'every render thread is busy and the queue is full; ask again shortly') : toUserError(e);
      if (!user) throw e;
      const code = String(user.extensions.code);
      const status = code === 'NOT_READY' ? 503 : 400;
      const body = JSON.stringify({ error: user.message, code, ...(user.extensions.jobId ? { jobId: user.extensions.jobId } : {}) });
      return new Response(body, { status, headers: { 'content-type': 'application/json', ...(status === 503 ? { 'retry-after': '5' } : {}) } });
    }
  };
  return Object.assign(route, { close: () => pool.close() });
}
