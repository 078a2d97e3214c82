import { performance } from 'node:perf_hooks';
import { loadModelEvents, openPositionsAt, readHeatmapRowAt, type HeatmapRow } from '../../db/index.js';
import { aggregateBuckets, compareSnapshots, exactSnapshot, referenceReplay, runModel, type LevelSnapshot } from '../../engine/index.js';
import { gmxLiquidationPrice } from '../../jobs/index.js';
import type { ApiContext } from '../context.js';
import type { ResultsRef } from './results.js';

/**
 * The reference engine replays at most this much history per check: it is exact and
 * deliberately slow (one decimal position per bucket, side and leverage), ~2 s per 12 hours of
 * minute buckets of a busy market.
 */
export const CHECK_MAX_HOURS = 12;

/** A check of the fast model against the reference engine, as the API returns it. */
export interface CheckResult {
  /** The engine whose result was checked. */
  readonly engine: string;
  readonly ok: boolean;
  /** Largest cell difference, quote. */
  readonly maxAbsDiff: number;
  /** maxAbsDiff relative to the reference snapshot's total notional. */
  readonly maxRelDiff: number;
  readonly cellsCompared: number;
  readonly tolerance: number;
  readonly buckets: number;
  /** Wall time of the fast path and of the reference engine over the same events, ms. */
  readonly fastMs: number;
  readonly referenceMs: number;
  /** Replayed events' range, epoch µs (DateTime fields). */
  readonly replayedFrom: number;
  readonly replayedTo: number;
}

/**
 * Replays the market's raw events ending at `toMs` (at most {@link CHECK_MAX_HOURS}, from the
 * market's first event when it is younger) from an empty model state through both the fast
 * model and the reference engine, and compares them cell by cell (liquidation levels and
 * open interest of every bucket). When the replay starts at the market's first event, the fast
 * snapshots are exactly what the persisted results were computed from.
 */
export async function checkAgainstReference(ctx: ApiContext, ref: ResultsRef, toMs: number): Promise<CheckResult> {
  if (ref.basis === 'EXACT') return checkExact(ctx, ref, toMs);
  const end = Math.floor(Math.min(toMs, ref.span.lastMs) / ref.widthMs) * ref.widthMs + ref.widthMs;
  const start = Math.max(Math.floor(ref.span.firstMs / ref.widthMs) * ref.widthMs, end - CHECK_MAX_HOURS * 3_600_000);
  const events = await loadModelEvents(ctx.store, ref.market, start, end);
  let t0 = performance.now();
  const fast = runModel(ref.params, aggregateBuckets(events, ref.params.timeBucketSeconds)).snapshots;
  const fastMs = performance.now() - t0;
  t0 = performance.now();
  const reference = referenceReplay(events, ref.params);
  const referenceMs = performance.now() - t0;
  const a = compareSnapshots(fast, reference);
  return {
    engine: 'estimated',
    ok: a.ok,
    maxAbsDiff: a.maxAbsDiff,
    maxRelDiff: a.maxRelDiff,
    cellsCompared: a.cellsCompared,
    tolerance: a.tolerance,
    buckets: reference.length,
    fastMs,
    referenceMs,
    replayedFrom: start * 1000,
    replayedTo: end * 1000,
  };
}

function rowToSnapshot(r: HeatmapRow): LevelSnapshot {
  const m = (lo: number, a: readonly number[]) => new Map(a.map((v, i) => [lo + i, v] as [number, number]).filter(([, v]) => v !== 0));
  return { t: r.t, price: r.price, priceStep: r.priceStep, long: m(r.longLo, r.long), short: m(r.shortLo, r.short), oiLong: m(r.oiLo, r.oiLong), oiShort: m(r.oiLo, r.oiShort), longByLeverage: new Map(), shortByLeverage: new Map(), liquidatedLong: 0, liquidatedShort: 0 };
}

/**
 * Exact markets: the persisted row at `toMs` against the open positions of that time
 * re-evaluated one by one with the venue's rule set (exact decimals), cell by cell.
 */
async function checkExact(ctx: ApiContext, ref: ResultsRef, toMs: number): Promise<CheckResult> {
  let t0 = performance.now();
  const row = await readHeatmapRowAt(ctx.store, ref.market, ref.paramsHash, toMs);
  const fastMs = performance.now() - t0;
  if (!row) throw new Error(`no persisted row of ${ref.market} at ${new Date(toMs).toISOString()}`);
  t0 = performance.now();
  const open = await openPositionsAt(ctx.store, ref.market, row.t + ref.widthMs - 1);
  const reference = exactSnapshot(
    row.t,
    row.price,
    row.priceStep,
    open.map((p) => ({
      side: p.isLong ? 'long' : 'short',
      sizeUsd: Number(p.sizeUsd),
      entryPrice: p.entryPrice ? Number(p.entryPrice) : Number(p.sizeUsd) / Number(p.sizeTokens ?? 1),
      liquidationPrice: gmxLiquidationPrice(p),
      leverage: 1,
    })),
  );
  const referenceMs = performance.now() - t0;
  const a = compareSnapshots([rowToSnapshot(row)], [reference]);
  return { engine: 'exact-positions', ok: a.ok, maxAbsDiff: a.maxAbsDiff, maxRelDiff: a.maxRelDiff, cellsCompared: a.cellsCompared, tolerance: a.tolerance, buckets: 1, fastMs, referenceMs, replayedFrom: row.t * 1000, replayedTo: (row.t + ref.widthMs) * 1000 };
}

/** SDL of {@link CheckResult}. */
export const checkTypeDefs = /* GraphQL */ `
  "Whether a result was computed estimated (assumed leverage mix) or exactly (known positions)."
  enum Basis { ESTIMATED EXACT }

  "The fast model checked against the exact reference engine over the same raw events."
  type Check {
    "The engine whose result was checked: estimated (the leverage-mix model, replayed by the reference engine) or exact-positions (known positions re-evaluated one by one)."
    engine: String!
    "True when every compared cell agrees within tolerance × the snapshot's total notional."
    ok: Boolean!
    "Largest difference of one cell, quote currency."
    maxAbsDiff: Float!
    "maxAbsDiff relative to that snapshot's total notional (fraction)."
    maxRelDiff: Float!
    "Cells (price bucket × layer × time bucket) compared."
    cellsCompared: Int!
    "Relative tolerance used for ok (fraction)."
    tolerance: Float!
    "Time buckets replayed."
    buckets: Int!
    "Wall time of the fast model over the replayed events, milliseconds."
    fastMs: Float!
    "Wall time of the reference engine over the same events, milliseconds."
    referenceMs: Float!
    "Start of the replayed events (ISO-8601 UTC): the market's first event, or at most ${CHECK_MAX_HOURS} hours before the result's time."
    replayedFrom: DateTime!
    "End (exclusive) of the replayed events (ISO-8601 UTC)."
    replayedTo: DateTime!
  }
`;
