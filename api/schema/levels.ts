import { heatmapExtent, readClustersAt } from '../../db/index.js';
import type { ApiContext } from '../context.js';
import { exposeUserErrors, userError } from '../errors.js';
import { AT_WINDOW_MS, checkById, checkServed, checkTypeDefs } from '../levels/check.js';
import { checkHeatmapArgs, MAX_CELLS, MAX_PRICE, readHeatmap } from '../levels/heatmap.js';
import { DEFAULT_MAP_RANGE, levelsAt, liquidationMap } from '../levels/liquidation-map.js';
import { modelInputTypeDefs, partialParams, TIME_BUCKET_DESCRIPTION, type ModelInputArg } from '../levels/model-args.js';
import { ensureResults, type ResultsRef } from '../levels/results.js';
import { checkRange, requireMarket } from './market-arg.js';

/** Default length of a heatmap window when `from` is omitted, ms. */
export const DEFAULT_WINDOW_MS = 24 * 3_600_000;
/** Clusters are persisted for the largest this many per bucket. */
export const MAX_CLUSTERS = 10;

const heatmapFields = (what: string) => `
    "exchange:SYMBOL."
    market: ID!
    "ESTIMATED (leverage-mix model) or EXACT (known positions)."
    basis: Basis!
    "Hash of the model parameters the results were computed with (16 hex digits)."
    paramsHash: String!
    "Model time bucket, seconds."
    timeBucketSeconds: Int!
    "Width of one column, seconds (a whole number of model buckets; each column shows the levels standing at its end)."
    resolutionSeconds: Int!
    "Height of one price row, quote currency (a whole number of model price buckets)."
    priceBucket: Float!
    "Column times: start of the model bucket each column shows (ISO-8601 UTC)."
    times: [DateTime!]!
    "Lower edge of each price row, quote currency per base unit, ascending."
    prices: [Float!]!
    "Close of each column's bucket, quote currency per base unit (the price line)."
    priceLine: [Float!]!
    "${what} of longs and shorts together per cell, quote currency; row-major by time: values[i × prices.length + j] is times[i], prices[j]."
    values: [Float!]!
    "${what} of longs per cell, quote currency; same layout as values."
    long: [Float!]!
    "${what} of shorts per cell, quote currency; same layout as values."
    short: [Float!]!
    "Largest cell of values, quote currency (for a colour scale)."
    maxValue: Float!
    "These cells checked against the reference engine (only with check: true)."
    check: Check
`;

const heatmapArgs = `
    "exchange:SYMBOL, e.g. binance:BTCUSDT."
    market: ID!
    "Start (ISO-8601 UTC; default: 24 hours before to). to − from is at most LIQMAP_MAX_RANGE_DAYS (default 31 days), whether to is given or not."
    from: DateTime
    "End, inclusive (ISO-8601 UTC; default: the market's newest event)."
    to: DateTime
    "${TIME_BUCKET_DESCRIPTION}"
    timeBucketSeconds: Int
    "Height of a price row, quote currency, greater than 0 (default: the model's price bucket × k, for at most 300 rows). Columns × rows may not exceed ${MAX_CELLS} cells."
    priceBucket: Float
    "Width of a column, seconds, an integer 1 to LIQMAP_MAX_RANGE_DAYS × 86400 (default: the model bucket × k, for at most 720 columns)."
    resolutionSeconds: Int
    "Lowest price shown, quote, 0 to ${MAX_PRICE} (default: the window's lowest price − 15%)."
    priceLow: Float
    "Highest price shown, quote, above priceLow, at most ${MAX_PRICE} (default: the window's highest price + 15%)."
    priceHigh: Float
    "Model parameters (defaults as documented on ModelInput)."
    model: ModelInput
    "Check the returned cells against the reference engine (replayed from the market's first bucket, off the event loop; PENDING with an id past the time budget)."
    check: Boolean = false
`;

