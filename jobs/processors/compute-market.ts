import {
  BucketAssembler,
  createModelState,
  deserializeModelState,
  detectClusters,
  modelParamsHash,
  serializeModelState,
  stepModel,
  type ModelParams,
} from '../../engine/index.js';
import {
  clearParamsDirty,
  fanOutDirty,
  paramsDirtyFrom,
  persistedParamSets,
  latestModelCheckpoint,
  loadBucketParts,
  rangesWithEvents,
  marketDataState,
  markResultsCurrent,
  marketSpan,
  rollbackResults,
  saveModelParams,
  acquireComputeLease,
  hasPositions,
  aggregatesOfMarket,
  parseAggregateId,
  type ClusterRow,
  type HeatmapRow,
  type Store,
} from '../../db/index.js';
import { LoopTurns } from '../../base/index.js';
import { loadInOrder, pieceEdges } from './compute-pieces.js';
import { PieceWriter } from './piece-writer.js';
import { toHeatmapRow } from './heatmap-row.js';
import { computeAggregate } from './compute-aggregate.js';
import { effectiveParams } from './effective-params.js';
import { computeExactMarket } from './exact-levels.js';
import { CHUNK_CELLS, priceBucketsPerRow } from './result-size.js';

export { toHeatmapRow, effectiveParams };

/** What to compute: one market, under a parameter set (defaults when omitted). */
export interface ComputeInput {
  readonly market: string;
  readonly params?: Partial<ModelParams> | undefined;
  /** Stop after the bucket containing this time (epoch ms): backfill steps. */
  readonly untilMs?: number | undefined;
  /** The BullMQ job running this, recorded as the lease holder (released if the job stalls). */
  readonly jobId?: string | undefined;
  /** Do not re-sum the aggregates the market is part of afterwards (an aggregate's own run computes its parts). */
  readonly noAggregates?: boolean | undefined;
  /**
   * One round over the data as it stands, even when batches land meanwhile: for a caller that
   * runs the market again for them (coalesced), as the in-process runner, BullMQ's follow-up
   * job (keepLastIfActive) and a live feed's trigger do. Without it the run loops (at most 10
   * rounds) until the data stops changing: for direct callers that want everything computed.
   */
  readonly once?: boolean | undefined;
  /** Buckets per aggregated and committed piece (default: a chunk's eighth); tests force small ones. */
  readonly pieceBuckets?: number | undefined;
}

/** What a compute run did. */
export interface ComputeOutcome {
  readonly market: string;
  readonly paramsHash: string;
  readonly buckets: number;
  /** Newest computed bucket, epoch ms (null when the market has no data). */
  readonly lastT: number | null;
  /** Buckets rolled back because late data arrived before them. */
  readonly rolledBack: number;
  readonly dataVersion: number;
}

/** Progress callback: buckets done and expected in this run. */
export type ProgressFn = (done: number, total: number) => void | Promise<void>;

/** Buckets per committed chunk (one day of minutes), fewer for fine price buckets (bounded by cells). */
const CHUNK_BUCKETS = 1440;

/**
 * Pieces a chunk's range is cut into: aggregated by SQL a few at once, each fed to the model in
 * time order as soon as it is ready and written while the model computes the next one. The
 * server runs the pieces on as many backends (the planner does not parallelise the trades
 * aggregate: it expects a group per row), and the model and the writes overlap the aggregation.
 */
const PIECES_PER_CHUNK = 8;
/** Pieces aggregated at once (each on one connection: its trades are one query). */
const LOAD_CONCURRENCY = 4;

/**
 * A chunk's compute gives the event loop a turn this often, ms. A chunk is bounded by its cells,
 * not by its compute: 1,440 hourly buckets with many cohorts each ran long enough unbroken for an
 * inline BullMQ worker's lock (30 s) to lapse, the job to be taken for stalled and fail after its
 * first chunk (a year of hourly candles persisted 1,440 rows of 8,736).
 */
