import { createSchema } from 'graphql-yoga';
import type { GraphQLSchema } from 'graphql';
import { DateTimeScalar, DecimalScalar } from './scalars.js';
import { metaResolvers, metaTypeDefs } from './meta.js';
import { marketsResolvers, marketsTypeDefs } from './markets.js';
import { eventsResolvers, eventsTypeDefs } from './events.js';
import { levelsResolvers, levelsTypeDefs } from './levels.js';
import { quoteResolvers, quoteTypeDefs } from './quote.js';
import { cascadeResolvers, cascadeTypeDefs } from './cascade.js';
import { accuracyResolvers, accuracyTypeDefs } from './accuracy.js';
import { liveResolvers, liveTypeDefs } from './live.js';
import { candlesResolvers, candlesTypeDefs } from './candles.js';
import { jobsResolvers, jobsTypeDefs } from './jobs.js';

const scalarsTypeDefs = /* GraphQL */ `
  scalar DateTime
  scalar Decimal
`;

/** Every part of the schema, in the order they extend `Query`. */
const PARTS = [
  { typeDefs: metaTypeDefs, resolvers: metaResolvers },
  { typeDefs: marketsTypeDefs, resolvers: marketsResolvers },
  { typeDefs: eventsTypeDefs, resolvers: eventsResolvers },
  { typeDefs: levelsTypeDefs, resolvers: levelsResolvers },
  { typeDefs: quoteTypeDefs, resolvers: quoteResolvers },
  { typeDefs: cascadeTypeDefs, resolvers: cascadeResolvers },
  { typeDefs: accuracyTypeDefs, resolvers: accuracyResolvers },
  { typeDefs: liveTypeDefs, resolvers: liveResolvers },
  { typeDefs: candlesTypeDefs, resolvers: candlesResolvers },
  { typeDefs: jobsTypeDefs, resolvers: jobsResolvers },
];

/** The executable schema: SDL and resolvers of every area, merged. */
export function buildSchema(extra: { typeDefs: string; resolvers: Record<string, unknown> }[] = []): GraphQLSchema {
  const parts = [...PARTS, ...extra];
  return createSchema<object>({
    typeDefs: [scalarsTypeDefs, ...parts.map((p) => p.typeDefs)],
    resolvers: [{ DateTime: DateTimeScalar, Decimal: DecimalScalar }, ...parts.map((p) => p.resolvers as Record<string, never>)],
  });
}