/** Engine-backed level fields: heatmaps, the liquidation map and clusters. */
export const levelsTypeDefs = /* GraphQL */ `
  ${checkTypeDefs}
  ${modelInputTypeDefs}

  "Pending liquidation notional by time and price (the liquidation heatmap)."
  type Heatmap {${heatmapFields('Pending liquidation notional')}}

  "Open notional by time and entry price (where the open interest was opened)."
  type OpenInterestHeatmap {${heatmapFields('Open notional at entry')}}

  "Position side."
  enum PositionSide { LONG SHORT }

  "Pending liquidations by price around the price at one time (the classic liquidation map)."
  type LiquidationMap {
    market: ID!
    basis: Basis!
    "Hash of the model parameters (16 hex digits)."
    paramsHash: String!
    "Start of the model bucket whose levels are shown (ISO-8601 UTC)."
    at: DateTime!
    "Close of that bucket, quote currency per base unit."
    price: Float!
    "Height of one price row, quote currency."
    priceBucket: Float!
    "Lower edge of each price row, quote currency, ascending."
    prices: [Float!]!
    "Pending long liquidation notional per row, quote currency."
    long: [Float!]!
    "Pending short liquidation notional per row, quote currency."
    short: [Float!]!
    "Long notional liquidated if price falls to the row (from the price down), quote currency; 0 above the price."
    cumulativeLong: [Float!]!
    "Short notional liquidated if price rises to the row (from the price up), quote currency; 0 below the price."
    cumulativeShort: [Float!]!
    check: Check
  }

  "Notional of one leverage inside a cluster."
  type LeverageShare {
    "Leverage, ×."
    leverage: Float!
    "Pending liquidation notional at this leverage, quote currency."
    notional: Float!
  }

  "A price range where pending liquidations bunch up."
  type Cluster {
    "LONG clusters liquidate as price falls to them; SHORT as it rises."
    side: PositionSide!
    "Lower edge, quote currency per base unit."
    priceLow: Float!
    "Upper edge, quote currency per base unit."
    priceHigh: Float!
    "Middle of the densest price bucket, quote currency per base unit."
    peakPrice: Float!
    "Pending liquidation notional inside the range, quote currency."
    notional: Float!
    "Share of the side's pending notional (fraction 0..1)."
    shareOfSide: Float!
    "(peakPrice − price) / price: negative below the price (fraction)."
    distanceFraction: Float!
    "Notional by leverage inside the range, quote currency."
    leverageComposition: [LeverageShare!]!
  }

  "The clusters standing at one time."
  type Clusters {
    market: ID!
    basis: Basis!
    "Hash of the model parameters (16 hex digits)."
    paramsHash: String!
    "Start of the model bucket whose clusters are shown (ISO-8601 UTC)."
    at: DateTime!
    "Close of that bucket, quote currency per base unit."
    price: Float!
    "Largest notional first."
    clusters: [Cluster!]!
    check: Check
  }

  extend type Query {
    "The liquidation heatmap: pending long and short liquidation notional by time and price, from the persisted results (computed by the workers; NOT_READY with a job id while missing)."
    heatmap(${heatmapArgs}): Heatmap!
    "Open notional by time and entry price, from the persisted results."
    openInterestHeatmap(${heatmapArgs}): OpenInterestHeatmap!
    "Pending liquidations by price around the price at time at."
    liquidationMap(
      "exchange:SYMBOL."
      market: ID!
      "Time (ISO-8601 UTC; default: the newest computed bucket): the levels of the bucket at or before it."
      at: DateTime
      "Half-width around the price, fraction (default 0.1 = ±10%)."
      range: Float
      "Height of a price row, quote currency (default: at most 200 rows)."
      priceBucket: Float
      "${TIME_BUCKET_DESCRIPTION}"
      timeBucketSeconds: Int
      model: ModelInput
      "Check the returned rows against the reference engine (PENDING with an id past the time budget)."
      check: Boolean = false
    ): LiquidationMap!
    "The clusters of pending liquidations standing at time at (from the 10 largest persisted per bucket)."
    clusters(
      "exchange:SYMBOL."
      market: ID!
      "Time (ISO-8601 UTC; default: the newest computed bucket)."
      at: DateTime
      "Only this side (default both)."
      side: PositionSide
      "At most this many, 1..10 (default 10)."
      limit: Int = 10
      "Only clusters of at least this notional, quote currency (default 0)."
      minNotional: Float = 0
      "${TIME_BUCKET_DESCRIPTION}"
      timeBucketSeconds: Int
      model: ModelInput
      "Check the returned clusters' notional, share and composition against the reference engine's levels (PENDING with an id past the time budget)."
      check: Boolean = false
    ): Clusters!
    "A check by the id a PENDING answer gave: its verdict once done (waits up to the time budget while it runs)."
    check(id: ID!): Check
  }
`;

