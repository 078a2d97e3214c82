import { sql } from 'kysely';
import type { CanonicalEvent, Store } from '../../db/index.js';

/**
 * Synthetic one-second-ish trades on a slow random walk from 2024-05-01 (deterministic): enough
 * buckets per day that a computation takes a while, for tests that interrupt one.
 */
export function syntheticTrades(market: string, days: number, stepSeconds = 7): CanonicalEvent[] {
  const t0 = Date.UTC(2024, 4, 1) * 1000;
  const out: CanonicalEvent[] = [];
  let p = 60000;
  for (let i = 0; i < days * 86_400; i += stepSeconds) {
    p *= 1 + Math.sin(i / 5000) * 0.00002 + (((i * 7919) % 13) - 6) * 0.00001;
    out.push({ kind: 'trade', market, ts: t0 + i * 1e6, tradeId: String(i), price: p.toFixed(1), qty: ((i % 17) / 10 + 0.1).toFixed(3), side: i % 3 === 0 ? 'sell' : 'buy' });
  }
  return out;
}

/** The persisted results of one market, as comparable rows (heatmap rows, then clusters). */
async function resultRows(store: Store, market: string): Promise<{ heatmap: Record<string, unknown>[]; clusters: Record<string, unknown>[] }> {
  const heatmap = await sql<Record<string, unknown>>`
    select params_hash, extract(epoch from t)::float8 * 1000 as t, price, price_step, long_lo, long, short_lo, short, oi_lo, oi_long, oi_short, liquidated_long, liquidated_short
    from heatmap_rows where market_id = ${market} order by params_hash, t`.execute(store.db);
  const clusters = await sql<Record<string, unknown>>`
    select params_hash, extract(epoch from t)::float8 * 1000 as t, rank, side, price_low, price_high, peak_price, notional, share_of_side, distance
    from clusters where market_id = ${market} order by params_hash, t, side, rank`.execute(store.db);
  return { heatmap: heatmap.rows, clusters: clusters.rows };
}

/** What {@link compareResults} found. */
export interface ResultsDiff {
  readonly heatmapRows: number;
  readonly clusterRows: number;
  /** Rows whose keys, shapes or exact fields differ, described (at most 10). */
  readonly mismatches: readonly string[];
  /** Largest difference of a float cell relative to its row's total (a resumed model re-adds its levels fresh). */
  readonly worstRelative: number;
}

const FLOAT_TOLERANCE = 1e-9;

/**
 * Compares the results of `market` in two stores row by row: the same heatmap rows (time, grid,
 * array lengths; values within 1e-9 of the row's total) and the same clusters (time, rank, side,
 * price bounds; amounts within 1e-9 relative). Used to show that an interrupted computation ends
 * where an uninterrupted one does.
 */
export async function compareResults(a: Store, b: Store, market: string, marketB = market): Promise<ResultsDiff> {
  const [x, y] = await Promise.all([resultRows(a, market), resultRows(b, marketB)]);
  const mismatches: string[] = [];
  let worst = 0;
  const note = (m: string) => mismatches.length < 10 && mismatches.push(m);
  if (x.heatmap.length !== y.heatmap.length) note(`heatmap rows: ${x.heatmap.length} vs ${y.heatmap.length}`);
  if (x.clusters.length !== y.clusters.length) note(`cluster rows: ${x.clusters.length} vs ${y.clusters.length}`);
  const n = Math.min(x.heatmap.length, y.heatmap.length);
  for (let i = 0; i < n; i++) {
    const r = x.heatmap[i]!;
    const o = y.heatmap[i]!;
    const arrays = ['long', 'short', 'oi_long', 'oi_short'] as const;
    const exact = ['params_hash', 't', 'price', 'price_step', 'long_lo', 'short_lo', 'oi_lo'];
    const bad = exact.filter((k) => r[k] !== o[k]).concat(arrays.filter((k) => (r[k] as number[]).length !== (o[k] as number[]).length));
    if (bad.length > 0) {
      note(`heatmap row ${i} (t=${String(o.t)}): ${bad.join(', ')} differ`);
      continue;
    }
    const total = arrays.flatMap((k) => o[k] as number[]).reduce((s, v) => s + Math.abs(v), 0) + Math.abs(Number(o.liquidated_long)) + Math.abs(Number(o.liquidated_short)) || 1;
    for (const k of arrays) (r[k] as number[]).forEach((v, j) => (worst = Math.max(worst, Math.abs(v - (o[k] as number[])[j]!) / total)));
    for (const k of ['liquidated_long', 'liquidated_short']) worst = Math.max(worst, Math.abs(Number(r[k]) - Number(o[k])) / total);
  }
  const m = Math.min(x.clusters.length, y.clusters.length);
  for (let i = 0; i < m; i++) {
    const r = x.clusters[i]!;
    const o = y.clusters[i]!;
    const bad = ['params_hash', 't', 'rank', 'side', 'price_low', 'price_high', 'peak_price'].filter((k) => r[k] !== o[k]);
    if (bad.length > 0) note(`cluster row ${i} (t=${String(o.t)}): ${bad.join(', ')} differ`);
    for (const k of ['notional', 'share_of_side', 'distance']) worst = Math.max(worst, Math.abs(Number(r[k]) - Number(o[k])) / (Math.abs(Number(o[k])) || 1));
  }
  if (worst > FLOAT_TOLERANCE) note(`values differ by up to ${worst} relative`);
  return { heatmapRows: y.heatmap.length, clusterRows: y.clusters.length, mismatches, worstRelative: worst };
}
