import type { Plugin } from 'graphql-yoga';
import { GraphQLHttpCache, type CachedResponse } from '../http-cache.js';
import { bodyOf } from '../fetch-body.js';
import { compressed, negotiateEncoding } from '../compression.js';

/** Whether a request may be answered from the byte cache: an anonymous JSON POST, not a stream. */
function eligible(request: Request, path: string): boolean {
  const h = request.headers;
  return path === '/graphql' && request.method === 'POST' && !h.get('authorization') && (h.get('content-type') ?? '').includes('application/json') && !(h.get('accept') ?? '').includes('text/event-stream');
}

async function toCached(response: Response): Promise<CachedResponse> {
  const headers: Record<string, string> = {};
  response.headers.forEach((v, k) => (headers[k] = v));
  return { status: response.status, headers, body: bytesOf(await response.arrayBuffer()) };
}

/**
 * A body's bytes as a Buffer over the same memory: the fetch ponyfill's arrayBuffer() hands
 * over a Buffer (a view), which Buffer.from would have copied.
 */
function bytesOf(body: ArrayBuffer | ArrayBufferView): Buffer {
  return ArrayBuffer.isView(body) ? Buffer.from(body.buffer, body.byteOffset, body.byteLength) : Buffer.from(body);
}

/**
 * The HTTP response cache ({@link GraphQLHttpCache}) as a plugin: a plain anonymous query is
 * answered from the cache (`x-liqmap-cache: hit`) or by the rest of the GraphQL pipeline, once
 * for every concurrent identical request; mutations, subscriptions, authorised and streamed
 * requests go straight through. Headers added on the way out (CORS) are added to hits as well.
 * Answers are compressed for clients that accept it ({@link compressed}); the cache keeps each
 * answer plain and, once asked for, in each Accept-Encoding it was asked in.
 */
export function useResponseCache(cache: GraphQLHttpCache): Plugin {
  return {
    async onRequest({ request, url, requestHandler, setRequestHandler, fetchAPI }) {
      if (!eligible(request, url.pathname)) return;
      const body = Buffer.from(await request.arrayBuffer());
      // The body is read: the pipeline gets a request carrying the same bytes. Without the
      // caller's abort signal: a coalesced answer is shared, one caller leaving must not end it.
      const replay = () => new fetchAPI.Request(request.url, { method: 'POST', headers: request.headers, body });
      const respond = (r: CachedResponse, hit: boolean) => new fetchAPI.Response(bodyOf(r.body), { status: r.status, headers: hit ? { ...r.headers, 'x-liqmap-cache': 'hit' } : r.headers });
      const encoding = request.headers.get('accept-encoding') ?? undefined;
      if (!GraphQLHttpCache.cacheable(body)) {
        setRequestHandler(async (_req, ctx) => respond(await compressed(await toCached(await requestHandler(replay(), ctx)), encoding), false));
        return;
      }
      const key = GraphQLHttpCache.key(body, request.headers.get('origin') ?? '', request.headers.get('accept') ?? '');
      setRequestHandler(async (_req, ctx) => {
        const { response, hit } = await cache.get(key, body, async () => toCached(await requestHandler(replay(), ctx)));
        return respond(await cache.encoded(response, negotiateEncoding(encoding) ?? 'identity', (r) => compressed(r, encoding)), hit);
      });
    },
  };
}