interface CommonArgs {
  market: string;
  timeBucketSeconds?: number | null;
  model?: ModelInputArg | null;
  check?: boolean | null;
}
interface HeatmapArgs extends CommonArgs {
  from?: number | null;
  to?: number | null;
  priceBucket?: number | null;
  resolutionSeconds?: number | null;
  priceLow?: number | null;
  priceHigh?: number | null;
}
interface AtArgs extends CommonArgs {
  at?: number | null;
}

/** Market, parameters and results for a field's arguments (computing them when missing). */
export async function resultsFor(ctx: ApiContext, args: CommonArgs, untilUs?: number | null): Promise<ResultsRef> {
  const market = await requireMarket(ctx, args.market);
  return ensureResults(ctx, market, partialParams(args.model, args.timeBucketSeconds, ctx.config.LIQMAP_MODEL_PRESETS), untilUs == null ? undefined : untilUs / 1000);
}

/** The newest computed bucket at or before `at` (µs), or the newest of all, epoch ms. */
export function atMs(ref: ResultsRef, at: number | null | undefined): number {
  return at == null ? ref.span.lastMs : at / 1000;
}

const heatmapOf = (layer: 'liquidations' | 'openInterest') =>
  exposeUserErrors(async (_: unknown, args: HeatmapArgs, ctx: ApiContext) => {
    const what = layer === 'liquidations' ? 'heatmap' : 'openInterestHeatmap';
    if (args.from != null && args.to != null) checkRange(ctx, args.from, args.to, what);
    checkHeatmapArgs(args, ctx.config.LIQMAP_MAX_RANGE_DAYS * 86_400);
    const ref = await resultsFor(ctx, args, args.to);
    const toMs = args.to == null ? ref.span.lastMs : args.to / 1000;
    const fromMs = args.from == null ? toMs - DEFAULT_WINDOW_MS : args.from / 1000;
    // Again with the defaults filled in: omitting `to` does not lift the range limit.
    checkRange(ctx, fromMs * 1000, toMs * 1000, what);
    const m = await readHeatmap(ctx, ref, layer, { fromMs, toMs, resolutionSeconds: args.resolutionSeconds, priceBucket: args.priceBucket, priceLow: args.priceLow, priceHigh: args.priceHigh });
    const values = m.long.map((v, i) => v + (m.short[i] ?? 0));
    return {
      market: ref.market,
      basis: ref.basis,
      paramsHash: ref.paramsHash,
      timeBucketSeconds: ref.params.timeBucketSeconds,
      resolutionSeconds: m.resolutionSeconds,
      priceBucket: m.priceBucket,
      times: m.times.map((t) => t * 1000),
      prices: m.prices,
      priceLine: m.priceLine,
      values,
      long: m.long,
      short: m.short,
      maxValue: values.reduce((a, b) => (b > a ? b : a), 0),
      check: args.check
        ? await checkServed(ctx, ref, {
            field: layer === 'liquidations' ? 'heatmap' : 'openInterestHeatmap',
            cells: { kind: 'grid', grid: { layer, times: m.times, prices: m.prices, priceBucket: m.priceBucket, long: m.long, short: m.short } },
            untilT: m.times.at(-1) ?? toMs,
            window: { fromMs, toMs: (m.times.at(-1) ?? toMs) + ref.widthMs },
          })
        : null,
    };
  });

