import { candleOnlyInterval, marketSpan, newestCheckpointStamp, rollbackResults } from '../../db/index.js';
import { modelParamsHash } from '../../engine/index.js';
import { effectiveParams } from '../../jobs/index.js';
import type { ApiContext } from '../context.js';
import { exposeUserErrors, userError } from '../errors.js';
import { partialParams, TIME_BUCKET_DESCRIPTION, type ModelInputArg } from '../levels/model-args.js';
import { checkRequestedSetSize, isServedSet } from '../levels/results.js';
import { filterClusters, type ClustersSnapshot } from '../live/cluster-feeds.js';
import { MAX_CLUSTERS } from './levels.js';
import { requireMarket } from './market-arg.js';

/** The `recompute` mutation (API key) and the `clustersUpdated` subscription (SSE). */
export const liveTypeDefs = /* GraphQL */ `
  "A recompute that was enqueued."
  type RecomputeJob {
    "The job id (BullMQ job id, or in-process-N on the embedded runner)."
    jobId: ID!
    market: ID!
    "Hash of the model parameters it computes (16 hex digits)."
    paramsHash: String!
    "Persisted buckets removed before recomputing (from from on)."
    rolledBack: Int!
  }

  type Mutation {
    "Recompute a market's results from from on (the model is sequential: everything after from is recomputed; to bounds nothing and is accepted for clarity). Needs Authorization: Bearer API_KEY."
    recompute(
      "exchange:SYMBOL."
      market: ID!
      "Recompute from this time on (ISO-8601 UTC; default: resume after the newest checkpoint)."
      from: DateTime
      "End of the range the caller cares about (ISO-8601 UTC)."
      to: DateTime
      "${TIME_BUCKET_DESCRIPTION}"
      timeBucketSeconds: Int
      model: ModelInput
    ): RecomputeJob!
  }

  type Subscription {
    "The clusters of a market (default parameters), sent on subscribe and again whenever a newer bucket or data version is computed (server-sent events)."
    clustersUpdated(
      "exchange:SYMBOL."
      market: ID!
      "Only this side (default both)."
      side: PositionSide
      "At most this many, 1..10 (default 10)."
      limit: Int = 10
      "Only clusters of at least this notional, quote currency."
      minNotional: Float = 0
    ): Clusters!
  }
`;

/** Resolvers of {@link liveTypeDefs}. */
export const liveResolvers = {
  Mutation: {
    recompute: exposeUserErrors(async (_: unknown, args: { market: string; from?: number | null; to?: number | null; timeBucketSeconds?: number | null; model?: ModelInputArg | null }, ctx: ApiContext) => {
      if (ctx.config.API_KEY === undefined) throw userError('UNAUTHORIZED', 'mutations are disabled on this server: set API_KEY to enable them');
      if (!ctx.authorized) throw userError('UNAUTHORIZED', 'recompute needs the header Authorization: Bearer <API_KEY>');
      if (!ctx.jobs || !ctx.jobs.canCompute || (ctx.readOnly && ctx.jobs.kind === 'in-process')) {
        throw userError('BAD_USER_INPUT', 'this server has no jobs pipeline that computes (set REDIS_URL and run `liqmap work`, or use `liqmap start`): a recompute would never run');
      }
      if (ctx.readOnly && args.from != null) {
        throw userError('BAD_USER_INPUT', 'this API is read-only and cannot roll results back from `from`: omit from (the workers bring results up to date), or run `liqmap jobs backfill <market> --from …` where the database is writable');
      }
      const market = await requireMarket(ctx, args.market);
      const partial = partialParams(args.model, args.timeBucketSeconds, ctx.config.LIQMAP_MODEL_PRESETS);
      // The hash only: recomputing is the workers' job, not this request's.
      const params = await effectiveParams(ctx.store, market, partial);
      const paramsHash = modelParamsHash(params);
      const span = await marketSpan(ctx.store, market);
      // The key buys work, but not unbounded work: the same cell bound as a query with the key.
      if (span && !isServedSet(ctx, market, paramsHash, await candleOnlyInterval(ctx.store, market))) checkRequestedSetSize(params, paramsHash, span);
      let rolledBack = 0;
      if (args.from != null) {
        // As the compute processor does for late data: drop results from `from` on, then the
        // rows after the checkpoint that survived, which the workers resume from.
        const width = params.timeBucketSeconds * 1000;
        rolledBack += await rollbackResults(ctx.store, market, paramsHash, Math.floor(args.from / 1000 / width) * width);
        const cp = await newestCheckpointStamp(ctx.store, market, paramsHash);
        rolledBack += await rollbackResults(ctx.store, market, paramsHash, cp ? cp.t + width : 0);
      }
      const jobId = await ctx.jobs.recompute(market, partial);
      return { jobId, market, paramsHash, rolledBack };
    }),
  },
  Subscription: {
    clustersUpdated: {
      // One shared poller per market (api/live/cluster-feeds.ts); each subscriber filters what it sends.
      subscribe: exposeUserErrors(async (_: unknown, args: ClustersUpdatedArgs, ctx: ApiContext & { request?: Request }) => {
        const limit = args.limit ?? MAX_CLUSTERS;
        if (!Number.isInteger(limit) || limit < 1 || limit > MAX_CLUSTERS) throw userError('BAD_USER_INPUT', `limit must be between 1 and ${MAX_CLUSTERS}`);
        if (args.minNotional != null && !Number.isFinite(args.minNotional)) throw userError('BAD_USER_INPUT', 'minNotional must be a finite number (quote currency)');
        const market = await requireMarket(ctx, args.market);
        if (!ctx.clusterFeeds) throw new Error('clustersUpdated needs the subscriptions plugin (api/plugins/subscriptions.ts)');
        return ctx.clusterFeeds.subscribe(market, ctx.request?.signal);
      }),
      resolve: (snapshot: ClustersSnapshot, args: ClustersUpdatedArgs) => filterClusters(snapshot, { side: args.side ?? null, limit: args.limit ?? MAX_CLUSTERS, minNotional: args.minNotional ?? 0 }),
    },
  },
};

interface ClustersUpdatedArgs {
  market: string;
  side?: 'LONG' | 'SHORT' | null;
  limit?: number | null;
  minNotional?: number | null;
}
