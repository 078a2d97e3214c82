import { performance } from 'node:perf_hooks';
import { loadModelEvents } from '../../db/index.js';
import { aggregateBuckets, compareSnapshots, referenceReplay, runModel } from '../../engine/index.js';
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

/** SDL of {@link CheckResult}. */
export const checkTypeDefs = /* GraphQL */ `
  "Whether a result was computed estimated (assumed leverage mix) or exactly (known positions)."
  enum Basis { ESTIMATED EXACT }

  "The fast model checked against the exact reference engine over the same raw events."
  type Check {
    "The engine whose result was checked: estimated (the leverage-mix model)."
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
