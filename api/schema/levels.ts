import { clustersAtOf, clustersAtQuery, levelsAroundOf, levelsAroundQuery, readClustersAt, readHeatmapRowAt } from '../../db/index.js';
import type { Cluster } from '../../engine/index.js';
import { effectiveParams } from '../../jobs/index.js';
import { ensureAggregate, partRef, shares, venueTypeDefs, type AggregateRef } from '../levels/aggregate.js';
import { checkAggregate } from '../levels/aggregate-check.js';
import { checkLeverages, clustersOfRow, layersOf, rowOfLeverages } from '../levels/leverages.js';
import type { ApiContext } from '../context.js';
import { exposeUserErrors, userError } from '../errors.js';
import { AT_WINDOW_MS, checkById, checkServed, checkTypeDefs } from '../levels/check.js';
import { checkHeatmapArgs, MAX_CELLS, MAX_PRICE, readHeatmap } from '../levels/heatmap.js';
import { checkMapArgs, DEFAULT_MAP_RANGE, levelsAt, liquidationMap, missingLevels } from '../levels/liquidation-map.js';
import { modelInputTypeDefs, partialParams, TIME_BUCKET_DESCRIPTION, type ModelInputArg } from '../levels/model-args.js';
import { ensureResults, ensureResultsWith, type ResultsRef } from '../levels/results.js';
import { checkMarketId, checkRange } from './market-arg.js';

/** Default length of a heatmap window when `from` is omitted, ms. */
export const DEFAULT_WINDOW_MS = 24 * 3_600_000;
/** Clusters are persisted for the largest this many per bucket. */
export const MAX_CLUSTERS = 10;

const heatmapFields = (what: string) => `
    "exchange:SYMBOL; for an aggregate (symbol:), its id agg:BASE/venue+venue (e.g. agg:BTC/binance+bybit)."
    market: ID!
    "For an aggregate: the base asset summed (e.g. BTC); null for one market."
    symbol: String
    "ESTIMATED (leverage-mix model), EXACT (known positions) or, for an aggregate of both, MIXED (parts says which part is which)."
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
    "Leverage layers summed, × (null: every leverage; open-interest heatmaps are never split by leverage)."
    leverages: [Float!]
    "These cells checked against the reference engine (only with check: true)."
    check: Check
    "For an aggregate: its parts (one per market), each with its share of every cell; null for one market."
    parts: [HeatmapPart!]
`;

const targetArgs = `
    "exchange:SYMBOL, e.g. binance:BTCUSDT (or give symbol instead)."
    market: ID
    "Base asset, e.g. BTC: every market of it on venues quoted in USDT, USDC or USD, summed (see README, Aggregation across venues). Give market or symbol, not both."
    symbol: String
    "With symbol: the venues summed (default: every venue with a market of the base)."
    venues: [Venue!]
`;

const leveragesArg = `
    "Only the liquidation levels of positions at these leverages, × (e.g. [50, 100]); each must be a leverage of the parameter set's mix (model.leverages; exact results: any whole leverage ≥ 1), else UNKNOWN_LEVERAGE. Default: every leverage."
    leverages: [Float!]
`;

const heatmapArgs = (leverages: boolean) => `
    ${targetArgs}
    ${leverages ? leveragesArg : ''}
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
    "Check the returned cells against the reference engine (replayed from the market's first bucket, off the event loop; PENDING with an id past the time budget). On an aggregate (symbol:): each part's own cells over the same window by its market's reference, and the sum (Check.parts, Check.sum). Not with leverages."
    check: Boolean = false
`;

