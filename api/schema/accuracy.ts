import { readPredictions, readRealizedLiquidations } from '../../db/index.js';
import { scoreAccuracy, type Prediction } from '../../engine/index.js';
import type { ApiContext } from '../context.js';
import { exposeUserErrors, userError } from '../errors.js';
import type { ModelInputArg } from '../levels/model-args.js';
import { resultsFor } from './levels.js';
import { checkRange } from './market-arg.js';

/** At most this many predictions are scored per query (evenly spaced over the range). */
export const MAX_PREDICTIONS = 500;

/** `accuracy`: the backtest of predicted clusters against realized liquidations. */
export const accuracyTypeDefs = /* GraphQL */ `
  "How well the persisted clusters located the liquidations that followed them."
  type Accuracy {
    market: ID!
    basis: Basis!
    "Hash of the model parameters (16 hex digits)."
    paramsHash: String!
    "Horizon after each prediction in which liquidations are counted, seconds."
    horizonSeconds: Int!
    "Spacing of the scored predictions, seconds."
    everySeconds: Int!
    "Predictions scored (those followed by realized liquidations within the horizon)."
    predictions: Int!
    "Realized liquidation notional in the horizons, quote currency."
    realizedNotional: Float!
    "Share of realized notional inside the predicted cluster ranges of the matching side (fraction 0..1)."
    hitShare: Float!
    "The same for a baseline that knows the clusters' typical distance and width but not their place (fraction)."
    baselineHitShare: Float!
    "hitShare / baselineHitShare; null when the baseline caught nothing."
    lift: Float
    "Price range covered by the predicted ranges, as a fraction of the price, averaged (a wide net catches more)."
    coverage: Float!
  }

  extend type Query {
    "Backtest: predicted clusters in [from, to] against the liquidations realized within horizonSeconds after each."
    accuracy(
      "exchange:SYMBOL."
      market: ID!
      "Start (ISO-8601 UTC)."
      from: DateTime!
      "End (ISO-8601 UTC)."
      to: DateTime!
      "Horizon after each prediction, seconds (default 3600)."
      horizonSeconds: Int = 3600
      "Model time bucket, seconds (default 60)."
      timeBucketSeconds: Int
      model: ModelInput
    ): Accuracy!
  }
`;

/** Resolvers of {@link accuracyTypeDefs}. */
export const accuracyResolvers = {
  Query: {
    accuracy: exposeUserErrors(async (_: unknown, args: { market: string; from: number; to: number; horizonSeconds?: number | null; timeBucketSeconds?: number | null; model?: ModelInputArg | null }, ctx: ApiContext) => {
      checkRange(ctx, args.from, args.to, 'accuracy');
      const horizon = args.horizonSeconds ?? 3600;
      if (!(horizon > 0 && horizon <= 7 * 86_400)) throw userError('BAD_USER_INPUT', 'horizonSeconds must be between 1 and 604800 (7 days)');
      const ref = await resultsFor(ctx, args, args.to);
      const fromMs = args.from / 1000;
      const toMs = args.to / 1000;
      const every = Math.max(ref.widthMs, Math.ceil((toMs - fromMs) / MAX_PREDICTIONS / ref.widthMs) * ref.widthMs);
      const [predictions, realized] = await Promise.all([
        readPredictions(ctx.store, ref.market, ref.paramsHash, fromMs, toMs, every),
        readRealizedLiquidations(ctx.store, ref.market, fromMs, toMs + horizon * 1000),
      ]);
      const score = scoreAccuracy(
        predictions.map((p): Prediction => ({ t: p.t, price: p.price, clusters: p.clusters.map((c) => ({ ...c, leverageComposition: [] })) })),
        realized,
        horizon * 1000,
      );
      return { market: ref.market, basis: ref.basis, paramsHash: ref.paramsHash, horizonSeconds: horizon, everySeconds: every / 1000, ...score };
    }),
  },
};
