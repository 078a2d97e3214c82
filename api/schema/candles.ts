import { readPriceCandles } from '../../db/index.js';
import type { ApiContext } from '../context.js';
import { exposeUserErrors, userError } from '../errors.js';
import { TIME_BUCKET_DESCRIPTION } from '../levels/model-args.js';
import { DEFAULT_WINDOW_MS, resultsFor } from './levels.js';
import { checkRange } from './market-arg.js';

/** Most columns one `priceCandles` answer may have. */
export const MAX_CANDLES = 20_000;

/** `priceCandles`: the market's OHLC beside a heatmap (the dashboard's candles when zoomed in). */
export const candlesTypeDefs = /* GraphQL */ `
  "A market's price as OHLC columns, from the bucket inputs its results were computed from."
  type PriceCandles {
    market: ID!
    "Width of one column, seconds (a whole number of model buckets)."
    resolutionSeconds: Int!
    "Start of each column (ISO-8601 UTC); columns without a price are left out."
    times: [DateTime!]!
    "First price of each column, quote currency per base unit."
    open: [Float!]!
    "Highest price, quote currency per base unit."
    high: [Float!]!
    "Lowest price, quote currency per base unit."
    low: [Float!]!
    "Last price, quote currency per base unit."
    close: [Float!]!
  }

  extend type Query {
    "OHLC of a market per column over [from, to] (the trades of each model bucket, or its candle where it has no trades). At most ${MAX_CANDLES} columns."
    priceCandles(
      "exchange:SYMBOL."
      market: ID!
      "Start (ISO-8601 UTC; default: 24 hours before to)."
      from: DateTime
      "End, inclusive (ISO-8601 UTC; default: the market's newest event)."
      to: DateTime
      "Width of a column, seconds (default: the model bucket × k, for at most 720 columns); rounded to a whole number of model buckets."
      resolutionSeconds: Int
      "${TIME_BUCKET_DESCRIPTION}"
      timeBucketSeconds: Int
    ): PriceCandles!
  }
`;

/** Resolvers of {@link candlesTypeDefs}. */
export const candlesResolvers = {
  Query: {
    priceCandles: exposeUserErrors(async (_: unknown, args: { market: string; from?: number | null; to?: number | null; resolutionSeconds?: number | null; timeBucketSeconds?: number | null }, ctx: ApiContext) => {
      const ref = await resultsFor(ctx, args, args.to);
      const toMs = args.to == null ? ref.span.lastMs : args.to / 1000;
      const fromMs = args.from == null ? toMs - DEFAULT_WINDOW_MS : args.from / 1000;
      checkRange(ctx, fromMs * 1000, toMs * 1000, 'priceCandles');
      const r = args.resolutionSeconds;
      if (r != null && (!Number.isInteger(r) || r < 1)) throw userError('BAD_USER_INPUT', `resolutionSeconds = ${r}: must be an integer of at least 1 (seconds)`);
      const width = ref.widthMs;
      const stepMs = r != null ? Math.max(1, Math.round((r * 1000) / width)) * width : width * Math.max(1, Math.ceil((toMs - fromMs) / width / 720));
      const cols = Math.ceil((toMs - fromMs + 1) / stepMs);
      if (cols > MAX_CANDLES) throw userError('RANGE_TOO_LARGE', `priceCandles would have ${cols} columns; at most ${MAX_CANDLES}: widen resolutionSeconds or narrow the range`);
      const rows = await readPriceCandles(ctx.store, { market: ref.market, paramsHash: ref.paramsHash, fromMs, toMs, stepMs });
      return {
        market: ref.market,
        resolutionSeconds: stepMs / 1000,
        times: rows.map((c) => c.t * 1000),
        open: rows.map((c) => c.open),
        high: rows.map((c) => c.high),
        low: rows.map((c) => c.low),
        close: rows.map((c) => c.close),
      };
    }),
  },
};