/** Engine-backed level fields: heatmaps, the liquidation map and clusters. */
export const levelsTypeDefs = /* GraphQL */ `
  ${checkTypeDefs}
  ${modelInputTypeDefs}

  ${venueTypeDefs}

  "One market of an aggregate heatmap."
  type HeatmapPart {
    "exchange:SYMBOL."
    market: ID!
    venue: Venue!
    "ESTIMATED or EXACT: this part's own basis."
    basis: Basis!
    "Hash of this part's own parameter set (its venue's brackets applied; 16 hex digits)."
    paramsHash: String!
    "This part's share of each cell of values, fraction 0..1 (0 where the cell is empty); same layout as values. The parts' shares of a non-empty cell sum to 1."
    share: [Float!]!
  }

  "One market of an aggregate liquidation map."
  type MapPart {
    "exchange:SYMBOL."
    market: ID!
    venue: Venue!
    "ESTIMATED or EXACT: this part's own basis."
    basis: Basis!
    "This part's share of each row's long + short notional, fraction 0..1 (0 where the row is empty); same layout as prices."
    share: [Float!]!
  }

  "One market's part of an aggregate cluster."
  type VenueShare {
    "exchange:SYMBOL."
    market: ID!
    venue: Venue!
    "ESTIMATED or EXACT: this part's own basis."
    basis: Basis!
    "This market's pending liquidation notional inside the cluster's range (moved onto the reference venue's price), quote currency."
    notional: Float!
    "Its share of the cluster's notional, fraction 0..1 (the shares of a cluster sum to 1)."
    share: Float!
  }

  "Pending liquidation notional by time and price (the liquidation heatmap)."
  type Heatmap {${heatmapFields('Pending liquidation notional')}}

  "Open notional by time and entry price (where the open interest was opened)."
  type OpenInterestHeatmap {${heatmapFields('Open notional at entry')}}

  "Position side."
  enum PositionSide { LONG SHORT }

  "Pending liquidations by price around the price at one time (the classic liquidation map)."
  type LiquidationMap {
    "exchange:SYMBOL, or an aggregate's id agg:BASE/venue+venue."
    market: ID!
    "For an aggregate: the base asset; null for one market."
    symbol: String
    "ESTIMATED, EXACT or (an aggregate of both) MIXED."
    basis: Basis!
    "Leverage layers shown, × (null: every leverage)."
    leverages: [Float!]
    "For an aggregate: its parts, each with its share of every row; null for one market."
    parts: [MapPart!]
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
    "For an aggregate: notional and share of each market inside the range (e.g. 42% Binance, 31% Bybit); null for one market."
    venues: [VenueShare!]
  }

  "The clusters standing at one time."
  type Clusters {
    "exchange:SYMBOL, or an aggregate's id agg:BASE/venue+venue."
    market: ID!
    "For an aggregate: the base asset; null for one market."
    symbol: String
    "ESTIMATED, EXACT or (an aggregate of both) MIXED."
    basis: Basis!
    "Leverage layers the clusters were found in, × (null: every leverage)."
    leverages: [Float!]
    "Hash of the model parameters (16 hex digits)."
    paramsHash: String!
    "Start of the model bucket whose clusters are shown (ISO-8601 UTC)."
    at: DateTime!
    "clustersUpdated only (null from the clusters query): start of the earliest model bucket (ISO-8601 UTC) whose results were recomputed since the market's previous message — every bucket from it to at changed (late data recomputes buckets older than at); at itself on a feed's first message; null when none changed (results rolled back, not yet recomputed)."
    changedFrom: DateTime
    "Close of that bucket, quote currency per base unit."
    price: Float!
    "Largest notional first."
    clusters: [Cluster!]!
    check: Check
  }

  extend type Query {
    "The liquidation heatmap: pending long and short liquidation notional by time and price, from the persisted results (computed by the workers; NOT_READY with a job id while missing)."
    heatmap(${heatmapArgs(true)}): Heatmap!
    "Open notional by time and entry price, from the persisted results."
    openInterestHeatmap(${heatmapArgs(false)}): OpenInterestHeatmap!
    "Pending liquidations by price around the price at time at."
    liquidationMap(
      ${targetArgs}
      ${leveragesArg}
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
      ${targetArgs}
      ${leveragesArg}
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
  market?: string | null;
  symbol?: string | null;
  venues?: string[] | null;
  leverages?: number[] | null;
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
export async function resultsFor(ctx: ApiContext, args: CommonArgs & { market: string }, untilUs?: number | null): Promise<ResultsRef> {
  const market = checkMarketId(args.market);
  return ensureResults(ctx, market, partialParams(args.model, args.timeBucketSeconds, ctx.config.LIQMAP_MODEL_PRESETS), untilUs == null ? undefined : untilUs / 1000);
}

/** What a level field reads: one market's results, or an aggregate's (with its parts), and the leverages asked for (checked). */
interface Target {
  readonly ref: ResultsRef;
  readonly agg: AggregateRef | null;
  readonly leverages: number[] | undefined;
}

/** The market or aggregate named by a field's arguments, its persisted results and the checked `leverages`. */
async function targetFor(ctx: ApiContext, args: CommonArgs, untilUs?: number | null): Promise<Target> {
  return (await targetWith(ctx, args, untilUs)).target;
}

/**
 * {@link targetFor}, and for one market without a leverage filter `data`'s rows read in the same
 * statement as the facts ({@link ensureResultsWith}; null when they could not be: an aggregate,
 * leverages, or a market whose parameter hash was not the one guessed).
 */
async function targetWith<T>(ctx: ApiContext, args: CommonArgs, untilUs: number | null | undefined, data?: Parameters<typeof ensureResultsWith<T>>[4]): Promise<{ target: Target; rows: T[] | null }> {
  if ((args.market == null) === (args.symbol == null)) throw userError('BAD_USER_INPUT', 'give market (one market, e.g. binance:BTCUSDT) or symbol (a base asset across venues, e.g. BTC), not both and not neither');
  if (args.venues != null && args.symbol == null) throw userError('BAD_USER_INPUT', 'venues: only with symbol (an aggregate across venues)');
  if (args.market != null) {
    const market = checkMarketId(args.market);
    const partial = partialParams(args.model, args.timeBucketSeconds, ctx.config.LIQMAP_MODEL_PRESETS);
    const until = untilUs == null ? undefined : untilUs / 1000;
    const { ref, rows } = data && args.leverages == null ? await ensureResultsWith(ctx, market, partial, until, data) : { ref: await ensureResults(ctx, market, partial, until), rows: null };
    return { target: { ref, agg: null, leverages: checkLeverages(args.leverages, layersOf([{ params: ref.params, exact: ref.basis === 'EXACT' }])) }, rows };
  }
  const partial = partialParams(args.model, args.timeBucketSeconds, ctx.config.LIQMAP_MODEL_PRESETS);
  const agg = await ensureAggregate(ctx, args.symbol!, args.venues, partial);
  const sets = await Promise.all(agg.parts.map(async (p) => ({ params: await effectiveParams(ctx.store, p.market, partial), exact: p.basis === 'EXACT' })));
  return { target: { ref: agg, agg, leverages: checkLeverages(args.leverages, layersOf(sets)) }, rows: null };
}

/** The newest computed bucket at or before `at` (µs), or the newest of all, epoch ms. */
export function atMs(ref: ResultsRef, at: number | null | undefined): number {
  return at == null ? ref.span.lastMs : at / 1000;
}

/** Fields every level result has: what it is of, its basis and the leverages shown. */
function about(t: Target) {
  return { market: t.ref.market, symbol: t.agg?.symbol ?? null, basis: t.ref.basis, paramsHash: t.ref.paramsHash, leverages: t.leverages ?? null };
}

const venueOf = (market: string) => market.slice(0, market.indexOf(':')).toUpperCase();

const heatmapOf = (layer: 'liquidations' | 'openInterest') =>
  exposeUserErrors(async (_: unknown, args: HeatmapArgs, ctx: ApiContext) => {
    const what = layer === 'liquidations' ? 'heatmap' : 'openInterestHeatmap';
    if (args.from != null && args.to != null) checkRange(ctx, args.from, args.to, what);
    checkHeatmapArgs({ ...args, leverages: undefined }, ctx.config.LIQMAP_MAX_RANGE_DAYS * 86_400);
    const target = await targetFor(ctx, args, args.to);
    const { ref, agg } = target;
    const toMs = args.to == null ? ref.span.lastMs : args.to / 1000;
    const fromMs = args.from == null ? toMs - DEFAULT_WINDOW_MS : args.from / 1000;
    // Again with the defaults filled in: omitting `to` does not lift the range limit.
    checkRange(ctx, fromMs * 1000, toMs * 1000, what);
    const m = await readHeatmap(ctx, ref, layer, { fromMs, toMs, resolutionSeconds: args.resolutionSeconds, priceBucket: args.priceBucket, priceLow: args.priceLow, priceHigh: args.priceHigh, leverages: target.leverages });
    const values = m.long.map((v, i) => v + (m.short[i] ?? 0));
    const stepMs = m.resolutionSeconds * 1000;
    // Parts are read only when selected: the same grid as the sum, columns matched by display step.
    const parts = async () => {
      if (!agg) return null;
      const column = new Map(m.times.map((t, i) => [Math.floor(t / stepMs), i]));
      return Promise.all(
        agg.parts.map(async (part) => {
          const pm = await readHeatmap(ctx, partRef(agg, part), layer, { fromMs, toMs, resolutionSeconds: m.resolutionSeconds, priceBucket: m.priceBucket, priceLow: m.prices[0] ?? 0, priceHigh: m.prices.at(-1) ?? 0, leverages: target.leverages });
          const cells = new Array<number>(values.length).fill(0);
          const n = m.prices.length;
          pm.times.forEach((t, i) => {
            const col = column.get(Math.floor(t / stepMs));
            if (col === undefined || pm.prices.length !== n) return;
            for (let j = 0; j < n; j++) cells[col * n + j] = (pm.long[i * n + j] ?? 0) + (pm.short[i * n + j] ?? 0);
          });
          return { market: part.market, venue: venueOf(part.market), basis: part.basis, paramsHash: part.paramsHash, share: shares(cells, values) };
        }),
      );
    };
    return {
      ...about(target),
      leverages: layer === 'liquidations' ? (target.leverages ?? null) : null,
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
      parts,
      check: args.check
        ? await checkTarget(ctx, target, (r) => ({
            field: layer === 'liquidations' ? 'heatmap' : 'openInterestHeatmap',
            cells: { kind: 'grid', grid: { layer, times: m.times, prices: m.prices, priceBucket: m.priceBucket, long: m.long, short: m.short } },
            untilT: m.times.at(-1) ?? toMs,
            window: { fromMs, toMs: (m.times.at(-1) ?? toMs) + r.widthMs },
          }), async (own) => {
            const pm = await readHeatmap(ctx, own, layer, { fromMs, toMs, resolutionSeconds: m.resolutionSeconds, priceBucket: m.priceBucket, priceLow: m.prices[0] ?? 0, priceHigh: m.prices.at(-1) ?? 0 });
            const until = pm.times.at(-1) ?? toMs;
            return { field: what, cells: { kind: 'grid', grid: { layer, times: pm.times, prices: pm.prices, priceBucket: pm.priceBucket, long: pm.long, short: pm.short } }, untilT: until, window: { fromMs, toMs: until + own.widthMs } };
          })
        : null,
    };
  });

/**
 * `check: true`: one market's served cells by its reference; an aggregate's grid by
 * {@link checkAggregate} (each part's own cells from `ownCells`, and the sum). The reference
 * compares totals, so a leverage filter is refused, as are an aggregate's clusters (check its
 * liquidationMap at the same time instead).
 */
async function checkTarget(ctx: ApiContext, target: Target, spec: (ref: ResultsRef) => Parameters<typeof checkServed>[2], ownCells?: (own: ResultsRef) => Promise<Parameters<typeof checkServed>[2]>) {
  if (target.leverages) throw userError('BAD_USER_INPUT', 'check: compares every leverage against the reference engine; omit leverages to check');
  if (!target.agg) return checkServed(ctx, target.ref, spec(target.ref));
  const served = spec(target.ref).cells;
  if (served.kind !== 'grid' || !ownCells) throw userError('BAD_USER_INPUT', `check: on an aggregate's clusters is not available; check its liquidationMap at the same time, or each part with market: (${target.agg.parts.map((p) => p.market).join(', ')})`);
  return checkAggregate(ctx, target.agg, served.grid, ownCells);
}