/** Resolvers of {@link levelsTypeDefs}. */
export const levelsResolvers = {
  Query: {
    heatmap: heatmapOf('liquidations'),
    openInterestHeatmap: heatmapOf('openInterest'),
    liquidationMap: exposeUserErrors(async (_: unknown, args: AtArgs & { range?: number | null; priceBucket?: number | null }, ctx: ApiContext) => {
      const ref = await resultsFor(ctx, args, args.at);
      const row = await levelsAt(ctx, ref, atMs(ref, args.at));
      const map = liquidationMap(row, args.range ?? DEFAULT_MAP_RANGE, args.priceBucket);
      return {
        market: ref.market,
        basis: ref.basis,
        paramsHash: ref.paramsHash,
        ...map,
        at: map.t * 1000,
        check: args.check
          ? await checkServed(ctx, ref, { field: 'liquidationMap', cells: { kind: 'grid', grid: { layer: 'liquidations', times: [map.t], prices: map.prices, priceBucket: map.priceBucket, long: map.long, short: map.short } }, untilT: map.t, window: { fromMs: map.t + ref.widthMs - AT_WINDOW_MS, toMs: map.t + ref.widthMs } })
          : null,
      };
    }),
    clusters: exposeUserErrors(async (_: unknown, args: AtArgs & { side?: 'LONG' | 'SHORT' | null; limit?: number | null; minNotional?: number | null }, ctx: ApiContext) => {
      const limit = args.limit ?? MAX_CLUSTERS;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_CLUSTERS) throw userError('BAD_USER_INPUT', `limit must be between 1 and ${MAX_CLUSTERS} (the clusters persisted per bucket)`);
      const ref = await resultsFor(ctx, args, args.at);
      return clustersAt(ctx, ref, atMs(ref, args.at), { side: args.side ?? null, limit, minNotional: args.minNotional ?? 0, check: args.check ?? false });
    }),
    check: exposeUserErrors(async (_: unknown, args: { id: string }, ctx: ApiContext) => {
      if (!/^[0-9a-f]{32}$/.test(args.id)) throw userError('BAD_USER_INPUT', 'id: a check id is 32 hex digits (from a PENDING check)');
      return checkById(ctx, args.id);
    }),
  },
};

/** The `Clusters` object of a market at a time (shared with the `clustersUpdated` subscription). */
export async function clustersAt(ctx: ApiContext, ref: ResultsRef, at: number, opts: { side: 'LONG' | 'SHORT' | null; limit: number; minNotional: number; check: boolean }) {
  const found = await readClustersAt(ctx.store, ref.market, ref.paramsHash, at);
  if (!found) throw userError('NOT_FOUND', `no levels of "${ref.market}" at or before ${new Date(at).toISOString()}: its data starts at ${new Date(ref.span.firstMs).toISOString()}`);
  const extent = await heatmapExtent(ctx.store, ref.market, ref.paramsHash, found.t, found.t);
  const side = opts.side?.toLowerCase();
  const clusters = found.clusters
    .filter((c) => (side === undefined || c.side === side) && c.notional >= opts.minNotional)
    .slice(0, opts.limit)
    .map((c) => ({ ...c, side: c.side.toUpperCase() }));
  return {
    market: ref.market,
    basis: ref.basis,
    paramsHash: ref.paramsHash,
    at: found.t * 1000,
    price: extent?.minPrice ?? 0,
    clusters,
    check: opts.check
      ? await checkServed(ctx, ref, {
          field: 'clusters',
          cells: { kind: 'clusters', t: found.t, clusters: clusters.map((c) => ({ side: c.side === 'LONG' ? 'long' : 'short', priceLow: c.priceLow, priceHigh: c.priceHigh, notional: c.notional, shareOfSide: c.shareOfSide, leverageComposition: c.leverageComposition })) },
          untilT: found.t,
          window: { fromMs: found.t + ref.widthMs - AT_WINDOW_MS, toMs: found.t + ref.widthMs },
        })
      : null,
  };
}
