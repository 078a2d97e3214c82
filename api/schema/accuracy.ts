import { assembleBuckets, bankruptcyFromLiquidationLevels, DEFAULT_FOLDS, MAX_FOLDS, scoreAccuracy, traceFromLevels, venuePriceSemantics, walkForwardFolds, walkForwardScore, type Interval, type Prediction, type WindowScore } from '../../engine/index.js';
import { loadBucketParts, readPredictionLevels, readPredictions, readRealizedLiquidations } from '../../db/index.js';
import type { ApiContext } from '../context.js';
import { exposeUserErrors, userError } from '../errors.js';
import { TIME_BUCKET_DESCRIPTION, type ModelInputArg } from '../levels/model-args.js';
import { resultsFor } from './levels.js';
import { checkRange } from './market-arg.js';

/** At most this many predictions are scored per query (evenly spaced over the range). */
export const MAX_PREDICTIONS = 500;

/** Persisted levels are read within ±this fraction of each prediction's price. */
const LEVEL_BAND = 0.3;

const nullInterval = (i: Interval | null) => i ?? null;

/** A window of the fair score as the `AccuracyWindow` type (times in µs for DateTime). */
function windowOf(w: WindowScore) {
  return {
    from: w.from * 1000,
    to: w.to * 1000,
    predictions: w.capture.predictions,
    liquidations: w.capture.liquidations,
    realizedNotional: w.capture.realizedNotional,
    insideTraversed: w.capture.insideTraversed,
    capture: w.capture.figures.map((f) => ({ q: f.q, model: f.model, modelLift: f.modelLift, distance: nullInterval(f.distance), distanceLift: nullInterval(f.distanceLift), modelMinusDistance: nullInterval(f.modelMinusDistance) })),
    amountSamples: w.amounts.samples,
    amountSpearman: w.amounts.model,
    modelFreeSpearman: w.amounts.modelFree,
  };
}

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
    "Which price the venue's liquidation records report: LIQUIDATION (order or fill price) or BANKRUPTCY (OKX, Bybit)."
    reportedPrice: String!
    "Which model level the figures below compare them with: BANKRUPTCY for venues that report it (derived from the stored liquidation levels, each cell × (1 − m) for longs, × (1 + m) for shorts; within one price bucket of the CLI's exact bankruptcy levels), else LIQUIDATION (also when the parameters carry a maintenance amount, which makes the shift depend on each entry)."
    scoredLevel: String!
    "False when the liquidation records carry no side (both sides pooled in one ranking)."
    sided: Boolean!
    "Start of the first out-of-sample fold of the expanding walk-forward (the range's liquidations cut in time into folds of equal count, none shorter than the horizon; with 2 folds, the bucket by which half of them had happened)."
    split: DateTime
    "Starts of the folds scored out of sample, each with a distance baseline fitted only on the predictions whose horizon ends by its start."
    foldStarts: [DateTime!]!
    "Traversed-range capture and amount calibration before the split (where the first fold's distance baseline was fitted)."
    inSample: AccuracyWindow!
    "The same from the split on: every fold's predictions, each ranked against its own fold's baseline, pooled."
    outOfSample: AccuracyWindow!
  }

  "A figure with its 95% bootstrap interval (prediction times resampled in blocks as long as the horizon, seed 1); null when nothing could be scored."
  type ScoreInterval {
    value: Float
    low: Float
    high: Float
  }

  "Traversed-range capture at one q: only the price range traded in (t, t + horizon] can reveal liquidations; within it the matching side's price buckets are ranked."
  type CaptureAtQ {
    "Share of the traversed price buckets taken (fraction 0..1)."
    q: Float!
    "Share of the realized notional in the model's top-q buckets (fraction; a model that knows nothing gets q)."
    model: ScoreInterval!
    "model / q (ratio)."
    modelLift: ScoreInterval!
    "The same share for the distance-only baseline fitted in sample (fraction)."
    distance: ScoreInterval
    "distance / q (ratio)."
    distanceLift: ScoreInterval
    "model − distance, paired over the same resamples (fraction)."
    modelMinusDistance: ScoreInterval
  }

  "The fair score over one window of prediction times."
  type AccuracyWindow {
    from: DateTime!
    to: DateTime!
    "Predictions with realized liquidations inside their traversed range."
    predictions: Int!
    "Liquidations inside the traversed ranges."
    liquidations: Int!
    "Realized notional scored, quote currency."
    realizedNotional: Float!
    "Share of the horizons' realized notional inside the traversed ranges (fraction; the rest is not scoreable)."
    insideTraversed: Float
    "Capture at q = 10%, 20%, 30%."
    capture: [CaptureAtQ!]!
    "Bucket-sides compared for the amount calibration."
    amountSamples: Int!
    "Spearman rank correlation of the notional the levels said the next bucket would cross against the realized notional in it (−1..1)."
    amountSpearman: ScoreInterval!
    "The same for the model-free predictor |return| × volume (−1..1)."
    modelFreeSpearman: ScoreInterval!
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
      "Walk-forward folds of equal liquidation count, 2..${MAX_FOLDS} (2 = the single split at half; default ${DEFAULT_FOLDS}, as the published report)."
      folds: Int = ${DEFAULT_FOLDS}
      "${TIME_BUCKET_DESCRIPTION}"
      timeBucketSeconds: Int
      model: ModelInput
    ): Accuracy!
  }
