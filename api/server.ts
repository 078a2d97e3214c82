import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { createCheckService } from '../jobs/index.js';
import { withTimeout } from '../base/index.js';
import type { ApiDeps } from './context.js';
import { createGraphQL, type GraphQLOptions } from './yoga.js';
import { createApiMetrics } from './plugins/metrics.js';
import { extraRoutes } from './routes.js';
import { GraphQLHttpCache, readBody, writeCached } from './http-cache.js';

/** Largest request body, bytes (a GraphQL document with its variables). */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** Time a client has to send the request's headers, and the whole request, ms. */
export const HEADERS_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Refuses a request body before reading it: over {@link MAX_BODY_BYTES} (413), or of unknown
 * length (411: a chunked body could not be bounded before it is read).
 */
function refuseBody(req: IncomingMessage): { status: number; code: string; message: string } | null {
  const len = req.headers['content-length'];
  if (len !== undefined) {
    return Number(len) > MAX_BODY_BYTES ? { status: 413, code: 'PAYLOAD_TOO_LARGE', message: `request body of ${len} bytes is over the limit of ${MAX_BODY_BYTES} bytes` } : null;
  }
  if (req.headers['transfer-encoding'] !== undefined) return { status: 411, code: 'LENGTH_REQUIRED', message: 'send the request body with a Content-Length header (at most 4 MiB)' };
  return null;
}

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

/** How long each readiness check may take: a dead dependency answers 503, never a hang. */
const READINESS_TIMEOUT_MS = 2_000;

/** Runs one readiness check: `ok`, or why not without internals (no host, port or stack). */
async function check(run: () => Promise<unknown>): Promise<string> {
  try {
    await withTimeout(run(), READINESS_TIMEOUT_MS, () => Object.assign(new Error('timeout'), { code: 'TIMEOUT' }));
    return 'ok';
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return `unavailable${typeof code === 'string' && /^[A-Z0-9_]+$/.test(code) ? ` (${code})` : ''}`;
  }
}

async function readiness(deps: ApiDeps): Promise<{ ok: boolean; checks: Record<string, string> }> {
  const checks: Record<string, string> = {};
  const [database, redis] = await Promise.all([check(() => sql`select 1`.execute(deps.store.db)), deps.jobs?.ping ? check(() => deps.jobs!.ping!()) : null]);
  checks.database = database;
  if (redis !== null) checks.redis = redis;
  return { ok: Object.values(checks).every((v) => v === 'ok'), checks };
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
  const yoga = createGraphQL(deps, { metrics, persistedOperations: options.persistedOperations, persistedOnly: options.persistedOnly });
  const routes = extraRoutes(deps);
  const cache = new GraphQLHttpCache(deps.store);
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<string> => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return path;
    }
    if (path === '/readyz') {
      const r = await readiness(deps);
      res.writeHead(r.ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: r.ok ? 'ready' : 'not ready', ...r.checks }));
      return path;
    }
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(await metrics.registry.metrics());
      return path;
    }
    const route = routes.get(path);
    if (route) {
      await route(req, res);
      return path;
    }
    if (path === '/graphql' && req.method === 'POST' && !req.headers.authorization && (req.headers['content-type'] ?? '').includes('application/json') && !(req.headers.accept ?? '').includes('text/event-stream')) {
      // Plain queries go through the byte cache; everything else straight to GraphQL.
      const body = await readBody(req, MAX_BODY_BYTES);
      if (body === null) {
        res.writeHead(413, { 'content-type': 'application/json' }).end('{"errors":[{"message":"request body too large (limit 4 MiB)"}]}');
        return '/graphql';
      }
      const cacheable = GraphQLHttpCache.cacheable(body);
      const compute = async () => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
        const response = await yoga.fetch(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/graphql'}`, { method: 'POST', headers, body });
        const outHeaders: Record<string, string> = {};
        response.headers.forEach((v, k) => (outHeaders[k] = v));
        return { status: response.status, headers: outHeaders, body: Buffer.from(await response.arrayBuffer()) };
      };
      if (!cacheable) {
        writeCached(res, await compute(), false);
        return '/graphql';
      }
      const { response, hit } = await cache.get(GraphQLHttpCache.key(body, req.headers.origin ?? '', req.headers.accept ?? ''), body, compute);
      writeCached(res, response, hit);
      return '/graphql';
    }
    await yoga.handle(req, res);
    return path.startsWith('/graphql') ? '/graphql' : 'other';
  };
  // How often Node checks those timeouts (its default, 30 s, would let a slow client stay 40 s).
  const server = createServer({ connectionsCheckingInterval: 1000 }, (req, res) => {
    const end = metrics.requestDuration.startTimer();
    const refused = refuseBody(req);
    if (refused) {
      res.writeHead(refused.status, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify({ errors: [{ message: refused.message, extensions: { code: refused.code } }] }));
      end({ route: 'refused', status: String(refused.status) });
      return;
    }
    handle(req, res)
      .then((route) => end({ route, status: String(res.statusCode) }))
      .catch((e: unknown) => {
        // A client that went away mid-request is routine, not a server error.
        if (isAborted(req, e)) deps.logger.debug({ at: 'api#server', path: req.url?.split('?')[0], err: e }, 'request aborted by the client');
        else deps.logger.error({ at: 'api#server', err: e }, 'request failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"error":"internal error"}');
        end({ route: 'error', status: '500' });
      });
  });
  // A slow client cannot hold a socket: headers within 10 s, the whole request within 30 s
  // (responses, e.g. server-sent events, are not limited by these).
  server.headersTimeout = options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS;
  server.requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const port = options.port ?? deps.config.PORT;
  const host = options.host ?? deps.config.HOST;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
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
