import { timingSafeEqual, createHash } from 'node:crypto';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { GraphQLError } from 'graphql';
import type { ApiContext, ApiDeps } from './context.js';
import { createLoaders } from './context.js';
import { RepeatedDocumentCache } from './document-cache.js';
import { buildSchema } from './schema/index.js';
import { useArmor } from './plugins/armor.js';
import { offlineGraphiQL } from './plugins/graphiql.js';
import { useMetrics, type ApiMetrics } from './plugins/metrics.js';
import { useSubscriptions } from './plugins/subscriptions.js';
import { useBodyLimit } from './plugins/body-limit.js';
import { useHealthCheck } from './plugins/health-check.js';
import { useReadinessCheck } from './plugins/readiness-check.js';
import { useResponseCache } from './plugins/response-cache.js';
import { useRequestParamsErrors } from './plugins/request-params.js';
import { useRoutes } from './plugins/routes.js';
import { useValidationByShape } from './plugins/validation-shapes.js';
import { useCompiledQueries } from './plugins/compiled-queries.js';
import type { GraphQLHttpCache } from './http-cache.js';
import type { Route } from './routes.js';

/** Options of {@link createGraphQL}. */
export interface GraphQLOptions {
  readonly metrics: ApiMetrics;
  /** Plain HTTP routes served beside GraphQL, by path (the dashboard, the image endpoint). */
  readonly routes?: ReadonlyMap<string, Route>;
  /** The byte cache plain anonymous queries are answered from (none: every query executes). */
  readonly cache?: GraphQLHttpCache;
  /** sha256 → document of operations callers may send by hash (persisted operations). */
  readonly persistedOperations?: ReadonlyMap<string, string>;
  /** Refuse documents that are not persisted (for a locked-down deployment). */
  readonly persistedOnly?: boolean;
  /** Poll interval of the subscriptions' shared feeds, ms (default 1 s; tests). */
  readonly subscriptionPollMs?: number;
}

/**
 * The API as one yoga server, a composition of plugins: request timing and `/metrics`, the body
 * limit, `/healthz`, `/readyz`, the plain routes, the response cache, limits (graphql-armor),
 * queries compiled by graphql-jit once per document shape, persisted operations; with masked errors (a caller's mistake is a GraphQLError with
 * `extensions.code` and reaches the caller; anything else is logged and masked) and CORS.
 */
export function createGraphQL(deps: ApiDeps, opts: GraphQLOptions): YogaServerInstance<object, ApiContext> {
  const origins = deps.config.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean);
  const persisted = opts.persistedOperations ?? new Map<string, string>();
  const introspection = introspectionEnabled(deps.config);
  const keyDigest = deps.config.API_KEY === undefined ? null : digest(`Bearer ${deps.config.API_KEY}`);
  return createYoga<object, ApiContext>({
    schema: buildSchema() as never,
    graphqlEndpoint: '/graphql',
    // GraphiQL needs introspection: off with it.
    graphiql: introspection ? { title: 'liqmap GraphQL' } : false,
    renderGraphiQL: offlineGraphiQL(),
    landingPage: false,
    // Parsed documents kept only for texts that repeat (yoga's LRU kept every one: see RepeatedDocumentCache).
    parserAndValidationCache: { documentCache: new RepeatedDocumentCache() },
    // useBodyLimit refuses a body over its limit or of unknown length before it is read, and
    // Node's parser reads no more than the Content-Length: yoga's own limit (a stream piped
    // through a counting transform, per request) only cost CPU.
    maxRequestBodySize: false,
    // No credentials: the API key travels in a header a page sets itself, never in a cookie; with
    // credentials, a reflected wildcard would let any site read answers meant for a signed-in user.
    cors: origins.includes('*') ? { origin: '*', credentials: false } : { origin: origins, credentials: false },
    logging: {
      // Yoga logs three debug lines per request: their text is built only when debug is on.
      debug: (...a: unknown[]) => void (deps.logger.isLevelEnabled('debug') && deps.logger.debug({ at: 'api#yoga', detail: a.map(String).join(' ') })),
      info: (...a: unknown[]) => deps.logger.info({ at: 'api#yoga', detail: a.map(String).join(' ') }),
      warn: (...a: unknown[]) => deps.logger.warn({ at: 'api#yoga', detail: a.map(String).join(' ') }),
      error: (...a: unknown[]) => {
        // A request the client aborted is routine: not an error of the server.
        const aborted = a.some((x) => x instanceof Error && (x.name === 'AbortError' || /\babort/i.test(x.message)));
        (aborted ? deps.logger.debug : deps.logger.error).call(deps.logger, { at: 'api#yoga', err: a[0] instanceof Error ? a[0] : undefined, detail: a.map(String).join(' ') });
      },
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
      authorized: keyDigest !== null && timingSafeEqual(digest(request.headers.get('authorization') ?? ''), keyDigest),
    }),
    plugins: [
      // First, so that every answer after it is timed.
      useMetrics(opts.metrics, ['/healthz', '/readyz', ...(opts.routes?.keys() ?? [])]),
      useBodyLimit(),
      useRequestParamsErrors(),
      useHealthCheck(),
      useReadinessCheck(deps),
      ...(opts.routes ? [useRoutes(opts.routes, deps.logger)] : []),
      ...(opts.cache ? [useResponseCache(opts.cache)] : []),
      ...useArmor({ maxRangeDays: deps.config.LIQMAP_MAX_RANGE_DAYS, introspection }),
      // After the plugins that add rules: it validates with the final rule set.
      useValidationByShape(),
      useCompiledQueries(),
      useSubscriptions(deps, { metrics: opts.metrics, intervalMs: opts.subscriptionPollMs }),
      usePersistedOperations({
        allowArbitraryOperations: !opts.persistedOnly,
        getPersistedOperation: (hash: string) => persisted.get(hash) ?? null,
      }),
    ],
  });
}

/** Fixed-length digests, so comparing them takes the same time whatever the header holds. */
function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Introspection (and GraphiQL): LIQMAP_INTROSPECTION when set, else on unless NODE_ENV=production. */
export function introspectionEnabled(config: Pick<ApiDeps['config'], 'LIQMAP_INTROSPECTION' | 'NODE_ENV'>): boolean {
  return config.LIQMAP_INTROSPECTION ?? config.NODE_ENV !== 'production';
}
