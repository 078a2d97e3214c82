import { performance } from 'node:perf_hooks';
import { collateralPricesAt, marketDataState, marketStateAt, openPositionsAt, readHeatmapRowAt, type HeatmapRow } from '../../db/index.js';
import { compareSnapshots, gmxMarketParams, referenceGmxSnapshot, type LevelSnapshot } from '../../engine/index.js';
import { type CheckSpec, type CheckStatus, type CheckVerdict, type ServedCells, type StageVerdict } from '../../jobs/index.js';
import type { ApiContext } from '../context.js';
import type { ResultsRef } from './results.js';

/** A check as the API returns it (a verdict, or PENDING with the id to ask for it by). */
export interface CheckResult {
  readonly id: string | null;
  readonly status: 'DONE' | 'PENDING' | 'FAILED';
  readonly engine: string;
  readonly ok: boolean | null;
  readonly fault: 'AGGREGATION' | 'MODEL' | null;
  readonly aggregation: ReturnType<typeof stageOut> | null;
  readonly model: ReturnType<typeof stageOut> | null;
  readonly cellsCompared: number | null;
  readonly maxRelDiff: number | null;
  readonly tolerance: number | null;
  readonly elapsedMs: number | null;
  readonly error: string | null;
}

/** Served cells, their field and the window whose aggregation is re-derived. */
export interface ServedForCheck {
  readonly field: string;
  readonly cells: ServedCells;
  /** Newest served bucket, epoch ms. */
  readonly untilT: number;
  /** Aggregation window, epoch ms [from, to). */
  readonly window: { readonly fromMs: number; readonly toMs: number };
}

/** The aggregation window of a check at one time: the day of buckets up to it. */
export const AT_WINDOW_MS = 24 * 3_600_000;

const stageOut = (s: StageVerdict) => ({
  ...s,
  from: s.fromMs * 1000,
  to: s.toMs * 1000,
  firstMismatch: s.firstMismatch && { ...s.firstMismatch, at: s.firstMismatch.t * 1000 },
});

function fromStatus(s: CheckStatus): CheckResult {
  const v = s.verdict;
  return {
    id: s.id,
    status: s.status,
    engine: v?.engine ?? 'estimated',
    ok: v ? v.ok : null,
    fault: v?.fault ?? null,
    aggregation: v?.aggregation ? stageOut(v.aggregation) : null,
    model: v ? stageOut(v.model) : null,
    cellsCompared: v ? v.model.valuesCompared : null,
    maxRelDiff: v ? v.model.maxRelDiff : null,
    tolerance: v ? v.model.tolerance : null,
    elapsedMs: v?.elapsedMs ?? null,
    error: s.error,
  };
}

/**
 * Checks the cells a response serves. Estimated markets: the reference engine replays the
 * stored bucket inputs from the results' first bucket and its snapshot, binned as served, is
 * compared with the served cells; the window's bucket inputs are re-derived from the raw events
 * (both stages off the event loop, in a check thread; PENDING with an id past the budget).
 * Exact markets: every open position re-evaluated (see {@link checkExact}).
 */
export async function checkServed(ctx: ApiContext, ref: ResultsRef, served: ServedForCheck): Promise<CheckResult> {
  if (ref.basis === 'EXACT') return fromVerdict(await checkExact(ctx, ref, served.untilT));
  if (!ctx.checks) throw new Error('no check service');
  const state = await marketDataState(ctx.store, ref.market);
  const spec: CheckSpec = { market: ref.market, paramsHash: ref.paramsHash, params: ref.params, dataVersion: state?.version ?? 0, field: served.field, served: served.cells, untilT: served.untilT, window: served.window };
  return fromStatus(await ctx.checks.request(spec));
}

/** A check by the id a PENDING answer gave. */
export async function checkById(ctx: ApiContext, id: string): Promise<CheckResult | null> {
  const s = await ctx.checks?.get(id);
  return s ? fromStatus(s) : null;
}

/** An exact engine's verdict (computed in the request: positions, not history) as the API returns it. */
function fromVerdict(v: CheckVerdict): CheckResult {
  return fromStatus({ id: null as unknown as string, status: 'DONE', verdict: v, error: null });
}

function rowToSnapshot(r: HeatmapRow): LevelSnapshot {
  const m = (lo: number, a: readonly number[]) => new Map(a.map((v, i) => [lo + i, v] as [number, number]).filter(([, v]) => v !== 0));
  return { t: r.t, price: r.price, priceStep: r.priceStep, long: m(r.longLo, r.long), short: m(r.shortLo, r.short), oiLong: m(r.oiLo, r.oiLong), oiShort: m(r.oiLo, r.oiShort), longByLeverage: new Map(), shortByLeverage: new Map(), liquidatedLong: 0, liquidatedShort: 0 };
}

/**
 * Exact markets: the persisted row at `toMs` against the open positions of that time, replayed
 * from the position history, each evaluated by the reference implementation of GMX v2's rule
 * (engine/reference: the contract's check evaluated literally and bisected, not the closed form
 * that produced the row) on the market's state at that time, cell by cell.
 */
