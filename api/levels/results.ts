import { latestModelCheckpoint, marketSpan, hasPositions } from '../../db/index.js';
import { modelParamsHash, type ModelParams } from '../../engine/index.js';
import { computeMarket, effectiveParams } from '../../jobs/index.js';
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
  /** EXACT when the market's positions are known (on-chain) and its levels come from them. */
  readonly basis: 'ESTIMATED' | 'EXACT';
}

// One on-demand computation per market and parameter set at a time in this process.
const inFlight = new Map<string, Promise<void>>();

/**
 * Makes sure results of `market` under `partial` reach the bucket of `untilMs` (or the
 * market's last event, if earlier): served from the persisted results when they do; computed
 * (and persisted) on demand when they do not — through the jobs runner when there is one (a
 * BullMQ job the workers run, or the in-process runner), in this process otherwise. Results
 * that cover the range but are a few batches behind are served as they are: the workers bring
 * them up to date and the data-versioned cache notices.
 */
export async function ensureResults(ctx: ApiContext, market: string, partial: Partial<ModelParams>, untilMs?: number): Promise<ResultsRef> {
  const params = await effectiveParams(ctx.store, market, partial);
  const paramsHash = modelParamsHash(params);
  const widthMs = params.timeBucketSeconds * 1000;
  const span = await marketSpan(ctx.store, market);
  if (!span) throw userError('NOT_FOUND', `market "${market}" has no trades, candles or mark prices to compute levels from`);
  const bucketOf = (ms: number) => Math.floor(ms / widthMs) * widthMs;
  const needT = bucketOf(Math.min(untilMs ?? Infinity, span.lastMs));
  const cp = await latestModelCheckpoint(ctx.store, market, paramsHash);
  if ((!cp || cp.t < needT) && ctx.readOnly && ctx.jobs?.kind !== 'bullmq') {
    if (!cp) throw userError('NOT_READY', `levels of "${market}" are not computed yet under these parameters; the workers compute them (this API is read-only)`);
  } else if (!cp || cp.t < needT) {
    const key = `${market}|${paramsHash}`;
    let run = inFlight.get(key);
    if (!run) {
      run = (async () => {
        if (ctx.jobs) await ctx.jobs.ensureComputed(market, partial);
        else await computeMarket(ctx.store, { market, params: partial });
      })().finally(() => inFlight.delete(key));
      inFlight.set(key, run);
    }
    await run;
  }
  const basis = (await hasPositions(ctx.store, market)) ? 'EXACT' : 'ESTIMATED';
  return { market, params, partial, paramsHash, widthMs, span, basis };
}
