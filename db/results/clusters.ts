import type { Cluster } from '../../engine/index.js';
import type { Store, RawTx } from '../store.js';
import { timestampText } from '../copy-csv.js';

/** A persisted cluster: the engine's cluster at a bucket, with its rank (0 = largest). */
export interface ClusterRow extends Cluster {
  /** Bucket start, epoch ms. */
  readonly t: number;
  readonly rank: number;
}

/** COPYs clusters of one market and parameter set (inside the caller's transaction). */
export async function copyClusters(tx: RawTx, market: string, paramsHash: string, rows: readonly ClusterRow[]): Promise<void> {
  if (rows.length === 0) return;
  const m = `"${market.replace(/"/g, '""')}"`;
  const csv = rows
    .map((c) => `${m},${paramsHash},${timestampText(c.t * 1000)},${c.rank},${c.side},${c.priceLow},${c.priceHigh},${c.peakPrice},${c.notional},${c.shareOfSide},${c.distanceFraction},"${JSON.stringify(c.leverageComposition).replace(/"/g, '""')}"\n`)
    .join('');
  await tx.copyIn('clusters', ['market_id', 'params_hash', 't', 'rank', 'side', 'price_low', 'price_high', 'peak_price', 'notional', 'share_of_side', 'distance', 'composition'], csv);
}

/** The clusters persisted for the bucket at or just before `atMs`. */
export async function readClustersAt(store: Store, market: string, paramsHash: string, atMs: number): Promise<{ t: number; clusters: ClusterRow[] } | null> {
  const last = await store.db
    .selectFrom('heatmap_rows')
    .select('t')
    .where('market_id', '=', market)
    .where('params_hash', '=', paramsHash)
    .where('t', '<=', new Date(atMs))
    .orderBy('t', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!last) return null;
  const rows = await store.db.selectFrom('clusters').selectAll().where('market_id', '=', market).where('params_hash', '=', paramsHash).where('t', '=', last.t).orderBy('rank').execute();
  return {
    t: last.t.getTime(),
    clusters: rows.map((r) => ({
      t: r.t.getTime(),
      rank: r.rank,
      side: r.side as 'long' | 'short',
      priceLow: Number(r.price_low),
      priceHigh: Number(r.price_high),
      peakPrice: Number(r.peak_price),
      notional: Number(r.notional),
      shareOfSide: Number(r.share_of_side),
      distanceFraction: Number(r.distance),
      leverageComposition: (typeof r.composition === 'string' ? JSON.parse(r.composition) : r.composition) as { leverage: number; notional: number }[],
    })),
  };
}