`;

/** Resolvers of {@link accuracyTypeDefs}. */
export const accuracyResolvers = {
  Query: {
    accuracy: exposeUserErrors(async (_: unknown, args: { market: string; from: number; to: number; horizonSeconds?: number | null; folds?: number | null; timeBucketSeconds?: number | null; model?: ModelInputArg | null }, ctx: ApiContext) => {
      checkRange(ctx, args.from, args.to, 'accuracy');
      const horizon = args.horizonSeconds ?? 3600;
      if (!(horizon > 0 && horizon <= 7 * 86_400)) throw userError('BAD_USER_INPUT', 'horizonSeconds must be between 1 and 604800 (7 days)');
      const folds = args.folds ?? DEFAULT_FOLDS;
      if (!(folds >= 2 && folds <= MAX_FOLDS)) throw userError('BAD_USER_INPUT', `folds must be between 2 and ${MAX_FOLDS}`);
      const ref = await resultsFor(ctx, args, args.to);
      const fromMs = args.from / 1000;
      const toMs = args.to / 1000;
      const every = Math.max(ref.widthMs, Math.ceil((toMs - fromMs) / MAX_PREDICTIONS / ref.widthMs) * ref.widthMs);
      const [predictions, realized, levels, parts] = await Promise.all([
        readPredictions(ctx.store, ref.market, ref.paramsHash, fromMs, toMs, every),
        readRealizedLiquidations(ctx.store, ref.market, fromMs, toMs + horizon * 1000),
        readPredictionLevels(ctx.store, ref.market, ref.paramsHash, fromMs, toMs, every, LEVEL_BAND),
        loadBucketParts(ctx.store, ref.market, fromMs, toMs + horizon * 1000 + ref.widthMs, ref.widthMs),
      ]);
      const score = scoreAccuracy(
        predictions.map((p): Prediction => ({ t: p.t, price: p.price, clusters: p.clusters.map((c) => ({ ...c, leverageComposition: [] })) })),
        realized,
        horizon * 1000,
      );
      const venue = ref.market.split(':')[0] ?? '';
      // A venue that reports bankruptcy prices is scored against bankruptcy levels, derived from
      // the stored liquidation levels where the parameters allow (no maintenance amount), as the
      // CLI scores them; known positions (EXACT) and other parameters stay at the liquidation level.
      const reported = venuePriceSemantics(venue);
      const derived = reported === 'bankruptcy' && ref.basis !== 'EXACT' ? levels.map((r) => bankruptcyFromLiquidationLevels(r, r.priceStep, ref.params.maintenanceMarginRate, ref.params.maintenanceAmountFraction)) : null;
      const bankrupt = derived !== null && derived.every((d) => d !== null);
      const scored = bankrupt ? levels.map((r, i) => ({ ...r, ...derived[i]! })) : levels;
      const trace = traceFromLevels(scored, assembleBuckets(parts), realized, { horizonMs: horizon * 1000, bucketMs: ref.widthMs, semantics: bankrupt ? 'bankruptcy' : 'liquidation', coverage: { from: fromMs, to: toMs + horizon * 1000 } });
      const starts = walkForwardFolds(realized, ref.widthMs, { folds, horizonMs: horizon * 1000 });
      const split = starts[0] ?? null;
      const fair = walkForwardScore(trace, starts.length > 0 ? starts : [fromMs], { boot: { block: Math.max(1, Math.ceil((horizon * 1000) / every)) } });
      return {
        market: ref.market,
        basis: ref.basis,
        paramsHash: ref.paramsHash,
        horizonSeconds: horizon,
        everySeconds: every / 1000,
        ...score,
        reportedPrice: reported.toUpperCase(),
        scoredLevel: bankrupt ? 'BANKRUPTCY' : 'LIQUIDATION',
        sided: trace.sided,
        split: split === null ? null : split * 1000,
        foldStarts: starts.map((t) => t * 1000),
        inSample: windowOf(fair.train),
        outOfSample: windowOf(fair.test),
      };
    }),
  },
};
