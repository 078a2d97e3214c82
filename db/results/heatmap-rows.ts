import { sql } from 'kysely';
import { LoopTurns } from '../../base/index.js';
import type { Store, RawTx } from '../store.js';
import { timestampText } from '../copy-csv.js';
import { COPY_BINARY_HEADER, COPY_BINARY_TRAILER, CopyRowBuffer } from '../copy-binary.js';
import { decodeLayers, encodeLayers, LAYER_COLUMNS, type LeverageLayer } from './leverage-layers.js';
import { binaryFloats, decodeFloat8Array } from '../reads/float-arrays.js';

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

/** Longest stretch of encoding between turns of the event loop, ms. */
const YIELD_AFTER_MS = 50;

const HEATMAP_COLUMNS = ['market_id', 'params_hash', 't', 'price', 'price_step', 'long_lo', 'long', 'short_lo', 'short', 'oi_lo', 'oi_long', 'oi_short', 'liquidated_long', 'liquidated_short', 'data_version', ...LAYER_COLUMNS];

/**
 * COPYs heatmap rows of one market and parameter set (inside the caller's transaction), in
 * binary: a day of minute rows is millions of doubles, which as text cost a shortest-decimal
 * print each here and a parse each in the server (and the same doubles arrive either way).
 */
export async function copyHeatmapRows(tx: RawTx, market: string, paramsHash: string, rows: readonly HeatmapRow[]): Promise<void> {
  if (rows.length === 0) return;
  const out = new CopyRowBuffer(1 << 20);
  const turns = new LoopTurns(YIELD_AFTER_MS);
  for (const r of rows) {
    // A chunk of level-spread rows (the default) takes seconds to encode: give timers a turn
    // (an inline worker's lock renewal) as the compute loop does between buckets.
    if (turns.due) await turns.take();
    out.startRow(HEATMAP_COLUMNS.length);
    out.text(market);
    out.text(paramsHash);
    out.timestamptz(r.t * 1000);
    out.float8(r.price);
    out.float8(r.priceStep);
    out.int4(r.longLo);
    out.float8Array(r.long);
    out.int4(r.shortLo);
    out.float8Array(r.short);
    out.int4(r.oiLo);
    out.float8Array(r.oiLong);
    out.float8Array(r.oiShort);
    out.float8(r.liquidatedLong);
    out.float8(r.liquidatedShort);
    out.int8(r.dataVersion);
    if (r.layers) {
      const c = encodeLayers(r.layers);
      out.float8Array(c.lev);
      out.int4Array(c.lev_long_lo);
      out.int4Array(c.lev_long_n);
      out.float8Array(c.lev_long);
      out.int4Array(c.lev_short_lo);
      out.int4Array(c.lev_short_n);
      out.float8Array(c.lev_short);
    } else for (let k = 0; k < LAYER_COLUMNS.length; k++) out.null();
  }
  await tx.copyInBinary('heatmap_rows', HEATMAP_COLUMNS, [COPY_BINARY_HEADER, out.subarray(), COPY_BINARY_TRAILER]);
}

type RawRow = { t: number; price: number; price_step: number; long_lo: number; long: string; short_lo: number; short: string; oi_lo: number; oi_long: string; oi_short: string; liquidated_long: number; liquidated_short: number; data_version: number | string } & Parameters<typeof decodeLayers>[0];

/**
 * The columns of a heatmap row, its arrays in binary form ({@link binaryFloats}). Its `t` is epoch
 * ms, so queries order by `heatmap_rows.t` (the key; a bare `t` would sort by this expression).
 */
const COLUMNS = sql.raw(
  `(extract(epoch from t) * 1000)::float8 as t, price, price_step, long_lo, ${binaryFloats('long')} as long, short_lo, ${binaryFloats('short')} as short, oi_lo, ${binaryFloats('oi_long')} as oi_long, ${binaryFloats('oi_short')} as oi_short, liquidated_long, liquidated_short, data_version, ${LAYER_COLUMNS.join(', ')}`,
);

const toRow = (r: RawRow): HeatmapRow => ({
  t: Number(r.t),
  price: Number(r.price),
  priceStep: Number(r.price_step),
  longLo: Number(r.long_lo),
  long: decodeFloat8Array(r.long),
  shortLo: Number(r.short_lo),
  short: decodeFloat8Array(r.short),
  oiLo: Number(r.oi_lo),
  oiLong: decodeFloat8Array(r.oi_long),
  oiShort: decodeFloat8Array(r.oi_short),
  liquidatedLong: Number(r.liquidated_long),
  liquidatedShort: Number(r.liquidated_short),
  dataVersion: Number(r.data_version),
  layers: decodeLayers(r),
});

/** Heatmap rows of a market in [fromMs, toMs], in time order. */
export async function readHeatmapRows(store: Store, market: string, paramsHash: string, fromMs: number, toMs: number): Promise<HeatmapRow[]> {
  const r = await sql<RawRow>`select ${COLUMNS} from heatmap_rows
    where market_id = ${market} and params_hash = ${paramsHash} and t >= ${timestampText(fromMs * 1000)}::text::timestamptz and t <= ${timestampText(toMs * 1000)}::text::timestamptz
    order by heatmap_rows.t`.execute(store.db);
  return r.rows.map(toRow);
}

/** The row at or just before `atMs` (the levels standing at that time), or null; one round trip. */
export async function readHeatmapRowAt(store: Store, market: string, paramsHash: string, atMs: number): Promise<HeatmapRow | null> {
  const r = await sql<RawRow>`select ${COLUMNS} from heatmap_rows
    where market_id = ${market} and params_hash = ${paramsHash} and t <= ${timestampText(atMs * 1000)}::text::timestamptz
    order by heatmap_rows.t desc limit 1`.execute(store.db);
  const row = r.rows[0];
  return row ? toRow(row) : null;
}

/** Bucket start of a market's newest persisted row under a parameter set, epoch ms, or null. */
export async function newestHeatmapRowT(store: Store, market: string, paramsHash: string): Promise<number | null> {
  const r = await sql<{ t: Date | null }>`select max(t) as t from heatmap_rows where market_id = ${market} and params_hash = ${paramsHash}`.execute(store.db);
  return r.rows[0]?.t ? r.rows[0].t.getTime() : null;
}

/**
 * Start of the earliest bucket (epoch ms) whose row was written after the results stood at
 * `since` (newest checkpoint `t`, its `dataVersion`), or null when none was; with `since` null,
 * the earliest row. A recompute rewrites every bucket from its rollback on with the newer data
 * version, so the rows newer than `since` are a suffix: read backwards from `since.t` to the
 * last row left as it was, the cost grows with the rows rewritten, not with the history.
 */
export async function firstBucketChangedSince(store: Store, market: string, paramsHash: string, since: { t: number; dataVersion: number } | null): Promise<number | null> {
  const r = await sql<{ t: Date | null }>`select min(t) as t from heatmap_rows
    where market_id = ${market} and params_hash = ${paramsHash}
      and t > coalesce((select max(t) from heatmap_rows where market_id = ${market} and params_hash = ${paramsHash}
        and t <= ${since ? timestampText(since.t * 1000) : '-infinity'}::text::timestamptz and data_version <= ${since?.dataVersion ?? -1}), '-infinity'::timestamptz)`.execute(store.db);
  return r.rows[0]?.t ? r.rows[0].t.getTime() : null;
}
