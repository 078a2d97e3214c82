import type { GraphQLResolveInfo } from 'graphql';
import { countEvents, pageEvents, type PagedKind, type PageQuery, type PageRow, type RangeFilter } from '../../db/index.js';
import type { ApiContext } from '../context.js';
import { exposeUserErrors, userError } from '../errors.js';
import { checkRange, requireMarket } from './market-arg.js';

/** Largest page a caller may ask for. */
export const MAX_PAGE_SIZE = 1000;
/** Page size when `first` is omitted. */
export const DEFAULT_PAGE_SIZE = 50;

/** Paged event queries: trades, funding rates, liquidations, open interest. */
export const eventsTypeDefs = /* GraphQL */ `
  "Taker side of a trade, or side of a forced (liquidation) order: SELL closes a long, BUY closes a short."
  enum Side { BUY SELL }

  "Sort direction by event time."
  enum OrderDirection { ASC DESC }

  "Events are ordered by time (then by their id); the only sort key, because it is the index."
  enum EventOrderBy { TIME }

  "Bounds on an event time (ISO-8601 with zone)."
  input TimeFilter { _gt: DateTime _gte: DateTime _lt: DateTime _lte: DateTime }

  "Bounds on a decimal value, in the unit of the field it filters."
  input DecimalFilter { _gt: Decimal _gte: Decimal _lt: Decimal _lte: Decimal }

  "Side membership."
  input SideFilter { _in: [Side!]! }

  "Relay page information."
  type PageInfo {
    "Whether another page follows in the requested direction."
    hasNextPage: Boolean!
    "Cursor of the last row of this page: pass it as \`after\` for the next page."
    endCursor: String
  }

  "One executed trade."
  type Trade {
    "Execution time (ISO-8601 UTC, microseconds)."
    time: DateTime!
    "The exchange's trade id; aggregate trades are agg:<id>."
    tradeId: String!
    "Price, quote currency per base unit."
    price: Decimal!
    "Size, base units."
    qty: Decimal!
    "Taker side, null when the source does not say."
    side: Side
  }
  type TradeEdge { cursor: String! node: Trade! }
  "A page of trades."
  type TradeConnection {
    edges: [TradeEdge!]!
    nodes: [Trade!]!
    pageInfo: PageInfo!
    "Trades matching the filters (all pages). Needs a time range no longer than the configured maximum."
    totalCount: Int!
  }
  "Trade filters."
  input TradeWhere { time: TimeFilter price: DecimalFilter qty: DecimalFilter side: SideFilter }

  "A funding rate print."
  type FundingRate {
    "Time the rate applied (ISO-8601 UTC)."
    time: DateTime!
    "Rate as a fraction per funding interval (0.0001 = 0.01%); longs pay shorts when positive."
    rate: Decimal!
    "Mark price the payment was computed at, quote per base unit, when the source gives it."
    markPrice: Decimal
    "Funding interval in hours, when known."
    intervalHours: Float
  }
  type FundingRateEdge { cursor: String! node: FundingRate! }
  "A page of funding rates."
  type FundingRateConnection { edges: [FundingRateEdge!]! nodes: [FundingRate!]! pageInfo: PageInfo! totalCount: Int! }
  "Funding filters (rate as a fraction)."
  input FundingRateWhere { time: TimeFilter rate: DecimalFilter }

  "A forced (liquidation) order the venue executed."
  type Liquidation {
    "Execution time (ISO-8601 UTC)."
    time: DateTime!
    "Forced order side: SELL liquidated a long, BUY a short; null when unknown."
    side: Side
    "Execution (or bankruptcy, where that is all the venue gives) price, quote per base unit."
    price: Decimal!
    "Size, base units, when given."
    qty: Decimal
    "Size, quote currency, when given."
    notional: Decimal
    "Natural key of the record within its time (force orders carry no id)."
    key: String!
    "True when the venue's feed publishes at most one force order per period (Binance forceOrder, OKX liquidation-orders: one per second per symbol): such rows are a sample, not every liquidation."
    sampled: Boolean!
  }
  type LiquidationEdge { cursor: String! node: Liquidation! }
  "A page of liquidations."
  type LiquidationConnection { edges: [LiquidationEdge!]! nodes: [Liquidation!]! pageInfo: PageInfo! totalCount: Int! }
  "Liquidation filters (qty in base units)."
  input LiquidationWhere { time: TimeFilter price: DecimalFilter qty: DecimalFilter side: SideFilter }

  "An open-interest snapshot."
  type OpenInterest {
    "Snapshot time (ISO-8601 UTC)."
    time: DateTime!
    "Open interest, base units (one side of the book)."
    openInterest: Decimal!
    "Open interest, quote currency, when given."
    openInterestValue: Decimal
  }
  type OpenInterestEdge { cursor: String! node: OpenInterest! }
  "A page of open-interest snapshots."
  type OpenInterestConnection { edges: [OpenInterestEdge!]! nodes: [OpenInterest!]! pageInfo: PageInfo! totalCount: Int! }
  "Open-interest filters (base units)."
  input OpenInterestWhere { time: TimeFilter openInterest: DecimalFilter }

  extend type Query {
    "Trades of a market in time order. first: 1..1000 (default 50)."
    trades(market: ID!, where: TradeWhere, orderBy: EventOrderBy = TIME, orderDirection: OrderDirection = ASC, first: Int = 50, after: String): TradeConnection!
    "Funding rate prints of a market. first: 1..1000 (default 50)."
    fundingRates(market: ID!, where: FundingRateWhere, orderBy: EventOrderBy = TIME, orderDirection: OrderDirection = ASC, first: Int = 50, after: String): FundingRateConnection!
    "Liquidations (forced orders) of a market. first: 1..1000 (default 50)."
    liquidations(market: ID!, where: LiquidationWhere, orderBy: EventOrderBy = TIME, orderDirection: OrderDirection = ASC, first: Int = 50, after: String): LiquidationConnection!
    "Open-interest snapshots of a market. first: 1..1000 (default 50)."
    openInterest(market: ID!, where: OpenInterestWhere, orderBy: EventOrderBy = TIME, orderDirection: OrderDirection = ASC, first: Int = 50, after: String): OpenInterestConnection!
  }
`;

