import { assembleBuckets, detectClusters, exactSnapshot, gridPeriod, niceStep, type GmxPosition, type KnownPosition, type ModelParams, type RuleSet } from '../../engine/index.js';
import {
  clearDirty,
  commitResultsChunk,
  loadBucketParts,
  marketDataState,
  marketSpan,
  marketStateHistory,
  positionHistory,
  rollbackResults,
  type ClusterRow,
  type HeatmapRow,
  type Store,
} from '../../db/index.js';
import type { ComputeOutcome, ProgressFn } from './compute-market.js';
import { toHeatmapRow } from './heatmap-row.js';
import { GmxReplay, type ReplayedPosition } from './gmx-replay.js';

/** Options of {@link computeExactMarket}. */
export interface ExactOptions {
  /** The venue's rule (default engine `gmxV2`); tests give a wrong one to see the check catch it. */
  readonly rules?: RuleSet<GmxPosition>;
}

/** A replayed position as the exact snapshot takes it (floats for bucketing; the price is exact until here). */
export function knownPosition(r: ReplayedPosition): KnownPosition {
  const p = r.position;
  const sizeUsd = Number(p.sizeUsd);
  const collateralUsd = Number(p.collateralUsd);
  return {
    side: p.isLong ? 'long' : 'short',
    sizeUsd,
    entryPrice: p.entryPrice ? Number(p.entryPrice) : sizeUsd / Number(p.sizeTokens ?? 1),
    liquidationPrice: r.liquidationPrice === null ? null : r.liquidationPrice.toNumber(),
    leverage: collateralUsd > 0 ? sizeUsd / collateralUsd : 1,
  };
}

/**
 * The exact variant for markets whose positions are known: at the end of each time bucket, every
 * open position (replayed from its history) contributes its size at its own liquidation price.
 * Each position's liquidation price is GMX v2's rule (engine `gmxV2`) on the market's state at
 * that bucket's end: pending borrowing and funding since the position's last change from the
 * indexed accumulators, the market's own parameters (indexed Config updates, else the dated
 * snapshot), collateral at its own price.
 * Recomputed from the start each run: on-chain markets have thousands of positions, not the
 * billions of trades the estimated model digests incrementally.
 */
export async function computeExactMarket(store: Store, market: string, params: ModelParams, paramsHash: string, progress?: ProgressFn, options: ExactOptions = {}): Promise<ComputeOutcome> {
  const ds = await marketDataState(store, market);
  const span = await marketSpan(store, market);
  if (!ds || !span) return { market, paramsHash, buckets: 0, lastT: null, rolledBack: 0, dataVersion: ds?.version ?? 0 };
  const rolledBack = await rollbackResults(store, market, paramsHash, 0);
  const width = params.timeBucketSeconds * 1000;
  const replay = new GmxReplay(await positionHistory(store, market), await marketStateHistory(store, market), options.rules);
  let step = 1;
  let period: number | null = null;
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
      replay.advanceTo((b.t + width) * 1000);
      // The grid follows the price as in the estimated model: a step per UTC day, from its first close.
      if (period !== gridPeriod(b.t)) {
        period = gridPeriod(b.t);
        step = niceStep(b.close, params.priceBucketFraction);
      }
      const snap = exactSnapshot(b.t, b.close, step, replay.positions().map(knownPosition));
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