const YIELD_AFTER_MS = 50;

/**
 * The compute processor (a plain async function: BullMQ and the in-process runner both call
 * it). An aggregate id (`agg:BTC/binance+bybit`) sums its parts instead (compute-aggregate.ts),
 * and a market's run re-sums the aggregates it is part of. Resumes the market's model from its newest checkpoint — rolling results back first when
 * late data arrived before it — and advances bucket by bucket to the market's newest event,
 * committing heatmap rows, clusters and a checkpoint per piece (an eighth of a day-sized chunk,
 * aggregated a few at once, written while the model computes the next). Loops until the
 * market's data version stops changing under it (unless `once`).
 */
export async function computeMarket(store: Store, input: ComputeInput, progress?: ProgressFn): Promise<ComputeOutcome> {
  if (parseAggregateId(input.market)) return computeAggregate(store, input, computeMarket, progress);
  const outcome = await computeMarketLeased(store, input, progress);
  // Aggregates across venues that sum this market follow its results.
  if (input.untilMs === undefined && !input.noAggregates) {
    for (const a of await aggregatesOfMarket(store, input.market)) await computeAggregate(store, { market: a.aggId, params: a.params as Partial<ModelParams> }, computeMarket);
  }
  return outcome;
}

async function computeMarketLeased(store: Store, input: ComputeInput, progress?: ProgressFn): Promise<ComputeOutcome> {
  // One computation per market at a time, whichever job or process asks.
  const lease = await acquireComputeLease(store, input.market, undefined, input.jobId);
  try {
    const outcome = await computeMarketLocked(store, input, async (done, total) => {
      await lease.renew();
      await progress?.(done, total);
    });
    // Every other parameter set persisted for the market follows the same data: late data rolls
    // each of them back (its own mark, fanned out from the market's) and new data extends them.
    if (input.untilMs === undefined && !outcome.exact) {
      for (const set of await persistedParamSets(store, input.market)) {
        if (set.paramsHash === outcome.paramsHash) continue;
        await computeMarketLocked(store, { market: input.market, once: input.once, pieceBuckets: input.pieceBuckets }, () => lease.renew(), { params: set.params as ModelParams, hash: set.paramsHash });
      }
    }
    return outcome;
  } finally {
    await lease.release();
  }
}