/** Resolvers of {@link levelsTypeDefs}. */
export const levelsResolvers = {
  Query: {
    heatmap: heatmapOf('liquidations'),
    openInterestHeatmap: heatmapOf('openInterest'),
    liquidationMap: exposeUserErrors(async (_: unknown, args: AtArgs & { range?: number | null; priceBucket?: number | null }, ctx: ApiContext) => {
      const range = args.range ?? DEFAULT_MAP_RANGE;
      checkMapArgs(range, args.priceBucket);
      // One market: the facts and the row's slice around the price in one statement.
      const { target, rows } = await targetWith(ctx, args, args.at, (hash, lastEvent) => levelsAroundQuery(args.market!, hash, args.at == null ? lastEvent : args.at / 1000, range, args.priceBucket ?? null));
      const { ref, agg } = target;
      const at = atMs(ref, args.at);
      const around = rows && levelsAroundOf(rows);
      if (rows && !around) throw missingLevels(ref, at);
      const row = around ?? rowOfLeverages(await levelsAt(ctx, ref, at), target.leverages);
      const map = liquidationMap(row, range, args.priceBucket);
      const parts = async () => {
        if (!agg) return null;
        const total = map.long.map((v, j) => v + (map.short[j] ?? 0));
        return Promise.all(
          agg.parts.map(async (part) => {
            const pr = await readHeatmapRowAt(ctx.store, partRef(agg, part).market, ref.paramsHash, row.t);
            // A part absent from this bucket holds nothing of it.
            const pm = pr && pr.t === row.t ? liquidationMap(rowOfLeverages(pr, target.leverages), range, map.priceBucket) : null;
            const cells = pm ? pm.long.map((v, j) => v + (pm.short[j] ?? 0)) : [];
            return { market: part.market, venue: venueOf(part.market), basis: part.basis, share: shares(cells, total) };
          }),
        );
      };
      return {
        ...about(target),
        ...map,
        at: map.t * 1000,
        parts,
        check: args.check
          ? await checkTarget(
              ctx,
              target,
              (r) => ({ field: 'liquidationMap', cells: { kind: 'grid', grid: { layer: 'liquidations', times: [map.t], prices: map.prices, priceBucket: map.priceBucket, long: map.long, short: map.short } }, untilT: map.t, window: { fromMs: map.t + r.widthMs - AT_WINDOW_MS, toMs: map.t + r.widthMs } }),
              async (own) => {
                // The part's own row standing at the end of the aggregate bucket, on the same price rows.
                const pm = liquidationMap(await levelsAt(ctx, own, map.t + ref.widthMs - own.widthMs), range, map.priceBucket);
                return { field: 'liquidationMap', cells: { kind: 'grid', grid: { layer: 'liquidations', times: [pm.t], prices: pm.prices, priceBucket: pm.priceBucket, long: pm.long, short: pm.short } }, untilT: pm.t, window: { fromMs: pm.t + own.widthMs - AT_WINDOW_MS, toMs: pm.t + own.widthMs } };
              },
            )
          : null,
      };
    }),
    clusters: exposeUserErrors(async (_: unknown, args: AtArgs & { side?: 'LONG' | 'SHORT' | null; limit?: number | null; minNotional?: number | null }, ctx: ApiContext) => {
      const limit = args.limit ?? MAX_CLUSTERS;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_CLUSTERS) throw userError('BAD_USER_INPUT', `limit must be between 1 and ${MAX_CLUSTERS} (the clusters persisted per bucket)`);
      // One market: the facts and the clusters in one statement.
      const { target, rows } = await targetWith(ctx, args, args.at, (hash, lastEvent) => clustersAtQuery(args.market!, hash, args.at == null ? lastEvent : args.at / 1000));
      return clustersOf(ctx, target, atMs(target.ref, args.at), { side: args.side ?? null, limit, minNotional: args.minNotional ?? 0, check: args.check ?? false }, rows ? clustersAtOf(rows) : undefined);
    }),
    check: exposeUserErrors(async (_: unknown, args: { id: string }, ctx: ApiContext) => {
      if (!/^[0-9a-f]{32}$/.test(args.id)) throw userError('BAD_USER_INPUT', 'id: a check id is 32 hex digits (from a PENDING check)');
      return checkById(ctx, args.id);
    }),
  },
};

