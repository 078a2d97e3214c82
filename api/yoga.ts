import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { GraphQLError } from 'graphql';
import type { ApiContext, ApiDeps } from './context.js';
import { createLoaders } from './context.js';
import { buildSchema } from './schema/index.js';
import { useArmor } from './plugins/armor.js';
import { offlineGraphiQL } from './plugins/graphiql.js';
import type { ApiMetrics } from './plugins/metrics.js';

/** Options of {@link createGraphQL}. */
export interface GraphQLOptions {
  readonly metrics: ApiMetrics;
  /** sha256 → document of operations callers may send by hash (persisted operations). */
  readonly persistedOperations?: ReadonlyMap<string, string>;
  /** Refuse documents that are not persisted (for a locked-down deployment). */
  readonly persistedOnly?: boolean;
}

/**
 * The GraphQL endpoint: schema, limits (graphql-armor), masked errors (a caller's mistake is a
 * GraphQLError with `extensions.code` and reaches the caller; anything else is logged and
 * masked), persisted operations, and CORS. (Repeated queries are served from the byte cache
 * in front of it: api/http-cache.ts.)
 */
export function createGraphQL(deps: ApiDeps, opts: GraphQLOptions): YogaServerInstance<object, ApiContext> {
  const origins = deps.config.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean);
  const persisted = opts.persistedOperations ?? new Map<string, string>();
  return createYoga<object, ApiContext>({
    schema: buildSchema() as never,
    graphqlEndpoint: '/graphql',
    graphiql: { title: 'liqmap GraphQL' },
    renderGraphiQL: offlineGraphiQL(),
    landingPage: false,
    cors: origins.includes('*') ? { origin: '*' } : { origin: origins },
    logging: {
      debug: (...a: unknown[]) => deps.logger.debug({ at: 'api#yoga', detail: a.map(String).join(' ') }),
      info: (...a: unknown[]) => deps.logger.info({ at: 'api#yoga', detail: a.map(String).join(' ') }),
      warn: (...a: unknown[]) => deps.logger.warn({ at: 'api#yoga', detail: a.map(String).join(' ') }),
      error: (...a: unknown[]) => deps.logger.error({ at: 'api#yoga', err: a[0] instanceof Error ? a[0] : undefined, detail: a.map(String).join(' ') }),
    },
    maskedErrors: {
      maskError(error, message) {
        // By name, not instanceof: graphql-js may be loaded twice (ESM and CJS builds).
        const isGraphQLError = (e: unknown): e is GraphQLError => e instanceof Error && e.name === 'GraphQLError';
        const original = isGraphQLError(error) ? error.originalError : undefined;
        const isCallers = isGraphQLError(error) && (!original || isGraphQLError(original));
        if (isCallers) {
          opts.metrics.graphqlErrors.inc({ code: String(error.extensions?.code ?? 'GRAPHQL_VALIDATION_FAILED') });
          return error;
        }
        opts.metrics.graphqlErrors.inc({ code: 'INTERNAL' });
        deps.logger.error({ at: 'api#maskError', err: original ?? error }, 'internal error while serving a GraphQL request');
        return new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      },
    },
    context: ({ request }): ApiContext => ({
      ...deps,
      loaders: createLoaders(deps.store),
      authorized: deps.config.API_KEY !== undefined && request.headers.get('authorization') === `Bearer ${deps.config.API_KEY}`,
    }),
    plugins: [
      ...useArmor(),
      usePersistedOperations({
        allowArbitraryOperations: !opts.persistedOnly,
        getPersistedOperation: (hash: string) => persisted.get(hash) ?? null,
      }),
    ],
  });
}