async function checkExact(ctx: ApiContext, ref: ResultsRef, toMs: number): Promise<CheckVerdict> {
  const t0 = performance.now();
  const row = await readHeatmapRowAt(ctx.store, ref.market, ref.paramsHash, toMs);
  if (!row) throw new Error(`no persisted row of ${ref.market} at ${new Date(toMs).toISOString()}`);
  const atMs = row.t + ref.widthMs - 1;
  const [open, latest, collateralPrices] = await Promise.all([
    openPositionsAt(ctx.store, ref.market, atMs),
    marketStateAt(ctx.store, ref.market, atMs),
    collateralPricesAt(ctx.store, ref.market, atMs),
  ]);
  // Parameters no indexed Config update set: the dated snapshot, per market.
  const fallback = gmxMarketParams(open.find((p) => p.marketToken !== null)?.marketToken ?? ref.market);
  const reference = referenceGmxSnapshot(row.t, row.price, row.priceStep, open, { latest, collateralPrices, fallback });
  const a = compareSnapshots([rowToSnapshot(row)], [reference]);
  const ms = performance.now() - t0;
  const model: StageVerdict = {
    ok: a.ok,
    compared: `every price bucket of the persisted row at the served time against the ${open.length} open positions, replayed from their history and evaluated by the reference implementation of the venue's rule`,
    valuesCompared: a.cellsCompared,
    mismatches: a.ok ? 0 : 1,
    maxAbsDiff: a.maxAbsDiff,
    maxRelDiff: a.maxRelDiff,
    tolerance: a.tolerance,
    firstMismatch: null,
    fromMs: row.t,
    toMs: row.t + ref.widthMs,
    buckets: 1,
    ms,
  };
  return { engine: 'exact-positions', ok: a.ok, fault: a.ok ? null : 'MODEL', aggregation: null, model, elapsedMs: ms };
}

/** SDL of {@link CheckResult}. */
export const checkTypeDefs = /* GraphQL */ `
  "Whether a result was computed estimated (assumed leverage mix), exactly (known positions), or, for an aggregate across venues, from both (MIXED: its parts say which is which)."
  enum Basis { ESTIMATED EXACT MIXED }

  "DONE: the verdict is here; PENDING: still running past the request's budget (ask check(id:) or repeat the request); FAILED: see error."
  enum CheckStatus { DONE PENDING FAILED }

  "The stage of a check: AGGREGATION (raw events → bucket inputs) or MODEL (bucket inputs → served cells)."
  enum CheckStage { AGGREGATION MODEL }

  "The first value a stage found different."
  type CheckMismatch {
    "Start of the time bucket (ISO-8601 UTC)."
    at: DateTime!
    "Which value: a served cell's side (long, short), a cluster value, or a bucket input (trades.vwap, openInterest, liquidations.long, …)."
    what: String!
    "Lower edge of the served price row, quote currency (cells and clusters)."
    priceLow: Float
    "Upper edge of the served price row, quote currency."
    priceHigh: Float
    "The served value (model stage, quote currency) or the stored aggregate (aggregation stage, the input's unit)."
    served: Float
    "The reference's value, as a decimal string."
    reference: String
  }

  "One stage of a check."
  type CheckStageResult {
    ok: Boolean!
    "What was compared, in words."
    compared: String!
    "Values (cells, cluster values, bucket-input values) compared."
    valuesCompared: Int!
    "How many of them disagree."
    mismatches: Int!
    "Largest absolute difference, quote currency (model stage)."
    maxAbsDiff: Float
    "Largest difference relative to its scale: the column's reference total (cells), the side's total (clusters), the exact value (bucket inputs); fraction."
    maxRelDiff: Float!
    "Relative tolerance of one value (fraction)."
    tolerance: Float!
    firstMismatch: CheckMismatch
    "Start of the buckets covered (ISO-8601 UTC): the results' first bucket for the model stage (the replay starts there), the checked window for the aggregation stage."
    from: DateTime!
    "End, exclusive (ISO-8601 UTC)."
    to: DateTime!
    "Time buckets covered."
    buckets: Int!
    "Wall time of the stage, milliseconds."
    ms: Float!
  }

  "The served cells checked against the exact reference engine, in two stages (aggregation, model)."
  type Check {
    "Id of the check (market, parameters, data version, the served cells): ask check(id:) while PENDING."
    id: ID
    status: CheckStatus!
    "The reference that judged: estimated (the reference engine replaying bucket inputs) or exact-positions (the open positions replayed from their history, each evaluated by the reference implementation of the venue rule)."
    engine: String!
    "True when both stages agree within tolerance (null while PENDING)."
    ok: Boolean
    "The first stage that disagreed (AGGREGATION feeds MODEL, so it is named first), or null."
    fault: CheckStage
    "Raw events → bucket inputs over the checked window (null for exact markets)."
    aggregation: CheckStageResult
    "Bucket inputs → the served cells (null while PENDING)."
    model: CheckStageResult
    "Served cells (or cluster values) compared = model.valuesCompared."
    cellsCompared: Int
    "model.maxRelDiff."
    maxRelDiff: Float
    "Relative tolerance of a served cell (of its column's reference total; fraction)."
    tolerance: Float
    "Wall time of the whole check, milliseconds (off the API's event loop)."
    elapsedMs: Float
    "Why a FAILED check failed."
    error: String
    "For an aggregate (engine aggregate): each part's own cells over the same window, checked by its market's reference (null for one market)."
    parts: [PartCheck!]
    "For an aggregate: the served cells against the parts' own persisted rows re-summed by the aggregation convention (null for one market)."
    sum: CheckStageResult
  }

  "The check of one part of an aggregate."
  type PartCheck {
    "exchange:SYMBOL."
    market: ID!
    check: Check!
  }
`;
