import type { ApiContext } from '../context.js';
import { printable } from '../../base/index.js';
import { isMarketId, listMarkets, marketBaseQuote, MARKET_ID_RULE, type CoverageKind, type MarketSummary } from '../../db/index.js';
import { exposeUserErrors, userError } from '../errors.js';

/** Markets and their coverage. */
export const marketsTypeDefs = /* GraphQL */ `
  "A perpetual-futures market, identified as exchange:SYMBOL (e.g. binance:BTCUSDT)."
  type Market {
    "exchange:SYMBOL, e.g. binance:BTCUSDT."
    id: ID!
    "Venue id in lower case, e.g. binance, okx, hyperliquid, gmx."
    exchange: String!
    "The venue's own symbol, e.g. BTCUSDT, BTC-USDT-SWAP, ETH-USD."
    symbol: String!
    "Base asset (BTC for binance:BTCUSDT, okx:BTC-USDT-SWAP, hyperliquid:BTC): the symbol heatmap(symbol:) and the other level fields sum this market under; null when the venue registry cannot read the symbol."
    base: String
    "Number of trades stored (a count over the market's key range: ask for it only when needed)."
    tradeCount: Int!
    "Time of the oldest stored trade (ISO-8601 UTC), null without trades."
    firstTradeAt: DateTime
    "Time of the newest stored trade (ISO-8601 UTC), null without trades."
    lastTradeAt: DateTime
    "Price of the newest stored trade, quote currency per base unit."
    lastPrice: Decimal
    "First/last event time and row count per kind of event."
    coverage: [Coverage!]!
  }

  "Stored events of one kind in one market."
  type Coverage {
    "Event kind: trades, funding_rates, liquidations, open_interest, mark_prices or candles."
    kind: String!
    "Rows stored."
    count: Int!
    "Oldest event time (ISO-8601 UTC)."
    first: DateTime
    "Newest event time (ISO-8601 UTC)."
    last: DateTime
  }

  extend type Query {
    "Every indexed market, optionally of one exchange (e.g. binance)."
    markets(exchange: String): [Market!]!
    "One market by id (exchange:SYMBOL); null when it is not indexed."
    market(id: ID!): Market
  }
`;

const KINDS: CoverageKind[] = ['trades', 'funding_rates', 'liquidations', 'open_interest', 'mark_prices', 'candles'];

/** Resolvers of {@link marketsTypeDefs}. */
export const marketsResolvers = {
  Query: {
    markets: exposeUserErrors(async (_: unknown, args: { exchange?: string | null }, ctx: ApiContext) => {
      if (args.exchange != null && !/^[a-z0-9][a-z0-9_-]{0,31}$/.test(args.exchange)) throw userError('BAD_USER_INPUT', `exchange "${printable(args.exchange, 40)}" is not an exchange name (lower-case letters, digits, _ or -; e.g. binance)`);
      const rows = await listMarkets(ctx.store, args.exchange ?? undefined);
      for (const r of rows) ctx.loaders.market.prime(r.id, r);
      return rows;
    }),
    market: exposeUserErrors(async (_: unknown, args: { id: string }, ctx: ApiContext) => {
      if (!isMarketId(args.id)) throw userError('BAD_USER_INPUT', `market "${printable(args.id, 60)}" is not an id of the form exchange:SYMBOL (${MARKET_ID_RULE})`);
      return ctx.loaders.market.load(args.id);
    }),
  },
  Market: {
    base: (m: MarketSummary) => marketBaseQuote(m.id)?.base ?? null,
    tradeCount: (m: MarketSummary, _: unknown, ctx: ApiContext) => ctx.loaders.tradeCount.load(m.id),
    firstTradeAt: async (m: MarketSummary, _: unknown, ctx: ApiContext) => (await ctx.loaders.tradeStats.load(m.id))?.firstTradeAt ?? null,
    lastTradeAt: async (m: MarketSummary, _: unknown, ctx: ApiContext) => (await ctx.loaders.tradeStats.load(m.id))?.lastTradeAt ?? null,
    lastPrice: async (m: MarketSummary, _: unknown, ctx: ApiContext) => (await ctx.loaders.tradeStats.load(m.id))?.lastPrice ?? null,
    coverage: async (m: MarketSummary, _: unknown, ctx: ApiContext) => {
      const all = await Promise.all(KINDS.map((k) => ctx.loaders.coverage.load(`${k}|${m.id}`)));
      return all.filter((c) => c !== null).map((c) => ({ kind: c.kind, count: c.count, first: c.first, last: c.last }));
    },
  },
};
