import { createServer, type IncomingMessage } from 'node:http';
import { LiqmapError } from '../base/index.js';
import type { AddressInfo } from 'node:net';
import { createCheckService } from '../jobs/index.js';
import type { ApiDeps } from './context.js';
import { createGraphQL, type GraphQLOptions } from './yoga.js';
import { createApiMetrics } from './plugins/metrics.js';
import { extraRoutes } from './routes.js';
import { GraphQLHttpCache } from './http-cache.js';

export { MAX_BODY_BYTES } from './plugins/body-limit.js';
/** Time a client has to send the request's headers, and the whole request, ms. */
export const HEADERS_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 30_000;

/** Whether a failure is the client going away (closed socket, aborted fetch), not a fault of ours. */
function isAborted(req: IncomingMessage, e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return req.destroyed || (e instanceof Error && e.name === 'AbortError') || code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'EPIPE';
}

/** A running API server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:4000`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Options of {@link startServer} beyond its dependencies. */
export interface ServerOptions extends Partial<Pick<GraphQLOptions, 'persistedOperations' | 'persistedOnly'>> {
  /** Port to listen on (default: config PORT; 0 picks a free one). */
  readonly port?: number;
  readonly host?: string;
  /** Override {@link HEADERS_TIMEOUT_MS} / {@link REQUEST_TIMEOUT_MS} (tests). */
  readonly headersTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
}

/**
 * Serves GraphQL on `/graphql` (GraphiQL in a browser), `/healthz` (the process is up),
 * `/readyz` (Postgres, and Redis when configured, answer), `/metrics` (Prometheus), and the
 * dashboard routes. Resolves once listening.
 */
export async function startServer(given: ApiDeps, options: ServerOptions = {}): Promise<RunningServer> {
  const ownChecks = given.checks
    ? null
    : createCheckService({
        store: given.store,
        logger: given.logger,
        // Check threads open their own Postgres connection (the embedded PGlite is asked through this process).
        databaseUrl: given.store.kind === 'postgres' ? (given.readOnly ? given.config.API_DATABASE_URL : undefined) ?? given.config.DATABASE_URL : undefined,
        budgetMs: given.config.LIQMAP_CHECK_BUDGET_MS,
        readOnly: given.readOnly === true,
      });
  const deps: ApiDeps = { ...given, checks: given.checks ?? ownChecks! };
  const metrics = createApiMetrics();
  const routes = extraRoutes(deps);
  const yoga = createGraphQL(deps, { metrics, routes, cache: new GraphQLHttpCache(deps.store), persistedOperations: options.persistedOperations, persistedOnly: options.persistedOnly });
  // How often Node checks those timeouts (its default, 30 s, would let a slow client stay 40 s).
  // Every concern is a plugin of the yoga server (api/yoga.ts); this is only the socket.
  const server = createServer({ connectionsCheckingInterval: 1000 }, (req, res) => {
    Promise.resolve(yoga.handle(req, res)).catch((e: unknown) => {
      // A client that went away mid-request is routine, not a server error.
      if (isAborted(req, e)) deps.logger.debug({ at: 'api#server', path: req.url?.split('?')[0], err: e }, 'request aborted by the client');
      else deps.logger.error({ at: 'api#server', err: e }, 'request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"error":"internal error"}');
      metrics.requestDuration.observe({ route: 'error', status: '500' }, 0);
    });
  });
  // A slow client cannot hold a socket: headers within 10 s, the whole request within 30 s
  // (responses, e.g. server-sent events, are not limited by these).
  server.headersTimeout = options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS;
  server.requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const port = options.port ?? deps.config.PORT;
  const host = options.host ?? deps.config.HOST;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(listenError(e, host, port)));
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  deps.logger.info({ at: 'api#start', port: addr.port }, 'API listening');
  return {
    url: `http://${shownHost}:${addr.port}`,
    port: addr.port,
    close: async () => {
      await ownChecks?.close();
      await routes.close();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

/** A socket that cannot be bound, as one line saying which address and what to do. */
function listenError(e: NodeJS.ErrnoException, host: string, port: number): LiqmapError {
  const where = `${host}:${port}`;
  if (e.code === 'EADDRINUSE') return new LiqmapError('CANNOT_LISTEN', `cannot serve on ${where}: the port is already in use (another liqmap or program listens there); stop it or set PORT to a free port`, { host, port }, e);
  if (e.code === 'EACCES') return new LiqmapError('CANNOT_LISTEN', `cannot serve on ${where}: not permitted to bind it (ports below 1024 need privileges); set PORT to a port above 1024`, { host, port }, e);
  return new LiqmapError('CANNOT_LISTEN', `cannot serve on ${where}: ${e.code ?? e.message}; check HOST and PORT`, { host, port }, e);
}
