import type { RawBuilder } from 'kysely';
import { resultFacts, resultFactsWith, type ResultFacts } from '../../db/index.js';
import { modelParamsHash, type ModelParams } from '../../engine/index.js';
import { historyBuckets, paramsForMarket, historyCells, MAX_REQUESTED_SET_CELLS, priceBucketsPerRow, servedParamSets } from '../../jobs/index.js';
import type { ApiContext } from '../context.js';
import { userError } from '../errors.js';

/** The persisted results a field reads: a market under one parameter set. */
export interface ResultsRef {
  readonly market: string;
  readonly params: ModelParams;
  readonly partial: Partial<ModelParams>;
  readonly paramsHash: string;
  /** Model time bucket, ms. */
  readonly widthMs: number;
  /** The market's first and last event, epoch ms. */
  readonly span: { readonly firstMs: number; readonly lastMs: number };
  /** EXACT when the market's positions are known (on-chain) and its levels come from them; MIXED: an aggregate of both. */
  readonly basis: 'ESTIMATED' | 'EXACT' | 'MIXED';
}

/**
 * Refuses a requested (not served) parameter set whose results over the market's history would
 * exceed {@link MAX_REQUESTED_SET_CELLS}: RANGE_TOO_LARGE saying the cells and what to change.
 */
export function checkRequestedSetSize(params: ModelParams, paramsHash: string, span: { readonly firstMs: number; readonly lastMs: number }): void {
  const cells = historyCells(params, span);
  if (cells <= MAX_REQUESTED_SET_CELLS) return;
  throw userError(
    'RANGE_TOO_LARGE',
    `these parameters would persist ${historyBuckets(params, span)} time buckets × up to ${priceBucketsPerRow(params)} price buckets = ${cells.toExponential(2)} cells over the market's history (${new Date(span.firstMs).toISOString()} to ${new Date(span.lastMs).toISOString()}); at most ${MAX_REQUESTED_SET_CELLS.toExponential(2)} per requested set: choose a larger timeBucketSeconds or model.priceBucketFraction`,
    { paramsHash },
  );
}

/** Whether `params` (effective, for `market`) is one of the sets served to anyone: the default or a preset. */
export function isServedSet(ctx: ApiContext, market: string, paramsHash: string, candleOnlyIntervalS: number | null): boolean {
  return servedParamSets(ctx.config).some((p) => modelParamsHash(paramsForMarket(market, p, p.timeBucketSeconds !== undefined ? null : candleOnlyIntervalS)) === paramsHash);
}

/**
 * The persisted results of `market` under `partial`, for a field to read. A request never
 * computes history (the API serves; the workers compute):
 * - results that exist are served, even when they are a few batches behind `untilMs` (the
 *   workers bring them up to date and the data-versioned cache notices);
 * - missing results of a served set (the default, a LIQMAP_MODEL_PRESETS preset) are handed
 *   to the workers, and the request gets NOT_READY at once with the job id;
 * - any other set is computed only at the request of a caller holding API_KEY (and within
 *   {@link MAX_REQUESTED_SET_CELLS}); an anonymous request for it gets NOT_READY and enqueues
 *   nothing.
 */
export async function ensureResults(ctx: ApiContext, market: string, partial: Partial<ModelParams>, untilMs?: number): Promise<ResultsRef> {
  // Everything needed before the data query, in one round trip (no model state is read).
  return refOf(ctx, market, partial, await resultFacts(ctx.store, market), untilMs);
}

/**
 * {@link ensureResults} with the data query in the same statement: `data` is built for the
 * parameter hash the market most likely has (the one of a market with trades, computed before
 * the facts are read) and runs beside the facts; its rows are returned when the facts confirm
 * that hash, else `rows` is null and the caller reads with `ref.paramsHash` (a candle-only
 * market's default bucket is its candle interval). The same answers and errors as
 * ensureResults, in one round trip instead of two.
 */
