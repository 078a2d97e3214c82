/**
 * The API and stream part of the adversarial campaign (issue 17), against a real `liqmap serve`
 * process on Postgres: crafted GraphQL requests over every argument of the schema (hostile
 * values, injection strings, impossible dates, damaged input objects, huge lists, variables),
 * hostile documents (aliases, depth, fragment cycles, directives, batches, huge bodies, bad
 * JSON, wrong content types), HTTP abuse on raw sockets (lying lengths, header bombs, slow
 * clients), bad /heatmap.png sizes, many and hostile subscriptions, then a bounded concurrent
 * load on uncached queries. It counts:
 *
 * - tried / handled: an input answered as designed — a 2xx/4xx (or 503 NOT_READY) with JSON
 *   errors that carry a code, no internals (stack, SQL, paths) and no schema suggestions;
 * - crashed: anything else — a 5xx, an internal error, a leak, a hang, the process dying (must be 0);
 * - rows lost: events of the market missing afterwards (must be 0);
 * - peak RSS of the server process (VmHWM), and p50/p99 under the bounded load.
 *
 * `npm run campaign` (test/campaign/run.ts) runs it in full with the ingest campaign; test/api/campaign.test.ts runs
 * a reduced form in CI. Postgres: LIQMAP_TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres
 * (a schema of its own, dropped at the end).
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import postgres from 'postgres';
import { buildSchema } from '../../api/schema/index.js';
import { createPostgresStore, migrateToLatest, type Store } from '../../db/index.js';
import { ingestDemo } from '../../indexer/index.js';
import { computeMarket } from '../../jobs/index.js';
import { subscribeSse, type SseSubscription } from '../_setup/sse.js';
import { TEST_PG_URL, uniqueName } from '../_setup/store.js';
import { rng } from './campaign-kit.js';
import { startCampaignServer, type CampaignServer } from './campaign-server.js';
import { hostileArgumentRequests, hostileDocumentRequests, type CraftedRequest, type Target } from './graphql-inputs.js';
import { boundedLoad, type LoadResult } from './load.js';
import { rawProbes } from './raw-http.js';

/** Size of a run. */
export interface ApiCampaignOptions {
  /** Crafted GraphQL requests tried (a deterministic sample of the generated ones; Infinity: all). */
  readonly graphqlInputs: number;
  /** Include the probes that wait out the server's timeouts (slow clients, idle sockets: ~35 s, run alongside). */
  readonly slowClients: boolean;
  readonly loadSeconds: number;
  readonly loadConcurrency: number;
  /** Hours of demo data the market gets. */
  readonly hours: number;
}

/** What the campaign found. */
export interface ApiCampaignResult {
  readonly tried: number;
  readonly handled: number;
  readonly crashed: number;
  readonly rowsLost: number;
  readonly peakRssMb: number;
  readonly byKind: Readonly<Record<string, { tried: number; handled: number }>>;
  readonly load: LoadResult;
  readonly crashes: readonly string[];
}

const MARKET = 'demo:BTCUSDT';
const API_KEY = 'campaign-key-0123456789abcdef';
const LEAK = /node_modules|\/work\/|\.ts:\d+|\bat [A-Za-z.<>]+ \(|PostgresError|syntax error at or near|relation "|ECONNREFUSED|Did you mean/;


function sample<T>(items: readonly T[], n: number, seed: number): T[] {
  if (n >= items.length) return [...items];
  const r = rng(seed);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, n);
}