interface Filter<T> {
  _gt?: T | null;
  _gte?: T | null;
  _lt?: T | null;
  _lte?: T | null;
}

interface PageArgs {
  market: string;
  where?: {
    time?: Filter<number> | null;
    price?: Filter<string> | null;
    qty?: Filter<string> | null;
    rate?: Filter<string> | null;
    openInterest?: Filter<string> | null;
    side?: { _in: ('BUY' | 'SELL')[] } | null;
  } | null;
  orderDirection: 'ASC' | 'DESC';
  first: number;
  after?: string | null;
}

function range<T>(f: Filter<T> | null | undefined): RangeFilter<T> | undefined {
  if (!f) return undefined;
  return { gt: f._gt ?? undefined, gte: f._gte ?? undefined, lt: f._lt ?? undefined, lte: f._lte ?? undefined };
}

type Mapper = (row: PageRow) => Record<string, unknown>;

const MAPPERS: Record<PagedKind, Mapper> = {
  trades: (r) => ({ time: r.tsUs, tradeId: r.values.trade_id, price: r.values.price, qty: r.values.qty, side: upperSide(r.values.side) }),
  funding_rates: (r) => ({ time: r.tsUs, rate: r.values.rate, markPrice: r.values.mark_price, intervalHours: r.values.interval_hours === null ? null : Number(r.values.interval_hours) }),
  liquidations: (r) => ({ time: r.tsUs, side: upperSide(r.values.side), price: r.values.price, qty: r.values.qty, notional: r.values.notional, key: r.values.key, sampled: r.values.sampled === true || r.values.sampled === 't' }),
  open_interest: (r) => ({ time: r.tsUs, openInterest: r.values.oi_qty, openInterestValue: r.values.oi_value }),
};

function upperSide(v: unknown): 'BUY' | 'SELL' | null {
  return v === 'buy' ? 'BUY' : v === 'sell' ? 'SELL' : null;
}

function pageResolver(kind: PagedKind) {
  return exposeUserErrors(async (_: unknown, args: PageArgs, ctx: ApiContext, _info: GraphQLResolveInfo) => {
    if (!Number.isInteger(args.first) || args.first < 1 || args.first > MAX_PAGE_SIZE) {
      throw userError('BAD_USER_INPUT', `first must be between 1 and ${MAX_PAGE_SIZE}, got ${args.first}`);
    }
    const market = await requireMarket(ctx, args.market);
    const w = args.where ?? {};
    const time = range(w.time);
    const query: PageQuery = {
      market,
      time,
      price: range(w.price),
      size: range(w.qty ?? w.rate ?? w.openInterest),
      sideIn: w.side ? w.side._in.map((s) => s.toLowerCase()) : undefined,
      direction: args.orderDirection === 'DESC' ? 'desc' : 'asc',
      first: args.first,
      after: args.after ?? undefined,
    };
    const page = await pageEvents(ctx.store, kind, query);
    const map = MAPPERS[kind];
    const edges = page.rows.map((r) => ({ cursor: r.cursor, node: map(r) }));
    return {
      edges,
      nodes: edges.map((e) => e.node),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
      // Resolved only when selected: a count scans the range, so it needs a bounded one.
      totalCount: exposeUserErrors(async () => {
        const from = time?.gte ?? time?.gt;
        const to = time?.lte ?? time?.lt;
        if (from === undefined || to === undefined) {
          throw userError('BAD_USER_INPUT', 'totalCount needs a time range: give where.time a lower (_gt/_gte) and an upper (_lt/_lte) bound');
        }
        checkRange(ctx, from, to, 'totalCount');
        return countEvents(ctx.store, kind, { market, time, price: query.price, size: query.size, sideIn: query.sideIn });
      }),
    };
  });
}

/** Resolvers of {@link eventsTypeDefs}. */
export const eventsResolvers = {
  Query: {
    trades: pageResolver('trades'),
    fundingRates: pageResolver('funding_rates'),
    liquidations: pageResolver('liquidations'),
    openInterest: pageResolver('open_interest'),
  },
};
