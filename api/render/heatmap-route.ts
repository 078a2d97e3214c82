import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiContext, ApiDeps } from '../context.js';
import { createLoaders } from '../context.js';
import { toUserError, userError } from '../errors.js';
import { readHeatmap } from '../levels/heatmap.js';
import { DEFAULT_WINDOW_MS, resultsFor } from '../schema/levels.js';
import { checkRange } from '../schema/market-arg.js';
import { microsFromIso } from '../schema/scalars.js';
import { renderHeatmapPng } from './heatmap-png.js';

/** Largest image the endpoint renders, pixels per side. */
export const MAX_PNG_SIDE = 4000;

function numberParam(q: URLSearchParams, name: string, fallback?: number): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw userError('BAD_USER_INPUT', `${name}=${raw.slice(0, 30)} is not a number`);
  return n;
}

/**
 * `GET /heatmap.png?market=…&from=…&to=…[&width=900&height=450&timeBucketSeconds=&priceBucket=
 * &resolutionSeconds=&priceLow=&priceHigh=]`: the `heatmap` query's answer, rendered
 * server-side (same defaults, limits and colour scale as the dashboard). A caller's mistake is
 * a 400 with `{ error, code }`.
 */
export function heatmapPngRoute(deps: ApiDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const q = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const ctx: ApiContext = { ...deps, loaders: createLoaders(deps.store), authorized: false };
    try {
      const market = q.get('market');
      if (!market) throw userError('BAD_USER_INPUT', 'market is required, e.g. /heatmap.png?market=binance:BTCUSDT');
      const width = Math.round(numberParam(q, 'width', 900)!);
      const height = Math.round(numberParam(q, 'height', 450)!);
      if (width < 16 || height < 16 || width > MAX_PNG_SIDE || height > MAX_PNG_SIDE) throw userError('BAD_USER_INPUT', `width and height must be between 16 and ${MAX_PNG_SIDE} pixels`);
      const fromUs = q.get('from') ? microsFromIso(q.get('from')!) : null;
      const toUs = q.get('to') ? microsFromIso(q.get('to')!) : null;
      if (fromUs !== null && toUs !== null) checkRange(ctx, fromUs, toUs, 'heatmap.png');
      const ref = await resultsFor(ctx, { market, timeBucketSeconds: numberParam(q, 'timeBucketSeconds') ?? null }, toUs);
      const toMs = toUs === null ? ref.span.lastMs : toUs / 1000;
      const fromMs = fromUs === null ? toMs - DEFAULT_WINDOW_MS : fromUs / 1000;
      const m = await readHeatmap(ctx, ref, 'liquidations', {
        fromMs,
        toMs,
        resolutionSeconds: numberParam(q, 'resolutionSeconds'),
        priceBucket: numberParam(q, 'priceBucket'),
        priceLow: numberParam(q, 'priceLow'),
        priceHigh: numberParam(q, 'priceHigh'),
      });
      const png = renderHeatmapPng(m, { width, height });
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length, 'cache-control': 'public, max-age=30' }).end(png);
    } catch (e) {
      const user = toUserError(e);
      if (!user) throw e;
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: user.message, code: user.extensions.code }));
    }
  };
}