/** Null when an HTTP answer is a designed handling, else why not. */
function judgeHttp(status: number, contentType: string, text: string): string | null {
  if (LEAK.test(text)) return `leaks internals: ${LEAK.exec(text)![0]} in ${text.slice(0, 160)}`;
  if (status >= 500 && !(status === 503 && /NOT_READY/.test(text))) return `status ${status}: ${text.slice(0, 160)}`;
  if (!contentType.includes('json')) return status >= 400 || (status === 200 && contentType === 'image/png') ? null : `status ${status} with ${contentType || 'no content type'}`;
  let body: { errors?: { message?: string; extensions?: { code?: unknown } }[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return `status ${status}: not JSON: ${text.slice(0, 120)}`;
  }
  for (const e of body?.errors ?? []) {
    const code = e.extensions?.code;
    if (code === 'INTERNAL_SERVER_ERROR') return `internal error: ${e.message?.slice(0, 120)}`;
    if (typeof code !== 'string') return `an error without a code: ${e.message?.slice(0, 120)}`;
  }
  return null;
}

async function send(base: string, r: CraftedRequest, timeoutMs = 30_000): Promise<string | null> {
  const started = performance.now();
  try {
    const body = typeof r.body === 'string' || r.body === undefined ? r.body : new Uint8Array(r.body);
    const res = await fetch(`${base}${r.path}`, { method: r.method, headers: r.headers, body, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    return judgeHttp(res.status, res.headers.get('content-type') ?? '', text);
  } catch (e) {
    return `no answer after ${Math.round(performance.now() - started)} ms: ${(e as Error).message}`;
  }
}

/** /heatmap.png with bad sizes, grids, markets and dates: 400 with a code, or 200/503. */
function pngRequests(t: Target): CraftedRequest[] {
  const bad = ['0', '-1', '15', '4001', '1e9', 'abc', '', '100.5', 'NaN', 'Infinity', '1e3', '0x10', '  200'];
  const out: CraftedRequest[] = [];
  const base = `market=${encodeURIComponent(t.market)}`;
  for (const v of bad) {
    out.push({ name: `png width=${v}`, method: 'GET', path: `/heatmap.png?${base}&width=${encodeURIComponent(v)}` });
    out.push({ name: `png height=${v}`, method: 'GET', path: `/heatmap.png?${base}&height=${encodeURIComponent(v)}` });
  }
  for (const q of ['width=4000&height=4000', 'width=100&width=5000', 'priceBucket=1e-9', 'resolutionSeconds=1&priceBucket=0.01', 'timeBucketSeconds=5', 'from=2024-02-30T00:00:00Z', 'from=2024-01-02T00:00:00Z&to=2024-01-01T00:00:00Z', 'from=1970-01-01T00:00:00Z', 'priceLow=-1', 'priceLow=100&priceHigh=50', `x=${'y'.repeat(10_000)}`]) {
    out.push({ name: `png ${q.slice(0, 40)}`, method: 'GET', path: `/heatmap.png?${base}&${q}` });
  }
  for (const m of ['', "binance:BTC'; drop table trades; --", 'x'.repeat(5000), 'binance:NOPE', '%00']) out.push({ name: `png market=${m.slice(0, 30)}`, method: 'GET', path: `/heatmap.png?market=${encodeURIComponent(m)}` });
  out.push({ name: 'png without market', method: 'GET', path: '/heatmap.png' });
  return out;
}

/** Result of one subscription step: null when handled as designed. */
type Step = { name: string; run: () => Promise<string | null> };

/** Subscriptions: past the per-client cap, hostile arguments, JSON transport, abrupt disconnects, paused readers. */
function subscriptionSteps(server: CampaignServer, t: Target, open: SseSubscription[]): Step[] {
  const q = (args: string) => `subscription { clustersUpdated(market: ${JSON.stringify(t.market)}${args}) { at clusters { side notional } } }`;
  const expectCode = async (sub: SseSubscription, codes: readonly string[]) => {
    const r = await sub.result(0, 15_000);
    const code = r.errors?.[0]?.extensions?.code;
    return codes.includes(code) ? null : `got ${JSON.stringify(r).slice(0, 160)} (want ${codes.join('/')})`;
  };
  const steps: Step[] = [];
  for (const [name, args, codes] of [
    ['limit 0', ', limit: 0', ['BAD_USER_INPUT']],
    ['limit 2^31', ', limit: 2147483648', ['GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT']],
    ['side BOGUS', ', side: BOGUS', ['GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT']],
    ['minNotional 1e309', ', minNotional: 1e309', ['GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT']],
  ] as const) {
    steps.push({ name: `subscription ${name}`, run: async () => expectCode(await subscribeSse(server.url, q(args), { localAddress: '127.0.0.50' }), codes) });
  }
  steps.push({
    name: 'subscription of an unknown market',
    run: async () => expectCode(await subscribeSse(server.url, q('').replace(t.market, 'binance:NOPE'), { localAddress: '127.0.0.50' }), ['NOT_FOUND']),
  });
  steps.push({
    name: 'subscription over JSON',
    run: async () => send(server.url, { name: 'json', method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ query: q('') }) }),
  });
  // One client past its cap (20 by default): the 21st and later are refused with the code.
  for (let i = 0; i < 25; i++) {
    steps.push({
      name: `subscription ${i + 1} of one client`,
      run: async () => {
        const sub = await subscribeSse(server.url, q(i % 2 ? ', side: LONG' : ''), { localAddress: '127.0.0.60' });
        const r = await sub.result(0, 15_000);
        if (i < 20) {
          open.push(sub);
          return r.data?.clustersUpdated ? null : `no clusters: ${JSON.stringify(r).slice(0, 160)}`;
        }
        return r.errors?.[0]?.extensions?.code === 'TOO_MANY_SUBSCRIPTIONS' ? null : `not refused: ${JSON.stringify(r).slice(0, 160)}`;
      },
    });
  }
  // Clients that go away at once, many times: their slots must come back.
  steps.push({
    name: '200 abrupt disconnects',
    run: async () => {
      for (let i = 0; i < 200; i++) (await subscribeSse(server.url, q(''), { localAddress: `127.0.1.${i % 200}` })).close();
      return null;
    },
  });
  return steps;
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name} `))
    .reduce((s, l) => s + Number(l.split(' ').at(-1)), 0);
}

async function eventRows(store: Store): Promise<number> {
  let n = 0;
  for (const t of ['trades', 'candles', 'liquidations', 'funding_rates', 'open_interest', 'mark_prices'] as const) {
    const r = await sql<{ n: string }>`select count(*) as n from ${sql.table(t)} where market_id = ${MARKET}`.execute(store.db).catch(() => ({ rows: [{ n: '0' }] }));
    n += Number(r.rows[0]!.n);
  }
  return n;
}

/** Runs the campaign on a schema of its own on the test Postgres. */
export async function runApiCampaign(opts: ApiCampaignOptions): Promise<ApiCampaignResult> {
  const schema = uniqueName('t_campaign');
  const url = `${TEST_PG_URL}${TEST_PG_URL.includes('?') ? '&' : '?'}schema=${schema}`;
  const store = createPostgresStore({ url, max: 2 });
  let server: CampaignServer | null = null;
  const byKind: Record<string, { tried: number; handled: number }> = {};
  const crashes: string[] = [];
  const record = (kind: string, name: string, why: string | null) => {
    const k = (byKind[kind] ??= { tried: 0, handled: 0 });
    k.tried++;
    if (why === null) k.handled++;
    else crashes.push(`${kind} ${name}: ${why}`);
  };
  const open: SseSubscription[] = [];
  try {
    await migrateToLatest(store);
    await ingestDemo(store, { days: opts.hours / 24 });
    await computeMarket(store, { market: MARKET });
    const rowsBefore = await eventRows(store);
    server = await startCampaignServer({ DATABASE_URL: url, REDIS_URL: '', API_KEY, LIQMAP_CHECK_BUDGET_MS: '1000' });
    const s = server;
    const span = await sql<{ lo: Date; hi: Date }>`select min(t) as lo, max(t) as hi from heatmap_rows where market_id = ${MARKET}`.execute(store.db);
    const t: Target = { market: MARKET, from: span.rows[0]!.lo.toISOString(), to: span.rows[0]!.hi.toISOString(), apiKey: API_KEY };

    // Slow clients run alongside everything else (they take the server's timeouts).
    const raw = rawProbes({ slow: opts.slowClients });
    const rawDone = Promise.all(raw.map(async (p) => record('http', p.name, p.judge(await p.run(s.port)))));

    const graphql = sample([...hostileDocumentRequests(t), ...hostileArgumentRequests(buildSchema(), t)], opts.graphqlInputs, 17);
    // A few at a time, as a hostile client would send them.
    for (let i = 0; i < graphql.length; i += 4) {
      await Promise.all(graphql.slice(i, i + 4).map(async (r) => record('graphql', r.name, await send(s.url, r))));
      if (s.exited()) break;
    }
    for (const r of pngRequests(t)) record('png', r.name, await send(s.url, r));
    // Large renders at once: 200, or 503 while the render queue is full — never a 5xx or a hang.
    await Promise.all(
      Array.from({ length: 24 }, (_, i) => ({ name: `png concurrent large ${i}`, method: 'GET' as const, path: `/heatmap.png?market=${MARKET}&width=2000&height=2000&priceHigh=${50000 + i}` })).map(async (r) => record('png', r.name, await send(s.url, r, 60_000))),
    );
    for (const step of subscriptionSteps(s, t, open)) {
      let why: string | null;
      try {
        why = await step.run();
      } catch (e) {
        why = (e as Error).message;
      }
      record('subscription', step.name, why);
    }
    // Readers that stop reading: the server keeps one pending value each, not a queue.
    for (const sub of open.splice(0, 5)) sub.close();

    const spanMinutes = Math.max(1, Math.floor((Date.parse(t.to) - Date.parse(t.from)) / 60_000));
    const load = await boundedLoad({
      concurrency: opts.loadConcurrency,
      seconds: opts.loadSeconds,
      request: async (k) => {
        // Every request different, and always inside the computed span: how many requests fit in
        // the window depends on the machine's speed, so `k` wraps within the span, never past it.
        const at = new Date(Date.parse(t.to) - (k % spanMinutes) * 60_000).toISOString();
        const queries = [
          `{ heatmap(market: "${MARKET}", priceHigh: ${48000 + k}) { maxValue times } }`,
          `{ clusters(market: "${MARKET}", at: "${at}") { at clusters { notional } } }`,
          `{ trades(market: "${MARKET}", first: 100, where: { time: { _lte: "${at}" } }) { edges { node { price qty } } } }`,
          `{ liquidationMap(market: "${MARKET}", at: "${at}") { prices long } }`,
        ];
        const res = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: queries[k % queries.length] }), signal: AbortSignal.timeout(30_000) });
        const body = (await res.json()) as { errors?: { message: string }[] };
        return res.status === 200 && !body.errors ? null : `status ${res.status}: ${JSON.stringify(body.errors ?? '').slice(0, 120)}`;
      },
    });
    await rawDone;
    for (const sub of open.splice(0)) sub.close();
    // Every slot freed (abrupt disconnects included) once the streams are closed.
    await new Promise((r) => setTimeout(r, 1500));
    const left = s.exited() ? -1 : await metric(s.url, 'liqmap_api_subscriptions');
    record('subscription', 'slots freed after every stream closed', left === 0 ? null : `${left} subscriptions still counted open`);
    const alive = s.exited();
    record('server', 'alive at the end', alive === null ? null : `the server died (${alive}): ${s.stderr().slice(-500)}`);
    const rowsLost = Math.max(0, rowsBefore - (await eventRows(store)));
    const tried = Object.values(byKind).reduce((a, k) => a + k.tried, 0);
    const handled = Object.values(byKind).reduce((a, k) => a + k.handled, 0);
    return { tried, handled, crashed: tried - handled, rowsLost, peakRssMb: s.peakRssMb(), byKind, load, crashes };
  } finally {
    for (const sub of open) sub.close();
    await server?.stop();
    await store.close();
    const admin = postgres(TEST_PG_URL, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop schema if exists "${schema}" cascade`).finally(() => admin.end());
  }
}

/** The figures, one line, then per kind and the first crashes. */
export function formatApiCampaign(r: ApiCampaignResult): string {
  const kinds = Object.entries(r.byKind).map(([k, v]) => `${k} ${v.handled}/${v.tried}`);
  return [
    `api campaign: inputs tried ${r.tried}, handled ${r.handled}, crashed ${r.crashed}, rows lost ${r.rowsLost}, peak RSS ${r.peakRssMb} MB (server), p99 under load ${r.load.p99Ms} ms (p50 ${r.load.p50Ms} ms, max ${r.load.maxMs} ms, ${r.load.requests} uncached requests in ${r.load.seconds} s, ${r.load.errors} failed)`,
    `  by kind (handled/tried): ${kinds.join(', ')}`,
    ...r.crashes.slice(0, 20).map((c) => `  ${c}`),
    ...r.load.firstErrors.map((e) => `  load: ${e}`),
  ].join('\n');
}
