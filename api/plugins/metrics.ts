import type { Plugin } from 'graphql-yoga';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The API process's Prometheus registry and its HTTP metrics. */
export interface ApiMetrics {
  readonly registry: Registry;
  readonly requestDuration: Histogram<'route' | 'status'>;
  readonly graphqlErrors: Counter<'code'>;
  /** Reads of the subscription pollers (one per watched market per interval, whatever the subscribers). */
  readonly subscriptionPolls: Counter<'market'>;
  readonly subscriptionsOpen: Gauge;
  readonly subscriptionPollers: Gauge;
  readonly subscriptionsRefused: Counter<'limit'>;
}

/** Creates a registry with process metrics and the API's request histogram. */
export function createApiMetrics(): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'liqmap_api_' });
  return {
    registry,
    requestDuration: new Histogram({
      name: 'liqmap_api_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    graphqlErrors: new Counter({ name: 'liqmap_api_graphql_errors_total', help: 'GraphQL errors returned, by code', labelNames: ['code'], registers: [registry] }),
    subscriptionPolls: new Counter({ name: 'liqmap_api_subscription_polls_total', help: 'Database reads of the shared subscription pollers, by market (one poller per watched market)', labelNames: ['market'], registers: [registry] }),
    subscriptionsOpen: new Gauge({ name: 'liqmap_api_subscriptions', help: 'Open GraphQL subscriptions', registers: [registry] }),
    subscriptionPollers: new Gauge({ name: 'liqmap_api_subscription_pollers', help: 'Running subscription pollers (watched markets)', registers: [registry] }),
    subscriptionsRefused: new Counter({ name: 'liqmap_api_subscriptions_refused_total', help: 'Subscriptions refused by a cap (per_client or total)', labelNames: ['limit'], registers: [registry] }),
  };
}

/** The `route` label of a request path: a known route as is, GraphQL as `/graphql`, else `other`. */
function routeLabel(path: string, known: ReadonlySet<string>): string {
  if (known.has(path)) return path;
  return path.startsWith('/graphql') ? '/graphql' : 'other';
}

/**
 * `GET /metrics` (Prometheus text of `metrics.registry`) and the request-duration histogram of
 * every request the server answers, by route and status. `routes` are the paths labelled as
 * themselves (every other path is `other`). Register it first, so that the answers of the
 * plugins after it are timed too.
 */
export function useMetrics(metrics: ApiMetrics, routes: Iterable<string>, endpoint = '/metrics'): Plugin {
  const known = new Set([endpoint, ...routes]);
  // Keyed by the server context: one object per request, unlike the request (plugins replace it).
  const timers = new WeakMap<object, { end: (labels: { route: string; status: string }) => void; route: string }>();
  return {
    async onRequest({ url, serverContext, endResponse, fetchAPI }) {
      timers.set(serverContext, { end: metrics.requestDuration.startTimer(), route: routeLabel(url.pathname, known) });
      if (url.pathname === endpoint) endResponse(new fetchAPI.Response(await metrics.registry.metrics(), { status: 200, headers: { 'content-type': metrics.registry.contentType } }));
    },
    onResponse({ serverContext, response }) {
      const t = timers.get(serverContext);
      if (!t) return;
      timers.delete(serverContext);
      t.end({ route: t.route, status: String(response.status) });
    },
  };
}
