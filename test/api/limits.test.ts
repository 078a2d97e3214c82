import { connect as tcpConnect } from 'node:net';
import { Writable } from 'node:stream';
import { request as httpRequest } from 'node:http';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../base/index.js';
import { ingestDemo } from '../../indexer/index.js';
import { computeMarket } from '../../jobs/index.js';
import { startServer, type RunningServer } from '../../api/index.js';
import { createTestStore, type TestStore } from '../_setup/store.js';

const MARKET = 'demo:BTCUSDT';

/** A server over `t` with its own config, logging into `lines` (debug and up). */
async function serve(t: TestStore, env: Record<string, string>, lines: { level: number; msg: string }[] = []): Promise<RunningServer> {
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  return startServer({ store: t.store, config: parseConfig({ HOST: '127.0.0.1', ...env }), logger: pino({ level: 'debug' }, sink) }, { port: 0, headersTimeoutMs: 500, requestTimeoutMs: 1000 });
}

async function post(server: RunningServer, query: string, variables?: unknown, headers: Record<string, string> = {}) {
  const r = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  return { status: r.status, headers: r.headers, body: (await r.json()) as { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] } };
}

describe('request limits: cost by cells, coded limit errors, no suggestions, introspection, CORS, body and time caps', () => {
  let t: TestStore;
  let server: RunningServer;
  const logs: { level: number; msg: string }[] = [];
  beforeAll(async () => {
    t = await createTestStore();
    await ingestDemo(t.store, { days: 2 / 24 });
    await computeMarket(t.store, { market: MARKET });
    server = await serve(t, {}, logs);
  }, 120_000);
  afterAll(async () => {
    await server.close();
    await t.drop();
  });

  it('prices heatmaps by their cells: 15 aliased heatmaps exceed the cost limit with a code, one passes', async () => {
    const aliases = Array.from({ length: 15 }, (_, i) => `h${i}: heatmap(market: "${MARKET}") { values long short }`).join(' ');
    const r = await post(server, `{ ${aliases} }`);
    expect(r.body.data).toBeUndefined();
    expect(r.body.errors![0]!.extensions).toMatchObject({ code: 'COST_LIMIT_EXCEEDED', maxCost: 2_000_000 });
    expect(r.body.errors![0]!.message).toMatch(/^query cost \d+ exceeds the limit of 2000000/);
    const one = await post(server, `{ heatmap(market: "${MARKET}") { values long short } }`);
    expect(one.body.errors).toBeUndefined();
    expect(one.body.data.heatmap.values.length).toBeGreaterThan(0);
    // Fine grids over a long range are priced by the cells they can return, variables included.
    const fine = await post(server, `query($r: Int) { heatmap(market: "${MARKET}", from: "2024-01-01T00:00:00Z", to: "2024-01-20T00:00:00Z", resolutionSeconds: $r, priceBucket: 1) { values long } }`, { r: 60 });
    expect(fine.body.errors![0]!.extensions!.code).toBe('COST_LIMIT_EXCEEDED');
    // `first` given as a variable counts too (graphql-armor saw only literals).
    const page = await post(server, `query($n: Int) { ${Array.from({ length: 15 }, (_, i) => `t${i}: trades(market: "${MARKET}", first: $n) { nodes { time price qty side tradeId } totalCount }`).join(' ')} }`, { n: 1000 });
    expect(page.body.errors![0]!.extensions!.code).toBe('COST_LIMIT_EXCEEDED');
  });

  it('gives every limit error a code and a message without "Syntax Error"', async () => {
    const cases: [string, string][] = [
      [`{ ${Array.from({ length: 16 }, (_, i) => `m${i}: markets { id }`).join(' ')} }`, 'ALIAS_LIMIT_EXCEEDED'],
      [`{ markets { id ${'a { '.repeat(9)} b ${'} '.repeat(9)} } }`, 'DEPTH_LIMIT_EXCEEDED'],
      [`{ ${'markets { id } '.repeat(600)} }`, 'TOKEN_LIMIT_EXCEEDED'],
      [`{ markets @a @b @c @d @e @f @g @h @i @j @k @l @m @n @o @p @q @r @s @t @u { id } }`, 'DIRECTIVE_LIMIT_EXCEEDED'],
    ];
    for (const [query, code] of cases) {
      const r = await post(server, query);
      expect(r.body.errors![0]!.extensions!.code, query.slice(0, 40)).toBe(code);
      expect(r.body.errors![0]!.message).not.toMatch(/Syntax Error/);
    }
  });

  it('counts tokens as before: 2,000 pass, 2,001 are refused with the limit message and no location', async () => {
    // Every token but the document's end: the braces and 1,998 (1,999) names.
    const doc = (names: number) => `{ ${'a '.repeat(names)}}`;
    const at = await post(server, doc(1998));
    expect(at.body.errors![0]!.extensions!.code).not.toBe('TOKEN_LIMIT_EXCEEDED');
    const over = await post(server, doc(1999));
    expect(over.body.errors).toEqual([{ message: 'Token limit of 2000 exceeded. Send a shorter document.', extensions: { code: 'TOKEN_LIMIT_EXCEEDED' } }]);
  });

  it('suggests no field, argument or enum value, literal or variable', async () => {
    const literal = await post(server, `{ clusters(market: "${MARKET}", side: LON) { at } }`);
    const variable = await post(server, `query($s: PositionSide) { clusters(market: "${MARKET}", side: $s) { at } }`, { s: 'LON' });
    const field = await post(server, `{ marketz { id } }`);
    for (const r of [literal, variable, field]) {
      expect(r.body.errors![0]!.message).not.toMatch(/Did you mean|LONG|markets/);
      expect(r.body.errors![0]!.extensions!.code).toMatch(/GRAPHQL_VALIDATION_FAILED|BAD_USER_INPUT/);
    }
  });

  it('turns introspection (and GraphiQL) off when NODE_ENV=production, unless LIQMAP_INTROSPECTION=true', async () => {
    const q = '{ __schema { queryType { name } } }';
    expect((await post(server, q)).body.data.__schema.queryType.name).toBe('Query');
    const prod = await serve(t, { NODE_ENV: 'production' });
    const forced = await serve(t, { NODE_ENV: 'production', LIQMAP_INTROSPECTION: 'true' });
    try {
      const off = await post(prod, q);
      expect(off.body.errors![0]!.message).toMatch(/introspection has been disabled/);
      expect((await fetch(`${prod.url}/graphql`, { headers: { accept: 'text/html' } })).headers.get('content-type') ?? '').not.toMatch(/html/);
      expect((await post(forced, q)).body.data.__schema.queryType.name).toBe('Query');
    } finally {
      await prod.close();
      await forced.close();
    }
  });

  it('does not grant credentials to any origin by default', async () => {
    const r = await post(server, '{ markets { id } }', undefined, { origin: 'https://evil.example' });
    expect(r.headers.get('access-control-allow-credentials')).toBeNull();
    const pre = await fetch(`${server.url}/graphql`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(pre.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('refuses a body over 4 MiB (413) or of unknown length (411), with a code', async () => {
    const big = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer x' }, body: JSON.stringify({ query: '{ markets { id } }', variables: { pad: 'x'.repeat(5 * 1024 * 1024) } }) });
    expect(big.status).toBe(413);
    expect(((await big.json()) as any).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.write('{"query":"{ markets { id } }"}');
      req.end();
    });
    expect(status).toBe(411);
  });

  it('closes a socket whose headers never finish, and logs an aborted request below error level', async () => {
    const started = Date.now();
    const closed = await new Promise<string>((resolve) => {
      const s = tcpConnect(server.port, '127.0.0.1', () => s.write('POST /graphql HTTP/1.1\r\nHost: x\r\n'));
      let got = '';
      s.on('data', (d) => (got += d.toString()));
      s.on('close', () => resolve(got));
    });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(closed).toMatch(/408/);
    const before = logs.length;
    // Through the byte cache and straight to GraphQL (a request with Authorization), aborted mid-answer.
    for (const headers of [{}, { authorization: 'Bearer someone' }] as Record<string, string>[]) {
      const ac = new AbortController();
      const pending = fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: `{ heatmap(market: "${MARKET}", resolutionSeconds: 60) { values long short } }` }), signal: ac.signal }).catch(() => null);
      setTimeout(() => ac.abort(), 5);
      await pending;
    }
    // A client that goes away while sending its body.
    await new Promise<void>((resolve) => {
      const s = tcpConnect(server.port, '127.0.0.1', () => {
        s.write('POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"query":');
        setTimeout(() => s.destroy(), 100);
      });
      s.on('close', () => resolve());
    });
    const sse = new AbortController();
    const stream = await fetch(`${server.url}/graphql?query=${encodeURIComponent(`subscription { clustersUpdated(market: "${MARKET}") { at } }`)}`, { headers: { accept: 'text/event-stream' }, signal: sse.signal });
    await stream.body!.getReader().read();
    sse.abort();
    await new Promise((r) => setTimeout(r, 1500));
    expect(logs.slice(before).filter((l) => l.level >= 50)).toEqual([]);
    // The server is still serving.
    expect((await post(server, '{ markets { id } }')).body.data.markets.length).toBeGreaterThan(0);
  });
});
