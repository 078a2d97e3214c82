import { sql, type RawBuilder } from 'kysely';
import type { Store } from '../store.js';
import type { HeatmapRow } from '../results/heatmap-rows.js';
import { atSql } from './at-time.js';
import { binaryFloats, decodeFloat8Array } from './float-arrays.js';

/** The pending levels of one bucket, cut to the price buckets around its price (a slice of a heatmap row: its arrays start at `longLo`/`shortLo`). */
export type LevelsAround = Pick<HeatmapRow, 't' | 'price' | 'priceStep' | 'longLo' | 'long' | 'shortLo' | 'short'>;

/** A row of {@link levelsAroundQuery}. */
export type LevelsAroundRow = { t: number; price: number; step: number; long_lo: number; long: string; short_lo: number; short: string };

/** The largest padding, in price buckets (an int4 subscript must not overflow; a row holds at most 25,000 buckets). */
const MAX_PAD = 100_000_000;

/**
 * The statement of {@link readLevelsAround}: the heatmap row at or just before `at` (epoch ms, or a
 * timestamptz SQL expression: a column of the caller's own statement), its long and short
 * arrays sliced in SQL to the buckets within ±`range` (fraction) of its price, padded on each
 * side by the row's price buckets per display row — `priceBucket` / step when given, else the
 * range's width / 200, plus 2 — so a liquidation map binned from the slice has the cells it
 * would have binned from the whole row (its first and last display rows reach at most one
 * display row beyond the range). The arrays travel in binary form ({@link binaryFloats}). At
 * most one row.
 */
export function levelsAroundQuery(market: string, paramsHash: string, at: number | RawBuilder<unknown>, range: number, priceBucket: number | null): RawBuilder<LevelsAroundRow> {
  if (!(range > 0 && range < 1)) throw new TypeError('levelsAroundQuery: range must be a fraction between 0 and 1');
  if (priceBucket !== null && !(priceBucket > 0 && Number.isFinite(priceBucket))) throw new TypeError('levelsAroundQuery: priceBucket must be a finite number above 0');
  // float8 arithmetic on bound float8s; a priceBucket capped at 1e15 cannot overflow it.
  const slice = (col: 'long' | 'short') => sql.raw(binaryFloats(`h.${col}[greatest(1, s.a - h.${col}_lo + 1) : s.b - h.${col}_lo + 1]`));
  return sql<LevelsAroundRow>`
    select (extract(epoch from h.t) * 1000)::float8 as t, h.price, h.price_step as step,
      greatest(h.long_lo, s.a) as long_lo, ${slice('long')} as long, greatest(h.short_lo, s.a) as short_lo, ${slice('short')} as short
    from (select * from heatmap_rows where market_id = ${market} and params_hash = ${paramsHash} and t <= ${atSql(at)} order by t desc limit 1) h
    cross join lateral (
      select floor(h.price * (1 - ${range}::float8) / h.price_step)::int - p.pad as a, floor(h.price * (1 + ${range}::float8) / h.price_step)::int + p.pad as b
      from (select least(${MAX_PAD}::float8, greatest(ceil(h.price * 2 * ${range}::float8 / h.price_step / 200), coalesce(ceil(${priceBucket === null ? null : Math.min(priceBucket, 1e15)}::float8 / h.price_step), 0)) + 2)::int as pad) p
    ) s`;
}

/** The row of {@link levelsAroundQuery} as {@link LevelsAround} (null: no row). */
export function levelsAroundOf(rows: readonly LevelsAroundRow[]): LevelsAround | null {
  const x = rows[0];
  if (!x) return null;
  return { t: Number(x.t), price: Number(x.price), priceStep: Number(x.step), longLo: Number(x.long_lo), long: decodeFloat8Array(x.long), shortLo: Number(x.short_lo), short: decodeFloat8Array(x.short) };
}

/**
 * The levels standing at `atMs` (the persisted row at or just before it) within ±`range` of its
 * price, padded as {@link levelsAroundQuery} says, or null; one round trip, reading only the
 * long and short arrays' slices (not open interest or leverage layers).
 */
export async function readLevelsAround(store: Store, market: string, paramsHash: string, atMs: number, range: number, priceBucket: number | null): Promise<LevelsAround | null> {
  const r = await levelsAroundQuery(market, paramsHash, atMs, range, priceBucket).execute(store.db);
  return levelsAroundOf(r.rows);
}
