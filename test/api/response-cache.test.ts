import { brotliDecompressSync } from 'node:zlib';
import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { useResponseCache } from '../../api/plugins/response-cache.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compressed } from '../../api/compression.js';
import { BatchWriter, type CanonicalEvent } from '../../db/index.js';
import { ENTRY_OVERHEAD_BYTES, GraphQLHttpCache, MAX_SEEN_KEYS } from '../../api/http-cache.js';
import { createTestStore, type TestStore } from '../_setup/store.js';
import { startTestApi, type TestApi } from '../_setup/api.js';

const T0 = Date.UTC(2024, 4, 1) * 1000;
let seq = 0;
const trades = (market: string, n: number): CanonicalEvent[] =>
  Array.from({ length: n }, () => ({ kind: 'trade' as const, market, ts: T0 + ++seq * 1e6, tradeId: String(seq), price: '60000.5', qty: '0.1', side: 'buy' as const }));

describe('the response cache', () => {
  let t: TestStore;
  let api: TestApi;
  beforeAll(async () => {
    t = await createTestStore();
    await new BatchWriter(t.store).write({ events: [...trades('binance:AAAUSDT', 3), ...trades('binance:BBBUSDT', 3)] });
    api = await startTestApi(t.store, { CORS_ORIGINS: 'https://dash.example' });
  });
  afterAll(async () => {
    await api?.close();
    await t?.drop();
  });

  const post = (query: string, headers: Record<string, string> = {}) =>
    fetch(`${api.server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  const settle = () => new Promise((r) => setTimeout(r, 300)); // the versions are re-read every 250 ms

  it('one market\'s ingest leaves the other markets\' entries cached', async () => {
    const qa = '{ market(id: "binance:AAAUSDT") { tradeCount } }';
    const qb = '{ market(id: "binance:BBBUSDT") { tradeCount } }';
    const qall = '{ markets { id tradeCount } }';
    // Kept from the second ask on (GraphQLHttpCache.admit).
    for (const q of [qa, qb, qall, qa, qb, qall]) await post(q);
    for (const q of [qa, qb, qall]) expect((await post(q)).headers.get('x-liqmap-cache')).toBe('hit');
    await new BatchWriter(t.store).write({ events: trades('binance:BBBUSDT', 2) });
    await settle();
    expect((await post(qa)).headers.get('x-liqmap-cache')).toBe('hit');
    const b = await post(qb);
    expect(b.headers.get('x-liqmap-cache')).toBeNull();
    expect(((await b.json()) as { data: { market: { tradeCount: number } } }).data.market.tradeCount).toBe(5);
    expect((await post(qall)).headers.get('x-liqmap-cache')).toBeNull();
    // A market that does not exist yet is a dependency too.
    const qc = '{ market(id: "binance:CCCUSDT") { tradeCount } }';
    await post(qc);
    await new BatchWriter(t.store).write({ events: trades('binance:CCCUSDT', 1) });
    await settle();
    expect(((await (await post(qc)).json()) as { data: { market: { tradeCount: number } | null } }).data.market?.tradeCount).toBe(1);
  });

  it('a cached response carries the CORS headers of a fresh one', async () => {
    const q = '{ market(id: "binance:AAAUSDT") { id } }';
    const h = { origin: 'https://dash.example' };
    await post(q, h);
    const miss = await post(q, h);
    const hit = await post(q, h);
    expect(hit.headers.get('x-liqmap-cache')).toBe('hit');
    expect(miss.headers.get('access-control-allow-origin')).toBe('https://dash.example');
    expect(hit.headers.get('access-control-allow-origin')).toBe('https://dash.example');
  });

  it('hands a cacheable query to GraphQL parsed, with no body to read again; other requests keep their body', async () => {
    const bodies: (string | null)[] = [];
    // Sees the request GraphQL parses: its body, if it has one.
    const probe: Plugin = { onRequestParse: ({ request }) => void bodies.push(request.body === null ? null : 'body') };
    const yoga = createYoga({
      schema: createSchema({ typeDefs: 'type Query { echo(n: Int): Int } type Mutation { set(n: Int): Int }', resolvers: { Query: { echo: (_: unknown, a: { n: number }) => a.n }, Mutation: { set: (_: unknown, a: { n: number }) => a.n } } }),
      plugins: [useResponseCache(new GraphQLHttpCache(t.store)), probe],
    });
    const ask = async (query: string, type = 'application/json') => {
      const r = await yoga.fetch('http://x/graphql', { method: 'POST', headers: { 'content-type': type }, body: JSON.stringify({ query }) });
      return { status: r.status, hit: r.headers.get('x-liqmap-cache'), text: await r.text() };
    };
    expect(await ask('{ echo(n: 1) }')).toEqual({ status: 200, hit: null, text: '{"data":{"echo":1}}' });
    expect(await ask('{ echo(n: 1) }')).toEqual({ status: 200, hit: null, text: '{"data":{"echo":1}}' });
    expect(await ask('{ echo(n: 1) }')).toEqual({ status: 200, hit: 'hit', text: '{"data":{"echo":1}}' });
    expect(await ask('mutation { set(n: 2) }')).toEqual({ status: 200, hit: null, text: '{"data":{"set":2}}' });
    // A type yoga does not read as JSON stays unsupported (415), as it was.
    expect((await ask('{ echo(n: 3) }', 'text/plain; x=application/json')).status).toBe(415);
    expect(bodies).toEqual([null, null, 'body', 'body']);
  });

  it('keeps an answer from the second ask on: a request asked once leaves no entry', async () => {
    const cache = new GraphQLHttpCache(t.store);
    const yoga = createYoga({
      schema: createSchema({ typeDefs: 'type Query { echo(n: Int): Int }', resolvers: { Query: { echo: (_: unknown, a: { n: number }) => a.n } } }),
      plugins: [useResponseCache(cache)],
    });
    const ask = async (n: number, encoding?: string) => {
      const r = await yoga.fetch('http://x/graphql', { method: 'POST', headers: { 'content-type': 'application/json', ...(encoding ? { 'accept-encoding': encoding } : {}) }, body: JSON.stringify({ query: `{ echo(n: ${n}) }` }) });
      return { hit: r.headers.get('x-liqmap-cache'), text: await r.text() };
    };
    // With or without an encoding to apply.
    for (const encoding of [undefined, 'br']) {
      const n = encoding ? 2 : 1;
      const before = cache.size;
      expect(await ask(n, encoding)).toEqual({ hit: null, text: `{"data":{"echo":${n}}}` });
      expect(cache.size).toBe(before);
      expect(await ask(n, encoding)).toEqual({ hit: null, text: `{"data":{"echo":${n}}}` });
      expect(cache.size).toBe(before + 1);
      expect(await ask(n, encoding)).toEqual({ hit: 'hit', text: `{"data":{"echo":${n}}}` });
    }
  });

  it('remembers a bounded number of keys asked once, forgetting the oldest', () => {
    const cache = new GraphQLHttpCache(t.store);
    expect(cache.admit('a')).toBe(false);
    expect(cache.admit('a')).toBe(true);
    expect(cache.admit('b')).toBe(false);
    expect(cache.admit('c')).toBe(false);
    // As many other keys asked once as are remembered, less one: 'b' is forgotten, 'c' is not.
    let admitted = 0;
    for (let i = 0; i < MAX_SEEN_KEYS - 1; i++) admitted += cache.admit(`{"query":"{ q(n: ${i}) }"}`) ? 1 : 0;
    // (Two keys may share a fingerprint: then the second is kept at its first ask.)
    expect(admitted).toBeLessThan(10);
    expect(cache.admit('c')).toBe(true);
    expect(cache.admit('b')).toBe(false);
  });

  it('computes concurrent identical misses once', async () => {
    const cache = new GraphQLHttpCache(t.store);
    let computed = 0;
    const compute = async () => {
      computed++;
      await new Promise((r) => setTimeout(r, 100));
      return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from('{"data":{}}') };
    };
    const body = Buffer.from('{"query":"{ markets { id } }"}');
    const key = GraphQLHttpCache.key(body);
    const all = await Promise.all(Array.from({ length: 20 }, () => cache.get(key, body, compute)));
    expect(computed).toBe(1);
    expect(all.every((r) => r.response.body.toString() === '{"data":{}}')).toBe(true);
    expect((await cache.get(key, body, compute)).hit).toBe(true);
  });

  it('keeps an answer that owns its memory without a copy, and copies a slice of a larger buffer', async () => {
    const cache = new GraphQLHttpCache(t.store);
    const ask = async (answer: Buffer, n: number) => {
      const body = Buffer.from(`{"query":"{ own${n} }"}`);
      const key = GraphQLHttpCache.key(body);
      await cache.get(key, body, async () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: answer }));
      return (await cache.get(key, body, async () => ({ status: 200, headers: {}, body: Buffer.from('{}') }))).response;
    };
    const own = Buffer.from(`{"data":{"v":"${'x'.repeat(6000)}"}}`);
    const kept = await ask(own, 1);
    expect(kept.body).toBe(own);
    const slab = Buffer.from(`{"data":{"v":1}}${'y'.repeat(60_000)}`);
    const slice = slab.subarray(0, 16);
    const copied = await ask(slice, 2);
    expect(copied.body).not.toBe(slice);
    expect(copied.body.equals(slice)).toBe(true);
    // Its own small copy, not a view that keeps the 60 KB buffer alive.
    expect(copied.body.buffer).not.toBe(slab.buffer);
  });

  it('is bounded by the memory its entries use, not their body bytes', async () => {
    const max = 1024 * 1024;
    const cache = new GraphQLHttpCache(t.store, max);
    for (let i = 0; i < 5_000; i++) {
      const body = Buffer.from(`{"query":"{ q${i} }"}`);
      await cache.get(GraphQLHttpCache.key(body), body, async () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from('{}') }));
    }
    expect(cache.bytes).toBeLessThanOrEqual(max);
    // 2-byte bodies: counting bodies alone would have kept all 5,000.
    expect(cache.size).toBeLessThanOrEqual(Math.floor(max / ENTRY_OVERHEAD_BYTES));
    expect(cache.size).toBeGreaterThan(100);
  });

  it('compresses a kept answer once per encoding and counts the copy against the bound', async () => {
    const cache = new GraphQLHttpCache(t.store);
    const json = Buffer.from(JSON.stringify({ data: { heatmap: { long: Array.from({ length: 20_000 }, (_, i) => (i * 7919.123) % 1e6) } } }));
    const body = Buffer.from('{"query":"{ heatmap(market: \\"binance:BTCUSDT\\") { long } }"}');
    const key = GraphQLHttpCache.key(body);
    const compute = async () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: json });
    let encodings = 0;
    const encode = async (r: { status: number; headers: Record<string, string>; body: Buffer }) => {
      encodings++;
      return compressed(r, 'br');
    };
    const first = await cache.get(key, body, compute);
    const before = cache.bytes;
    const a = await cache.encoded(first.response, 'br', encode);
    const hit = await cache.get(key, body, compute);
    expect(hit.hit).toBe(true);
    const b = await cache.encoded(hit.response, 'br', encode);
    expect(encodings).toBe(1);
    expect(b.body).toBe(a.body);
    expect(brotliDecompressSync(b.body).equals(json)).toBe(true);
    expect(cache.bytes).toBe(before + a.body.length);
    // An answer the cache does not keep (an error) is encoded each time.
    const err = { status: 200, headers: {}, body: Buffer.from('{"errors":[{"message":"x"}]}') };
    await cache.encoded(err, 'br', encode);
    await cache.encoded(err, 'br', encode);
    expect(encodings).toBe(3);
  });
});