export async function ensureResultsWith<T>(ctx: ApiContext, market: string, partial: Partial<ModelParams>, untilMs: number | undefined, data: (paramsHash: string, lastEvent: RawBuilder<unknown>) => RawBuilder<T>): Promise<{ ref: ResultsRef; rows: T[] | null }> {
  const guess = effective(market, partial, null).paramsHash;
  const { facts, rows } = await resultFactsWith(ctx.store, market, (lastEvent) => data(guess, lastEvent));
  const ref = await refOf(ctx, market, partial, facts, untilMs);
  return { ref, rows: ref.paramsHash === guess ? rows : null };
}

/**
 * Effective parameters and their hash, memoised: parsing them (zod) and hashing was ~3% of an
 * uncached clusters request's CPU, for the same few sets every time. Bounded: cleared when full.
 */
const effectiveMemo = new Map<string, { params: ModelParams; paramsHash: string }>();
function effective(market: string, partial: Partial<ModelParams>, candleOnlyInterval: number | null): { params: ModelParams; paramsHash: string } {
  const key = `${market}\0${candleOnlyInterval}\0${JSON.stringify(partial)}`;
  let e = effectiveMemo.get(key);
  if (!e) {
    const params = paramsForMarket(market, partial, partial.timeBucketSeconds !== undefined ? null : candleOnlyInterval);
    e = { params, paramsHash: modelParamsHash(params) };
    if (effectiveMemo.size >= 1000) effectiveMemo.clear();
    effectiveMemo.set(key, e);
  }
  return e;
}

/** The {@link ResultsRef} the facts give, enqueuing or refusing as {@link ensureResults} says. */
async function refOf(ctx: ApiContext, market: string, partial: Partial<ModelParams>, facts: ResultFacts, untilMs: number | undefined): Promise<ResultsRef> {
  if (!facts.known) throw userError('NOT_FOUND', `market "${market}" is not indexed; query \`markets\` for the ones that are`);
  const { params, paramsHash } = effective(market, partial, facts.candleOnlyInterval);
  const widthMs = params.timeBucketSeconds * 1000;
  const span = facts.span;
  if (!span) throw userError('NOT_FOUND', `market "${market}" has no trades, candles or mark prices to compute levels from`);
  const bucketOf = (ms: number) => Math.floor(ms / widthMs) * widthMs;
  const needT = bucketOf(Math.min(untilMs ?? Infinity, span.lastMs));
  const cpT = facts.checkpoints.get(paramsHash);
  const cp = cpT === undefined ? null : { t: cpT };
  const basis = facts.hasPositions ? 'EXACT' : 'ESTIMATED';
  const ref: ResultsRef = { market, params, partial, paramsHash, widthMs, span, basis };
  // Behind is served as is for anyone; an authorised caller also gets the catch-up enqueued.
  if (cp && (cp.t >= needT || !ctx.authorized)) return ref;
  const served = isServedSet(ctx, market, paramsHash, facts.candleOnlyInterval);
  if (!served && !ctx.authorized) {
    throw userError('NOT_READY', `levels of "${market}" under these parameters (hash ${paramsHash}) are not computed, and this parameter set is not one this server serves (the default${Object.keys(ctx.config.LIQMAP_MODEL_PRESETS).length ? ' or a preset of LIQMAP_MODEL_PRESETS' : ''}); a caller with the API key (Authorization: Bearer <API_KEY>) can have the workers compute it`, { paramsHash });
  }
  if (!served) checkRequestedSetSize(params, paramsHash, span);
  const jobs = ctx.jobs;
  // A read-only API must not compute in its own process: only a queue (BullMQ) takes the work.
  const canEnqueue = jobs !== undefined && jobs.canCompute && !(ctx.readOnly && jobs.kind === 'in-process');
  const jobId = canEnqueue ? await jobs.recompute(market, partial) : null;
  if (cp) return ref;
  throw userError(
    'NOT_READY',
    jobId
      ? `levels of "${market}" under these parameters (hash ${paramsHash}) are being computed by the workers (job ${jobId}); ask again shortly`
      : `levels of "${market}" under these parameters (hash ${paramsHash}) are not computed yet and this server has no workers to compute them: run \`liqmap work\` (or \`liqmap start\`) against the same database`,
    { paramsHash, ...(jobId ? { jobId } : {}) },
  );
}
