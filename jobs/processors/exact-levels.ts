import { assembleBuckets, detectClusters, exactSnapshot, gmxV2, niceStep, type KnownPosition, type ModelParams } from '../../engine/index.js';
import {
  clearDirty,
  commitResultsChunk,
  loadBucketParts,
  marketDataState,
  marketSpan,
  positionHistory,
  rollbackResults,
  type ClusterRow,
  type HeatmapRow,
  type PositionChangeRow,
  type Store,
} from '../../db/index.js';
import type { ComputeOutcome, ProgressFn } from './compute-market.js';
import { toHeatmapRow } from './heatmap-row.js';

/** Collateral tokens valued at 1 USD (lower-case addresses on Arbitrum One): USDC, USDC.e, USDT, DAI. */
const STABLES = new Set([
  '0xaf88d065e77c8cc2239327c5edb3a432268e5831',
  '0xff970a61a04b1ca14834a43f5de4533ebddb5cc8',
  '0xfd086bc7cd5c481dcc9c85ebe478a1c0b69fcbb9',
  '0xda10009cbd5d07dd0cecc66161fc93d7c9000da1',
]);

/**
 * A known position's liquidation price under GMX v2's rule (engine `gmxV2`): remaining
 * collateral below size × minCollateralFactor. Non-stable collateral is valued at the index
 * price (WETH backing ETH, WBTC backing BTC); pending fees and price impact are not in the
 * subgraph's position state and count as zero.
 */
export function gmxLiquidationPrice(p: PositionChangeRow, minCollateralFactor = '0.01'): number | null {
  if (!p.sizeTokens || Number(p.sizeTokens) <= 0 || Number(p.sizeUsd) <= 0) return null;
  const stable = STABLES.has(p.collateralToken.toLowerCase());
  if (!stable && !p.collateralTokens) return null;
  const q = gmxV2.quote({
    side: p.isLong ? 'long' : 'short',
    sizeUsd: p.sizeUsd,
    sizeTokens: p.sizeTokens,
    ...(stable ? { collateralUsd: p.collateralUsd } : { collateralTokens: p.collateralTokens!, collateralIsIndex: true }),
    minCollateralFactor,
  });
  return q.liquidationPrice === null ? null : q.liquidationPrice.toNumber();
}

/**
 * The exact variant for markets whose positions are known: at the end of each time bucket, every
 * open position (replayed from its history) contributes its size at its own liquidation price.
 * Recomputed from the start each run: on-chain markets have thousands of positions, not the
 * billions of trades the estimated model digests incrementally.
 */
export async function computeExactMarket(store: Store, market: string, params: ModelParams, paramsHash: string, progress?: ProgressFn): Promise<ComputeOutcome> {
  const ds = await marketDataState(store, market);
  const span = await marketSpan(store, market);
  if (!ds || !span) return { market, paramsHash, buckets: 0, lastT: null, rolledBack: 0, dataVersion: ds?.version ?? 0 };
  const rolledBack = await rollbackResults(store, market, paramsHash, 0);
  const width = params.timeBucketSeconds * 1000;
  const history = await positionHistory(store, market);
  const lps = new Map(history.map((h) => [h.changeId, gmxLiquidationPrice(h)]));
  const open = new Map<string, PositionChangeRow>();
  let next = 0;
  let step: number | null = null;
  let buckets = 0;
  let lastT: number | null = null;
  const first = Math.floor(span.firstMs / width) * width;
  const end = Math.floor(span.lastMs / width) * width + width;
  for (let from = first; from < end; from += 1440 * width) {
    const to = Math.min(from + 1440 * width, end);
    const chunk = assembleBuckets(await loadBucketParts(store, market, from, to, width));
    const rows: HeatmapRow[] = [];
    const clusters: ClusterRow[] = [];
    for (const b of chunk) {
      const endUs = (b.t + width) * 1000;
      while (next < history.length && history[next]!.ts < endUs) {
        const h = history[next++]!;
        if (h.open) open.set(h.key, h);
        else open.delete(h.key);
      }
      step ??= niceStep(b.close, params.priceBucketFraction);
      const known: KnownPosition[] = [...open.values()].map((p) => ({
        side: p.isLong ? 'long' : 'short',
        sizeUsd: Number(p.sizeUsd),
        entryPrice: p.entryPrice ? Number(p.entryPrice) : Number(p.sizeUsd) / Number(p.sizeTokens ?? 1),
        liquidationPrice: lps.get(p.changeId) ?? null,
        leverage: Number(p.collateralUsd) > 0 ? Number(p.sizeUsd) / Number(p.collateralUsd) : 1,
      }));
      const snap = exactSnapshot(b.t, b.close, step, known);
      rows.push(toHeatmapRow(snap, ds.version));
      detectClusters(snap, { limit: 10, smoothing: 1 }).forEach((c, rank) => clusters.push({ t: snap.t, rank, ...c }));
    }
    const last = chunk.at(-1);
    if (last) {
      await commitResultsChunk(store, { market, paramsHash, rows, clusters, checkpoint: { t: last.t, state: JSON.stringify({ exact: true }), dataVersion: ds.version } });
      lastT = last.t;
    }
    buckets += chunk.length;
    await progress?.(Math.round((to - first) / width), Math.round((end - first) / width));
  }
  await clearDirty(store, market, ds.version);
  return { market, paramsHash, buckets, lastT, rolledBack, dataVersion: ds.version };
}
