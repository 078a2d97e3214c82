import { sql } from 'kysely';
import type { Store } from '../store.js';
import type { LevelRow } from '../../engine/index.js';
import { timestampText } from '../copy-csv.js';
import { floats } from './heatmap-window.js';

/** Persisted clusters of one bucket, with the price at that bucket (a prediction to score). */
export interface PredictionRow {
  /** Bucket start, epoch ms. */
  readonly t: number;
  /** Close of the bucket, quote. */
  readonly price: number;
  readonly clusters: readonly { side: 'long' | 'short'; priceLow: number; priceHigh: number; peakPrice: number; notional: number; shareOfSide: number; distanceFraction: number }[];
}

/**
 * Persisted predictions in [fromMs, toMs], at most one per `everyMs` (the first bucket of each
 * step), so a month-long backtest scores a bounded number of predictions.
 */
export async function readPredictions(store: Store, market: string, paramsHash: string, fromMs: number, toMs: number, everyMs: number): Promise<PredictionRow[]> {
  const step = sql.raw(String(Math.max(1, Math.trunc(everyMs))));
  const r = await sql<{ t: number; price: number; side: string | null; price_low: number; price_high: number; peak_price: number; notional: number; share_of_side: number; distance: number }>`
    with pick as (
      select distinct on (floor(extract(epoch from t) * 1000 / ${step})) t, price
      from heatmap_rows
      where market_id = ${market} and params_hash = ${paramsHash}
        and t >= ${timestampText(fromMs * 1000)}::text::timestamptz and t <= ${timestampText(toMs * 1000)}::text::timestamptz
      order by floor(extract(epoch from t) * 1000 / ${step}), t
    )
    select (extract(epoch from p.t) * 1000)::float8 as t, p.price, c.side, c.price_low, c.price_high, c.peak_price, c.notional, c.share_of_side, c.distance
    from pick p left join clusters c on c.market_id = ${market} and c.params_hash = ${paramsHash} and c.t = p.t
    order by p.t, c.rank`.execute(store.db);
  const out: { t: number; price: number; clusters: PredictionRow['clusters'][number][] }[] = [];
  for (const x of r.rows) {
    const t = Number(x.t);
    let last = out.at(-1);
    if (!last || last.t !== t) out.push((last = { t, price: Number(x.price), clusters: [] }));
    if (x.side === 'long' || x.side === 'short') {
      last.clusters.push({ side: x.side, priceLow: Number(x.price_low), priceHigh: Number(x.price_high), peakPrice: Number(x.peak_price), notional: Number(x.notional), shareOfSide: Number(x.share_of_side), distanceFraction: Number(x.distance) });
    }
  }
  return out;
}

/** A realized liquidation (force order) as a backtest reads it: floats, quote notional. */
export interface RealizedRow {
  /** Epoch ms. */
  readonly t: number;
  readonly price: number;
  /** Quote: the record's notional, or price × quantity. */
  readonly notional: number;
  /** Forced-order side (`sell` liquidated a long), or null when the source did not say. */
  readonly side: 'buy' | 'sell' | null;
}

/** Realized liquidations of a market in (fromMs, toMs], in time order. */
export async function readRealizedLiquidations(store: Store, market: string, fromMs: number, toMs: number, limit?: number): Promise<RealizedRow[]> {
  const r = await sql<{ t: number; price: number; notional: number; side: string | null }>`
    select (extract(epoch from ts) * 1000)::float8 as t, price::float8 as price, coalesce(notional, price * qty)::float8 as notional, side
    from liquidations where market_id = ${market}
      and ts > ${timestampText(fromMs * 1000)}::text::timestamptz and ts <= ${timestampText(toMs * 1000)}::text::timestamptz
    order by ts ${limit === undefined ? sql`` : sql`limit ${Math.max(0, Math.trunc(limit))}`}`.execute(store.db);
  return r.rows.map((x) => ({ t: Number(x.t), price: Number(x.price), notional: Number(x.notional), side: x.side === 'buy' || x.side === 'sell' ? x.side : null }));
}

/**
 * Persisted liquidation levels in [fromMs, toMs], at most one row per `everyMs` (the first of
 * each step, as {@link readPredictions}), each row's arrays sliced in SQL to the prices within
 * ±`band` (fraction) of its own price, on its own price step, so scoring a long range never
 * ships whole rows.
 */
export async function readPredictionLevels(store: Store, market: string, paramsHash: string, fromMs: number, toMs: number, everyMs: number, band: number): Promise<LevelRow[]> {
  const step = sql.raw(String(Math.max(1, Math.trunc(everyMs))));
  const lo = sql.raw(String(Math.max(0, 1 - band)));
  const hi = sql.raw(String(1 + band));
  const r = await sql<{ t: number; price: number; step: number; l_lo: number; l: number[] | string | null; s_lo: number; s: number[] | string | null }>`
    with pick as (
      select distinct on (floor(extract(epoch from t) * 1000 / ${step})) t
      from heatmap_rows
      where market_id = ${market} and params_hash = ${paramsHash}
        and t >= ${timestampText(fromMs * 1000)}::text::timestamptz and t <= ${timestampText(toMs * 1000)}::text::timestamptz
      order by floor(extract(epoch from t) * 1000 / ${step}), t
    ), b as (
      select h.t, h.price, h.price_step, h.long_lo, h.long, h.short_lo, h.short,
        floor(h.price * ${lo} / h.price_step)::int as i_lo, ceil(h.price * ${hi} / h.price_step)::int as i_hi
      from heatmap_rows h join pick p on p.t = h.t
      where h.market_id = ${market} and h.params_hash = ${paramsHash}
    )
    select (extract(epoch from t) * 1000)::float8 as t, price, price_step as step,
      greatest(long_lo, i_lo) as l_lo, long[greatest(1, i_lo - long_lo + 1) : i_hi - long_lo + 1] as l,
      greatest(short_lo, i_lo) as s_lo, short[greatest(1, i_lo - short_lo + 1) : i_hi - short_lo + 1] as s
    from b order by t`.execute(store.db);
  const map = (base: number, xs: number[]) => {
    const m = new Map<number, number>();
    xs.forEach((v, i) => {
      if (v !== 0) m.set(base + i, v);
    });
    return m;
  };
  return r.rows.map((x) => ({ t: Number(x.t), price: Number(x.price), priceStep: Number(x.step), long: map(Number(x.l_lo), floats(x.l)), short: map(Number(x.s_lo), floats(x.s)) }));
}
