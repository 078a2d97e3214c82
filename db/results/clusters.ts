import type { Cluster } from '../../engine/index.js';
import { sql, type RawBuilder } from 'kysely';
import type { Store, RawTx } from '../store.js';
import { atSql } from '../reads/at-time.js';
import { COPY_BINARY_HEADER, COPY_BINARY_TRAILER, CopyRowBuffer } from '../copy-binary.js';

/** A persisted cluster: the engine's cluster at a bucket, with its rank (0 = largest). */
export interface ClusterRow extends Cluster {
  /** Bucket start, epoch ms. */
  readonly t: number;
  readonly rank: number;
}

const CLUSTER_COLUMNS = ['market_id', 'params_hash', 't', 'rank', 'side', 'price_low', 'price_high', 'peak_price', 'notional', 'share_of_side', 'distance', 'composition'];

/**
 * A double as the text COPY stored it: `String(-0)` is "0", so -0 is written as 0 (the rows are
 * the same bytes as before the binary form).
 */
const f8 = (v: number) => v + 0;

/**
 * COPYs clusters of one market and parameter set (inside the caller's transaction), in binary
 * like the heatmap rows: no shortest-decimal print of each double here nor a parse in the server.
 */
export async function copyClusters(tx: RawTx, market: string, paramsHash: string, rows: readonly ClusterRow[]): Promise<void> {
  if (rows.length === 0) return;
  const out = new CopyRowBuffer(rows.length * 256);
  for (const c of rows) {
    out.startRow(CLUSTER_COLUMNS.length);
    out.text(market);
    out.text(paramsHash);
    out.timestamptz(c.t * 1000);
    out.int4(c.rank);
    out.text(c.side);
    out.float8(f8(c.priceLow));
    out.float8(f8(c.priceHigh));
    out.float8(f8(c.peakPrice));
    out.float8(f8(c.notional));
    out.float8(f8(c.shareOfSide));
    out.float8(f8(c.distanceFraction));
    out.jsonb(JSON.stringify(c.leverageComposition));
  }
  await tx.copyInBinary('clusters', CLUSTER_COLUMNS, [COPY_BINARY_HEADER, out.subarray(), COPY_BINARY_TRAILER]);
}

/** A row of {@link clustersAtQuery}: the bucket's time and price, and one cluster (all null past the last). */
export type ClustersAtRow = { t: number; price: number; rank: number | null; side: string; price_low: number; price_high: number; peak_price: number; notional: number; share_of_side: number; distance: number; composition: unknown };

/**
 * The statement of {@link readClustersAt}: the bucket at or just before `at` (epoch ms, or a
 * timestamptz SQL expression: a column of the caller's own statement), found on the heatmap
 * rows' key, with its clusters joined; one row per cluster, one with null cluster columns when
 * the bucket has none, no row when there is no bucket.
 */
export function clustersAtQuery(market: string, paramsHash: string, at: number | RawBuilder<unknown>): RawBuilder<ClustersAtRow> {
  return sql<ClustersAtRow>`
    with last as (
      select t, price from heatmap_rows
      where market_id = ${market} and params_hash = ${paramsHash} and t <= ${atSql(at)}
      order by t desc limit 1)
    select (extract(epoch from last.t) * 1000)::float8 as t, last.price, c.rank, c.side, c.price_low, c.price_high, c.peak_price, c.notional, c.share_of_side, c.distance, c.composition
    from last left join clusters c on c.market_id = ${market} and c.params_hash = ${paramsHash} and c.t = last.t
    order by c.rank`;
}

/** The rows of {@link clustersAtQuery} as {@link readClustersAt} returns them. */
export function clustersAtOf(rows: readonly ClustersAtRow[]): { t: number; price: number; clusters: ClusterRow[] } | null {
  const first = rows[0];
  if (!first) return null;
  const t = Number(first.t);
  return {
    t,
    price: Number(first.price),
    clusters: rows
      .filter((x) => x.rank !== null)
      // In rank order whatever the rows' order (json_agg of them need not keep it).
      .sort((a, b) => Number(a.rank) - Number(b.rank))
      .map((x) => ({
        t,
        rank: Number(x.rank),
        side: x.side as 'long' | 'short',
        priceLow: Number(x.price_low),
        priceHigh: Number(x.price_high),
        peakPrice: Number(x.peak_price),
        notional: Number(x.notional),
        shareOfSide: Number(x.share_of_side),
        distanceFraction: Number(x.distance),
        leverageComposition: (typeof x.composition === 'string' ? JSON.parse(x.composition) : x.composition) as { leverage: number; notional: number }[],
      })),
  };
}

/**
 * The clusters persisted for the bucket at or just before `atMs`, with that bucket's close
 * price, in one round trip (the bucket is found on the heatmap rows' key, its clusters joined).
 */
export async function readClustersAt(store: Store, market: string, paramsHash: string, atMs: number): Promise<{ t: number; price: number; clusters: ClusterRow[] } | null> {
  const r = await clustersAtQuery(market, paramsHash, atMs).execute(store.db);
  return clustersAtOf(r.rows);
}
