import { AGGREGATE_SYMBOL, aggregateId, aggregateMarkets, aggregatePartId, heatmapExtent, readAggregate, SYMBOL_VENUES, type AggregatePart } from '../../db/index.js';
import { type ModelParams } from '../../engine/index.js';
import { effectiveParams, requestedParamsHash, servedParamSets } from '../../jobs/index.js';
import type { ApiContext } from '../context.js';
import { userError } from '../errors.js';
import type { ResultsRef } from './results.js';

/** An aggregate's persisted results: read like a market's (under its id), with its parts. */
export interface AggregateRef extends Omit<ResultsRef, 'basis'> {
  readonly symbol: string;
  readonly venues: readonly string[];
  /** ESTIMATED or EXACT when every part is; MIXED otherwise (each part says its own). */
  readonly basis: 'ESTIMATED' | 'EXACT' | 'MIXED';
  readonly parts: readonly AggregatePart[];
}

/** The GraphQL `Venue` enum: the registry's venues, upper case. */
export const VENUE_ENUM = SYMBOL_VENUES.map((v) => v.toUpperCase());

/** The `Venue` enum's SDL. */
export const venueTypeDefs = /* GraphQL */ `
  "A venue of the symbol registry (markets are \`venue:SYMBOL\`, the venue in lower case)."
  enum Venue { ${VENUE_ENUM.join(' ')} }
`;

/** The basis of a set of parts. */
function basisOf(parts: readonly AggregatePart[]): AggregateRef['basis'] {
  if (parts.length > 0 && parts.every((p) => p.basis === 'EXACT')) return 'EXACT';
  return parts.some((p) => p.basis === 'EXACT') ? 'MIXED' : 'ESTIMATED';
}

/**
 * The persisted aggregate of base `symbol` over `venues` (default: every venue with a market of
 * it) under `partial`. Like {@link ensureResults}, a request never sums: a missing aggregate of a
 * served parameter set (or any set, for a caller with the API key) is handed to the workers and
 * the request gets NOT_READY with the job id; an anonymous request for another set gets NOT_READY
 * and enqueues nothing. A market of the base that appeared since the aggregate was summed gets it
 * re-summed (the workers also re-sum it whenever a part's results change).
 */
export async function ensureAggregate(ctx: ApiContext, symbolArg: string, venuesArg: readonly string[] | null | undefined, partial: Partial<ModelParams>): Promise<AggregateRef> {
  const symbol = symbolArg.trim().toUpperCase();
  if (!AGGREGATE_SYMBOL.test(symbol)) throw userError('BAD_USER_INPUT', `symbol "${symbolArg.slice(0, 40)}" is not a base asset: 1 to 32 letters or digits, e.g. BTC`);
  const named = venuesArg?.map((v) => v.toLowerCase());
  if (named && named.length === 0) throw userError('BAD_USER_INPUT', 'venues: name at least one venue, or omit it for every venue that lists the symbol');
  const markets = await aggregateMarkets(ctx.store, symbol, named);
  if (markets.length === 0) throw userError('NOT_FOUND', `no indexed market of base ${symbol}${named ? ` on ${named.join(', ')}` : ''} quoted in USDT, USDC or USD; query \`markets\` for the ones that are`);
  const venues = named ?? [...new Set(markets.map((m) => m.venue))];
  const aggId = aggregateId(symbol, venues);
  const paramsHash = requestedParamsHash(partial);
  const state = await readAggregate(ctx.store, aggId, paramsHash);
  const served = servedParamSets(ctx.config).some((p) => requestedParamsHash(p) === paramsHash);
  const current = state !== null && state.lastT !== null && state.parts.length === markets.length && state.parts.every((p, i) => p.market === markets[i]!.market);
  const jobs = ctx.jobs;
  const canEnqueue = jobs !== undefined && jobs.canCompute && !(ctx.readOnly && jobs.kind === 'in-process');
  const what = `the aggregate of ${symbol} over ${venues.join(', ')} (${aggId}) under these parameters (hash ${paramsHash})`;
  if (state && state.lastT !== null) {
    if (!current && (served || ctx.authorized) && canEnqueue) await jobs.recompute(aggId, partial);
    const extent = await heatmapExtent(ctx.store, aggId, paramsHash, 0, state.lastT);
    const width = Math.max(60_000, ...state.parts.map((p) => p.widthMs));
    const first = state.parts[0];
    const params = { ...(await effectiveParams(ctx.store, first!.market, partial)), timeBucketSeconds: width / 1000 };
    return { market: aggId, symbol, venues, params, partial, paramsHash, widthMs: width, span: { firstMs: extent?.firstT ?? state.lastT, lastMs: state.lastT }, basis: basisOf(state.parts), parts: state.parts };
  }
  if (!served && !ctx.authorized) {
    throw userError('NOT_READY', `${what} is not summed, and this parameter set is not one this server serves; a caller with the API key (Authorization: Bearer <API_KEY>) can have the workers sum it`, { paramsHash });
  }
  const jobId = canEnqueue ? await jobs.recompute(aggId, partial) : null;
  throw userError(
    'NOT_READY',
    jobId ? `${what} is being summed by the workers (job ${jobId}); ask again shortly` : `${what} is not summed yet and this server has no workers: run \`liqmap work\` (or \`liqmap start\`) against the same database`,
    { paramsHash, ...(jobId ? { jobId } : {}) },
  );
}

/** The persisted rows of one part of an aggregate (moved onto its grid), read like a market's. */
export function partRef(agg: AggregateRef, part: AggregatePart): ResultsRef {
  return { ...agg, market: aggregatePartId(agg.market, part.market), basis: part.basis };
}

/** Share of each cell of `total` that `part` holds (0 where the total is 0), fraction. */
export function shares(part: readonly number[], total: readonly number[]): number[] {
  return total.map((v, i) => (v > 0 ? (part[i] ?? 0) / v : 0));
}
