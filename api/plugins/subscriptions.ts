import type { IncomingMessage } from 'node:http';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { ApiContext, ApiDeps } from '../context.js';
import { clientKey } from '../client-key.js';
import { createClusterFeeds } from '../live/cluster-feeds.js';
import type { ApiMetrics } from './metrics.js';

/** Caps on open subscriptions (LIQMAP_MAX_SUBSCRIPTIONS_PER_CLIENT, LIQMAP_MAX_SUBSCRIPTIONS). */
export interface SubscriptionCaps {
  readonly perClient: number;
  readonly total: number;
}

/** Options of {@link useSubscriptions} beyond the server's dependencies. */
export interface SubscriptionsOptions {
  readonly metrics: ApiMetrics;
  /** Poll interval of the shared feeds, ms (tests). */
  readonly intervalMs?: number;
}

const isAsyncIterable = (x: unknown): x is AsyncIterable<unknown> => typeof (x as { [Symbol.asyncIterator]?: unknown } | null)?.[Symbol.asyncIterator] === 'function';

/** Whether an Accept header asks for `text/event-stream` (and not with q=0). */
function acceptsEventStream(accept: string | null): boolean {
  return (accept ?? '').split(',').some((part) => {
    const [type, ...params] = part.split(';').map((x) => x.trim().toLowerCase());
    return type === 'text/event-stream' && !params.some((p) => /^q=0(\.0*)?$/.test(p));
  });
}

/**
 * GraphQL subscriptions at a bounded cost: the shared feeds they read (one poller per watched
 * market, fanned out; `ctx.clusterFeeds`), and caps on how many may be open — per client and in
 * all — checked before a subscription starts. A refused one gets `TOO_MANY_SUBSCRIPTIONS` naming
 * the cap, its setting and what to do. A slot is freed when the subscription ends, fails to
 * start, or its client goes away.
 */
export function useSubscriptions(deps: ApiDeps, options: SubscriptionsOptions): Plugin<ApiContext> {
  const { metrics } = options;
  const caps: SubscriptionCaps = { perClient: deps.config.LIQMAP_MAX_SUBSCRIPTIONS_PER_CLIENT, total: deps.config.LIQMAP_MAX_SUBSCRIPTIONS };
  const clusterFeeds = createClusterFeeds(deps, {
    intervalMs: options.intervalMs,
    onRead: (market) => metrics.subscriptionPolls.inc({ market }),
    onCount: (pollers) => metrics.subscriptionPollers.set(pollers),
  });
  const byClient = new Map<string, number>();
  let open = 0;
  for (const limit of ['per_client', 'total']) metrics.subscriptionsRefused.inc({ limit }, 0);

  const refuse = (limit: 'per_client' | 'total', message: string) => {
    metrics.subscriptionsRefused.inc({ limit });
    return { errors: [new GraphQLError(message, { extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: limit === 'total' ? caps.total : caps.perClient, scope: limit } })] };
  };

  return {
    onContextBuilding({ extendContext }) {
      extendContext({ clusterFeeds } as Partial<ApiContext>);
    },
    onSubscribe({ context, setResultAndStopExecution }) {
      const ctx = context as ApiContext & { req?: IncomingMessage; request?: Request };
      // Any other transport would leave the stream open with nobody reading it (yoga answers 406).
      if (!acceptsEventStream(ctx.request?.headers.get('accept') ?? null)) {
        setResultAndStopExecution({ errors: [new GraphQLError('subscriptions are sent as server-sent events: send the header Accept: text/event-stream (GET /graphql?query=… or POST)', { extensions: { code: 'BAD_USER_INPUT' } })] });
        return;
      }
      const client = clientKey(ctx.req?.socket?.remoteAddress, ctx.authorized);
      const held = byClient.get(client) ?? 0;
      if (open >= caps.total) {
        setResultAndStopExecution(refuse('total', `this server already holds ${open} open subscriptions, its limit (LIQMAP_MAX_SUBSCRIPTIONS=${caps.total}): try again later`));
        return;
      }
      if (held >= caps.perClient) {
        const who = client === 'key' ? 'callers with the API key already hold' : `this client (${client.slice(3)}) already holds`;
        setResultAndStopExecution(refuse('per_client', `${who} ${held} open subscriptions, the most one client may (LIQMAP_MAX_SUBSCRIPTIONS_PER_CLIENT=${caps.perClient}): close one before opening another`));
        return;
      }
      byClient.set(client, held + 1);
      metrics.subscriptionsOpen.set(++open);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        ctx.request?.signal?.removeEventListener('abort', release);
        const n = (byClient.get(client) ?? 1) - 1;
        if (n > 0) byClient.set(client, n);
        else byClient.delete(client);
        metrics.subscriptionsOpen.set(--open);
      };
      // The client going away frees the slot even if nobody returns the iterator.
      ctx.request?.signal?.addEventListener('abort', release, { once: true });
      return {
        onSubscribeResult({ result }) {
          if (!isAsyncIterable(result)) {
            release();
            return;
          }
          return { onEnd: release };
        },
        onSubscribeError: release,
      };
    },
    onDispose() {
      clusterFeeds.close();
    },
  };
}