async function computeMarketLocked(store: Store, input: ComputeInput, progress?: ProgressFn, persisted?: { params: ModelParams; hash: string }): Promise<ComputeOutcome & { exact?: boolean }> {
  // A persisted set is recomputed under its own stored parameters and hash (never re-parsed:
  // re-normalised weights could move the hash).
  const params = persisted?.params ?? (await effectiveParams(store, input.market, input.params));
  const hash = persisted?.hash ?? modelParamsHash(params);
  await saveModelParams(store, hash, params);
  // Markets whose positions are known (on-chain) get exact levels instead of the estimate.
  if (await hasPositions(store, input.market)) return { ...(await computeExactMarket(store, input.market, params, hash, progress)), exact: true };
  const width = params.timeBucketSeconds * 1000;
  const bucketOf = (ms: number) => Math.floor(ms / width) * width;
  const chunkBuckets = Math.max(1, Math.min(CHUNK_BUCKETS, Math.floor(CHUNK_CELLS / priceBucketsPerRow(params))));
  let buckets = 0;
  let rolledBack = 0;
  let lastT: number | null = null;
  let version = 0;
  for (let round = 0; round < 10; round++) {
    const ds = await marketDataState(store, input.market);
    if (!ds) return { market: input.market, paramsHash: hash, buckets, lastT, rolledBack, dataVersion: 0 };
    version = ds.version;
    // The market's late-data mark becomes a mark on every persisted parameter set.
    await fanOutDirty(store, input.market, ds.version);
    let cp = await latestModelCheckpoint(store, input.market, hash);
    const dirtyFrom = await paramsDirtyFrom(store, input.market, hash);
    if (dirtyFrom !== null && cp && dirtyFrom < cp.t + width) {
      rolledBack += await rollbackResults(store, input.market, hash, bucketOf(dirtyFrom));
      cp = await latestModelCheckpoint(store, input.market, hash);
      // Rows between the surviving checkpoint and the late data go too: they are recomputed.
      rolledBack += await rollbackResults(store, input.market, hash, cp ? cp.t + width : 0);
    }
    const span = await marketSpan(store, input.market);
    if (!span) break;
    const state = cp ? deserializeModelState(cp.state) : createModelState(params);
    const from = cp ? cp.t + width : bucketOf(span.firstMs);
    const end = Math.min(bucketOf(span.lastMs), input.untilMs === undefined ? Infinity : bucketOf(input.untilMs)) + width;
    const total = Math.max(0, Math.round((end - from) / width));
    let done = 0;
    // The newest bucket is still filling on a live market: committed as its own chunk, the
    // checkpoint before it survives the next batch's rollback of it, so that batch recomputes one
    // bucket instead of the whole chunk (a day) it was first computed in.
    const open = bucketOf(span.lastMs);
    const pieceBuckets = Math.max(1, Math.floor(input.pieceBuckets ?? Math.ceil(chunkBuckets / PIECES_PER_CHUNK)));
    const edges = pieceEdges(from, end, open, pieceBuckets, width);
    const ranges = edges.slice(0, -1).map((a, i) => ({ fromMs: a, toMs: edges[i + 1]! }));
    // Empty pieces are not loaded (nothing to model, nothing to carry); progress counts them done.
    const pieces = (await rangesWithEvents(store, input.market, ranges)).map((i) => ranges[i]!);
    // Carried across pieces: the model's state and the assembler's carry of unpriced buckets, so
    // the buckets and snapshots are those of the whole range at once.
    const assembler = new BucketAssembler();
    const writer = new PieceWriter(store, input.market, hash);
    try {
      for await (const piece of loadInOrder(pieces, LOAD_CONCURRENCY, async (p) => ({ ...p, parts: await loadBucketParts(store, input.market, p.fromMs, p.toMs, width, 1) }))) {
        const chunk = assembler.push(piece.parts);
        const rows: HeatmapRow[] = [];
        const clusters: ClusterRow[] = [];
        const turns = new LoopTurns(YIELD_AFTER_MS);
        for (const b of chunk) {
          const snap = stepModel(state, b);
          rows.push(toHeatmapRow(snap, ds.version));
          detectClusters(snap, { limit: 10 }).forEach((c, rank) => clusters.push({ t: snap.t, rank, ...c }));
          if (turns.due) await turns.take();
        }
        const last = chunk.at(-1);
        // Written while the next piece is modelled.
        writer.add({ ...piece, rows, clusters, checkpoint: last ? { t: last.t, state: serializeModelState(state), dataVersion: ds.version } : null, alone: piece.fromMs === open });
        if (last) lastT = last.t;
        buckets += chunk.length;
        done = Math.round((piece.toMs - from) / width);
        await progress?.(done, total);
      }
    } catch (e) {
      // Never leave a commit running past the lease; the model's or the load's error propagates.
      await writer.flush().catch(() => {});
      throw e;
    }
    await writer.flush();
    if (done < total) await progress?.(total, total);
    if (dirtyFrom !== null) await clearParamsDirty(store, input.market, hash, dirtyFrom);
    const now = await marketDataState(store, input.market);
    if (now && now.version === ds.version && now.dirtyFromMs === null && (await paramsDirtyFrom(store, input.market, hash)) === null) {
      if (input.untilMs === undefined) await markResultsCurrent(store, input.market, hash, ds.version);
      break;
    }
    if (input.untilMs !== undefined || input.once) break;
  }
  return { market: input.market, paramsHash: hash, buckets, lastT, rolledBack, dataVersion: version };
}
