import { sql } from 'kysely';
import type { Store, RawTx } from '../store.js';
import { timestampText } from '../copy-csv.js';
import { decodeLayers, encodeLayers, LAYER_COLUMNS, type LeverageLayer } from './leverage-layers.js';

/** One persisted time bucket of a heatmap. Arrays are dense from their `*Lo` price-bucket index. */
export interface HeatmapRow {
  /** Bucket start, epoch ms. */
  readonly t: number;
  /** Close of the bucket, quote. */
  readonly price: number;
  /** Quote per price bucket. */
  readonly priceStep: number;
  readonly longLo: number;
  /** Pending long liquidation notional per price bucket, quote. */
  readonly long: readonly number[];
  readonly shortLo: number;
  readonly short: readonly number[];
  readonly oiLo: number;
  /** Open long/short notional by entry-price bucket, quote. */
  readonly oiLong: readonly number[];
  readonly oiShort: readonly number[];
  /** Notional the model saw liquidated in the bucket, quote. */
  readonly liquidatedLong: number;
  readonly liquidatedShort: number;
  /** The market's data version the row was computed from. */
  readonly dataVersion: number;
  /** Pending levels per leverage (they add up to long/short); null for rows computed before layers were kept. */
  readonly layers?: readonly LeverageLayer[] | null | undefined;
}

const arr = (a: readonly number[]) => `"{${a.join(',')}}"`;

/** COPYs heatmap rows of one market and parameter set (inside the caller's transaction). */
export async function copyHeatmapRows(tx: RawTx, market: string, paramsHash: string, rows: readonly HeatmapRow[]): Promise<void> {
  if (rows.length === 0) return;
  const m = market.includes(',') || market.includes('"') ? `"${market.replace(/"/g, '""')}"` : market;
  const csv = rows
    .map((r) => {
      const layers = r.layers ? Object.values(encodeLayers(r.layers)).map(arr).join(',') : ',,,,,,';
      return `${m},${paramsHash},${timestampText(r.t * 1000)},${r.price},${r.priceStep},${r.longLo},${arr(r.long)},${r.shortLo},${arr(r.short)},${r.oiLo},${arr(r.oiLong)},${arr(r.oiShort)},${r.liquidatedLong},${r.liquidatedShort},${r.dataVersion},${layers}\n`;
    })
    .join('');
  await tx.copyIn('heatmap_rows', ['market_id', 'params_hash', 't', 'price', 'price_step', 'long_lo', 'long', 'short_lo', 'short', 'oi_lo', 'oi_long', 'oi_short', 'liquidated_long', 'liquidated_short', 'data_version', ...LAYER_COLUMNS], csv);
}

/** Heatmap rows of a market in [fromMs, toMs], in time order. */
export async function readHeatmapRows(store: Store, market: string, paramsHash: string, fromMs: number, toMs: number): Promise<HeatmapRow[]> {
  const rows = await store.db
    .selectFrom('heatmap_rows')
    .selectAll()
    .where('market_id', '=', market)
    .where('params_hash', '=', paramsHash)
    .where('t', '>=', new Date(fromMs))
    .where('t', '<=', new Date(toMs))
    .orderBy('t')
    .execute();
  return rows.map((r) => ({
    t: r.t.getTime(),
    price: Number(r.price),
    priceStep: Number(r.price_step),
    longLo: r.long_lo,
    long: r.long.map(Number),
    shortLo: r.short_lo,
    short: r.short.map(Number),
    oiLo: r.oi_lo,
    oiLong: r.oi_long.map(Number),
    oiShort: r.oi_short.map(Number),
    liquidatedLong: Number(r.liquidated_long),
    liquidatedShort: Number(r.liquidated_short),
    dataVersion: Number(r.data_version),
    layers: decodeLayers(r),
  }));
}

/** The row at or just before `atMs` (the levels standing at that time), or null. */
export async function readHeatmapRowAt(store: Store, market: string, paramsHash: string, atMs: number): Promise<HeatmapRow | null> {
  const r = await sql<{ t: Date }>`select t from heatmap_rows where market_id = ${market} and params_hash = ${paramsHash} and t <= ${timestampText(atMs * 1000)}::text::timestamptz order by t desc limit 1`.execute(store.db);
  const t = r.rows[0]?.t;
  if (!t) return null;
  const rows = await readHeatmapRows(store, market, paramsHash, t.getTime(), t.getTime());
  return rows[0] ?? null;
}

/** Bucket start of a market's newest persisted row under a parameter set, epoch ms, or null. */
export async function newestHeatmapRowT(store: Store, market: string, paramsHash: string): Promise<number | null> {
  const r = await sql<{ t: Date | null }>`select max(t) as t from heatmap_rows where market_id = ${market} and params_hash = ${paramsHash}`.execute(store.db);
  return r.rows[0]?.t ? r.rows[0].t.getTime() : null;
}
