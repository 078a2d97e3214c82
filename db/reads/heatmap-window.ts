import { sql } from 'kysely';
import type { Store } from '../store.js';
import { timestampText } from '../copy-csv.js';
import { LiqmapError } from '../../base/index.js';
import { decodeLayers, sumLayers } from '../results/leverage-layers.js';
import { binaryFloats, decodeFloat8Array } from './float-arrays.js';

/** Which arrays of a heatmap row a window reads. */
export type HeatmapLayer = 'liquidations' | 'openInterest';

/** One time column of a heatmap window: the row standing at the end of a display step. */
export interface HeatmapWindowRow {
  /** Bucket start of the row, epoch ms. */
  readonly t: number;
  /** Close of the bucket, quote. */
  readonly price: number;
  /** Quote per model price bucket. */
  readonly priceStep: number;
  /** Price-bucket index of `a[0]`. */
  readonly aLo: number;
  /** Long liquidations (or open long notional), quote per model price bucket. */
  readonly a: readonly number[];
  readonly bLo: number;
  /** Short liquidations (or open short notional), quote. */
  readonly b: readonly number[];
}

/**
 * Price range and grid of a market's persisted rows in a time range (one cheap aggregate). The
 * model's grid follows the price (its step is re-chosen per UTC day), so rows of one window can
 * have different steps: `priceStep` is the coarsest, `priceSteps` all of them.
 */
export async function heatmapExtent(store: Store, market: string, paramsHash: string, fromMs: number, toMs: number): Promise<{ rows: number; minPrice: number; maxPrice: number; priceStep: number; priceSteps: number[]; firstT: number; lastT: number } | null> {
  const r = await sql<{ n: number; lo: number | null; hi: number | null; step: number | null; steps: number[] | string | null; first: number | null; last: number | null }>`
    select count(*)::int as n, min(price) as lo, max(price) as hi, max(price_step) as step, array_agg(distinct price_step)::float8[] as steps,
      (extract(epoch from min(t)) * 1000)::float8 as first, (extract(epoch from max(t)) * 1000)::float8 as last
    from heatmap_rows where market_id = ${market} and params_hash = ${paramsHash}
      and t >= ${timestampText(fromMs * 1000)}::text::timestamptz and t <= ${timestampText(toMs * 1000)}::text::timestamptz`.execute(store.db);
  const row = r.rows[0];
  if (!row || row.n === 0 || row.lo === null || row.hi === null || row.step === null) return null;
  return { rows: row.n, minPrice: Number(row.lo), maxPrice: Number(row.hi), priceStep: Number(row.step), priceSteps: floats(row.steps), firstT: Number(row.first), lastT: Number(row.last) };
}

/**
 * The persisted rows of [fromMs, toMs], one per display step of `stepMs` (the last row of each
 * step: the levels standing at its end), with each array sliced in SQL to the price buckets that
 * overlap [priceLo, priceHi] on that row's own grid, so a wide heatmap never ships cells it does
 * not draw.
 */
export async function readHeatmapWindow(
  store: Store,
  q: { market: string; paramsHash: string; fromMs: number; toMs: number; stepMs: number; priceLo: number; priceHi: number; layer: HeatmapLayer; leverages?: readonly number[] | undefined },
): Promise<HeatmapWindowRow[]> {
  if (q.leverages) return readLayerWindow(store, { ...q, leverages: q.leverages });
  const step = Math.max(1, Math.trunc(q.stepMs));
  if (!(Number.isFinite(q.priceLo) && Number.isFinite(q.priceHi))) throw new TypeError('readHeatmapWindow: price range must be finite');
  const [a, aLo, b, bLo] = q.layer === 'liquidations' ? ['long', 'long_lo', 'short', 'short_lo'] : ['oi_long', 'oi_lo', 'oi_short', 'oi_lo'];
  // Per row: the bucket indexes of the price range on its own grid.
  const lo = `floor(${q.priceLo} / h.price_step)::int`;
  const hi = `floor(${q.priceHi} / h.price_step)::int`;
  // Pick the rows first, so only the picked rows' arrays are read and sliced.
  const slice = (col: string, base: string) => sql.raw(binaryFloats(`h.${col}[greatest(1, ${lo} - h.${base} + 1) : ${hi} - h.${base} + 1]`));
  const from = (base: string) => sql.raw(`greatest(h.${base}, ${lo})`);
  const r = await sql<{ t: number; price: number; step: number; a_lo: number; a: string; b_lo: number; b: string }>`
    with pick as (${pickRows(q, step)})
    select (extract(epoch from h.t) * 1000)::float8 as t, h.price, h.price_step as step,
      ${from(aLo)} as a_lo, ${slice(a, aLo)} as a, ${from(bLo)} as b_lo, ${slice(b, bLo)} as b
    from heatmap_rows h join pick p on p.t = h.t
    where h.market_id = ${q.market} and h.params_hash = ${q.paramsHash}
    order by h.t`.execute(store.db);
  return r.rows.map((x) => ({ t: Number(x.t), price: Number(x.price), priceStep: Number(x.step), aLo: Number(x.a_lo), a: decodeFloat8Array(x.a), bLo: Number(x.b_lo), b: decodeFloat8Array(x.b) }));
}

