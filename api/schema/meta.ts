import { liveGaps, marketFreshness, sourceFreshness } from '../../db/index.js';
import type { ApiContext } from '../context.js';
import { exposeUserErrors } from '../errors.js';

/** `_meta`: freshness of sources and markets. */
export const metaTypeDefs = /* GraphQL */ `
  "Freshness of what this server serves."
  type Meta {
    "Server time (ISO-8601 UTC)."
    now: DateTime!
    "Ingest sources, most recently updated first (at most 100)."
    sources: [SourceMeta!]!
    "Every market's data version and newest event."
    markets: [MarketMeta!]!
    "Ranges live feeds missed that the venues' REST history could not fill (newest first, at most 100)."
    gaps: [LiveGap!]!
  }

  "A range a live feed missed (a disconnect) that REST history could not fill: its rows are absent, not zero."
  type LiveGap {
    "exchange:SYMBOL."
    market: ID!
    "What is missing: trades, liquidations."
    stream: String!
    "Start of the missing range (ISO-8601 UTC)."
    from: DateTime!
    "End of the missing range (ISO-8601 UTC)."
    to: DateTime!
    "Why REST could not fill it."
    reason: String!
  }

  "One ingest source (a file, an archive member, a subgraph, the demo simulator)."
  type SourceMeta {
    "The source's key (file path, or path!member for archives)."
    source: String!
    "Layout it was read as."
    format: String!
    "Events read from it so far."
    rows: Int!
    "Whether it was read to the end."
    done: Boolean!
    "When its newest batch was committed (ISO-8601 UTC)."
    updatedAt: DateTime!
    "Seconds since then."
    lagSeconds: Float!
  }

  "One market's freshness."
  type MarketMeta {
    "exchange:SYMBOL."
    market: ID!
    "Data version: increases with every committed batch touching the market."
    dataVersion: Int!
    "Newest event of any kind (ISO-8601 UTC)."
    lastEventAt: DateTime
    "Seconds between the newest event and now."
    lagSeconds: Float
  }

  type Query {
    "Freshness of sources and markets."
    _meta: Meta!
  }
`;

/** Resolvers of {@link metaTypeDefs}. */
export const metaResolvers = {
  Query: {
    _meta: exposeUserErrors(async (_: unknown, __: unknown, ctx: ApiContext) => {
      const now = Date.now();
      const [sources, markets, gaps] = await Promise.all([sourceFreshness(ctx.store), marketFreshness(ctx.store), liveGaps(ctx.store)]);
      return {
        now: new Date(now),
        sources: sources.map((s) => ({ source: s.sourceKey, format: s.format, rows: s.rowsWritten, done: s.done, updatedAt: s.updatedAt, lagSeconds: (now - s.updatedAt.getTime()) / 1000 })),
        markets: markets.map((m) => ({ market: m.marketId, dataVersion: m.version, lastEventAt: m.lastEventAt, lagSeconds: m.lastEventAt ? (now - m.lastEventAt.getTime()) / 1000 : null })),
        gaps: gaps.map((g) => ({ market: g.marketId, stream: g.stream, from: g.from, to: g.to, reason: g.reason })),
      };
    }),
  },
};
