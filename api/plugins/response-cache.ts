import type { Plugin } from 'graphql-yoga';
import { GraphQLHttpCache, type CachedResponse } from '../http-cache.js';
import { bodyOf } from '../fetch-body.js';
import { compressed, negotiateEncoding } from '../compression.js';

/** Whether a request may be answered from the byte cache: an anonymous JSON POST, not a stream. */
function eligible(request: Request, path: string): boolean {
  const h = request.headers;
  return path === '/graphql' && request.method === 'POST' && !h.get('authorization') && (h.get('content-type') ?? '').includes('application/json') && !(h.get('accept') ?? '').includes('text/event-stream');
}

/** Whether yoga parses the body as JSON (its isPOSTJsonRequest, for a POST): only then are the parameters handed over. */
function yogaReadsJson(request: Request): boolean {
  const type = request.headers.get('content-type')?.split(',')[0] ?? '';
  return ['application/json', 'application/graphql+json'].some((t) => type === t || type.startsWith(`${t};`));
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
 * for every concurrent identical request, and kept from its second ask on (a request asked
 * once goes through uncached: {@link GraphQLHttpCache.admit}); mutations, subscriptions,
 * authorised and streamed requests go straight through. Headers added on the way out (CORS) are added to hits as well.
 * Answers are compressed for clients that accept it ({@link compressed}); the cache keeps each
 * answer plain and, once asked for, in each Accept-Encoding it was asked in.
 */
export function useResponseCache(cache: GraphQLHttpCache): Plugin {
  // The body of a cacheable request is read and parsed here, once: its replay carries no body
  // and GraphQL gets these parameters (reading the body again through the fetch ponyfill's
  // stream and parsing it again was ~2% of an uncached request's CPU).
  const parsed = new WeakMap<Request, Record<string, unknown>>();
  return {
    async onRequest({ request, url, requestHandler, setRequest, setRequestHandler, fetchAPI }) {
      if (!eligible(request, url.pathname)) return;
      // A view of the bytes read, not a copy: no entry keeps them (they are parsed, keyed and scanned).
      const body = bytesOf(await request.arrayBuffer());
      const text = body.toString('utf8');
      // The body is read: the pipeline gets a request carrying the same bytes (or, cacheable,
      // its parsed parameters). Without the caller's abort signal: a coalesced answer is
      // shared, one caller leaving must not end it. On the URL yoga parsed, not its text parsed
      // again (the server adapter hands a stand-in when the request has none parsed: then the text).
      const target = url instanceof URL ? url : request.url;
      const replay = (params?: Record<string, unknown>) => {
        if (!params || !yogaReadsJson(request)) return new fetchAPI.Request(target, { method: 'POST', headers: request.headers, body: bodyOf(body) });
        const r = new fetchAPI.Request(target, { method: 'POST', headers: request.headers });
        parsed.set(r, params);
        return r;
      };
      const respond = (r: CachedResponse, hit: boolean) => new fetchAPI.Response(bodyOf(r.body), { status: r.status, headers: hit ? { ...r.headers, 'x-liqmap-cache': 'hit' } : r.headers });
      const encoding = request.headers.get('accept-encoding') ?? undefined;
      const params = GraphQLHttpCache.cacheableParams(body, text);
      if (!params) {
        setRequestHandler(async (_req, ctx) => respond(await compressed(await toCached(await requestHandler(replay(), ctx)), encoding), false));
        return;
      }
      const key = GraphQLHttpCache.key(text, request.headers.get('origin') ?? '', request.headers.get('accept') ?? '');
      const enc = negotiateEncoding(encoding);
      if (!cache.admit(key)) {
        // Asked for the first time: not kept. Without an encoding to apply, the request goes on
        // (as its replay: the body is read), its answer sent as yoga makes it.
        if (!enc) setRequest(replay(params));
        else setRequestHandler(async (_req, ctx) => respond(await compressed(await toCached(await requestHandler(replay(params), ctx)), encoding), false));
        return;
      }
      setRequestHandler(async (_req, ctx) => {
        const { response, hit } = await cache.get(key, text, async () => toCached(await requestHandler(replay(params), ctx)));
        // No encoding accepted: the answer as it is (compressed() would hand it back unchanged).
        return respond(enc ? await cache.encoded(response, enc, (r) => compressed(r, encoding)) : response, hit);
      });
    },
    // After yoga's own request parsers (user plugins come later): the parameters read above.
    onRequestParse({ request, setRequestParser }) {
      const params = parsed.get(request);
      if (params) setRequestParser(() => params);
    },
  };
}