/**
 * {@link readHeatmapWindow} of the liquidation levels of some leverages only: the picked rows'
 * leverage layers, summed over `leverages` and cut to the price range here. A row computed
 * before layers were kept is NOT_READY (such rows are recomputed since migration 0009).
 */
async function readLayerWindow(store: Store, q: Parameters<typeof readHeatmapWindow>[1] & { leverages: readonly number[] }): Promise<HeatmapWindowRow[]> {
  const step = Math.max(1, Math.trunc(q.stepMs));
  const r = await sql<{ t: number; price: number; step: number } & Parameters<typeof decodeLayers>[0]>`
    with pick as (${pickRows(q, step)})
    select (extract(epoch from h.t) * 1000)::float8 as t, h.price, h.price_step as step, h.lev, h.lev_long_lo, h.lev_long_n, h.lev_long, h.lev_short_lo, h.lev_short_n, h.lev_short
    from heatmap_rows h join pick p on p.t = h.t
    where h.market_id = ${q.market} and h.params_hash = ${q.paramsHash}
    order by h.t`.execute(store.db);
  const want = new Set(q.leverages);
  return r.rows.map((x) => {
    const layers = decodeLayers(x);
    if (!layers) throw new LiqmapError('NOT_READY', `the levels of ${q.market} at ${new Date(Number(x.t)).toISOString()} were computed before leverage layers were kept; the workers recompute them (ask again shortly, or without leverages)`);
    const s = sumLayers(layers, want);
    const priceStep = Number(x.step);
    const cut = (lo: number, values: readonly number[]) => {
      const a = Math.max(lo, Math.floor(q.priceLo / priceStep));
      const b = Math.floor(q.priceHi / priceStep);
      return { lo: a, values: values.slice(a - lo, Math.max(a - lo, b - lo + 1)) };
    };
    const a = cut(s.longLo, s.long);
    const b = cut(s.shortLo, s.short);
    return { t: Number(x.t), price: Number(x.price), priceStep, aLo: a.lo, a: a.values, bLo: b.lo, b: b.values };
  });
}

/** The rows a window shows: per display step of `step` ms, the last row (the levels standing at its end). */
function pickRows(q: { market: string; paramsHash: string; fromMs: number; toMs: number }, step: number) {
  // date_bin: an 8-byte timestamp key, not a numeric from extract(epoch).
  const col = sql.raw(`date_bin('${step} milliseconds', t, timestamptz 'epoch')`);
  return sql`select distinct on (${col}) t from heatmap_rows
    where market_id = ${q.market} and params_hash = ${q.paramsHash}
      and t >= ${timestampText(q.fromMs * 1000)}::text::timestamptz and t <= ${timestampText(q.toMs * 1000)}::text::timestamptz
    order by ${col}, t desc`;
}

/** float8[] as the driver hands it over (an array, or `{…}` text on some paths). */
export function floats(v: number[] | string | null): number[] {
  if (v === null) return [];
  if (Array.isArray(v)) return v.map(Number);
  const body = v.replace(/^\{|\}$/g, '');
  return body === '' ? [] : body.split(',').map(Number);
}