/** The `Clusters` object of a market at a time (shared with the `clustersUpdated` subscription). */
export async function clustersAt(ctx: ApiContext, ref: ResultsRef, at: number, opts: { side: 'LONG' | 'SHORT' | null; limit: number; minNotional: number; check: boolean }) {
  return clustersOf(ctx, { ref, agg: null, leverages: undefined }, at, opts);
}

/**
 * The clusters of a market or aggregate at a time: the persisted ones, or, under a leverage
 * filter, those of the persisted levels of these leverages at that bucket (one bucket's
 * detection, as the workers run it); an aggregate's with each part's share of every cluster.
 * `prefetched`: the persisted clusters at `at`, already read with the facts (null: none there).
 */
async function clustersOf(ctx: ApiContext, target: Target, at: number, opts: { side: 'LONG' | 'SHORT' | null; limit: number; minNotional: number; check: boolean }, prefetched?: { t: number; price: number; clusters: Cluster[] } | null) {
  const { ref, agg, leverages } = target;
  const missing = () => missingLevels(ref, at);
  let found: { t: number; price: number; clusters: Cluster[] } | null;
  if (prefetched !== undefined) found = prefetched;
  else if (leverages) {
    const row = await readHeatmapRowAt(ctx.store, ref.market, ref.paramsHash, at);
    found = row ? { t: row.t, price: row.price, clusters: clustersOfRow(rowOfLeverages(row, leverages), MAX_CLUSTERS) } : null;
  } else found = await readClustersAt(ctx.store, ref.market, ref.paramsHash, at);
  if (!found) throw missing();
  const t = found.t;
  const side = opts.side?.toLowerCase();
  const picked = found.clusters.filter((c) => (side === undefined || c.side === side) && c.notional >= opts.minNotional).slice(0, opts.limit);
  // Each part's moved row at this bucket, for its share of every cluster.
  const partRows = agg ? await Promise.all(agg.parts.map(async (p) => ({ part: p, row: await readHeatmapRowAt(ctx.store, partRef(agg, p).market, ref.paramsHash, t) }))) : [];
  const venues = (c: Cluster) => {
    if (!agg) return null;
    const inRange = partRows.map(({ part, row }) => {
      let notional = 0;
      if (row && row.t === t) {
        const r = rowOfLeverages(row, leverages);
        const [lo, values] = c.side === 'long' ? [r.longLo, r.long] : [r.shortLo, r.short];
        values.forEach((v, x) => {
          const mid = (lo + x + 0.5) * r.priceStep;
          if (mid >= c.priceLow && mid < c.priceHigh) notional += v;
        });
      }
      return { market: part.market, venue: venueOf(part.market), basis: part.basis, notional };
    });
    const sum = inRange.reduce((a, v) => a + v.notional, 0);
    return inRange.map((v) => ({ ...v, share: sum > 0 ? v.notional / sum : 0 }));
  };
  const clusters = picked.map((c) => ({ ...c, side: c.side.toUpperCase(), venues: venues(c) }));
  return {
    ...about(target),
    at: t * 1000,
    price: found.price,
    clusters,
    check: opts.check
      ? await checkTarget(ctx, target, (r) => ({
          field: 'clusters',
          cells: { kind: 'clusters', t, clusters: clusters.map((c) => ({ side: c.side === 'LONG' ? 'long' : 'short', priceLow: c.priceLow, priceHigh: c.priceHigh, notional: c.notional, shareOfSide: c.shareOfSide, leverageComposition: c.leverageComposition })) },
          untilT: t,
          window: { fromMs: t + r.widthMs - AT_WINDOW_MS, toMs: t + r.widthMs },
        }))
      : null,
  };
}
