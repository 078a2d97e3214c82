import { createRequire } from 'node:module';
import path from 'node:path';
import postgres from 'postgres';
import { createPostgresStore, migrateToLatest } from '../db/index.js';
import { modelParamsHash, parseModelParams } from '../engine/index.js';
import { ingestDemo } from '../indexer/index.js';
import { computeMarket } from '../jobs/index.js';
import { alternate, spread, spreadText } from './alternate.js';
import { postgraphileFunctions } from './baselines/postgraphile-schema.js';
import { ensurePostGraphile, POSTGRAPHILE_VERSION } from './baselines/postgraphile-install.js';
import { startChildServer, type ChildServer } from './servers/child-server.js';
import type { BenchFigure } from './types.js';

/** The slice of autocannon's API this bench uses (the package ships no types). */
interface AutocannonResult {
  requests: { average: number; total: number };
  /** Seconds the run lasted. */
  duration: number;
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
interface Request {
  method: string;
  path: string;
  headers?: Record<string, string>;
  setupRequest?: (req: Record<string, unknown>) => Record<string, unknown>;
}
type Autocannon = (opts: { url: string; connections: number; amount: number; timeout: number; sampleInt: number; requests: Request[] }) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const PG = process.env.LIQMAP_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROOT = path.resolve(import.meta.dirname, '..');
const MARKET = 'demo:BTCUSDT';
const DAY0 = Date.UTC(2024, 0, 1);
const iso = (ms: number) => new Date(ms).toISOString();
/** Requests answered over the whole run (autocannon's per-second average reads 0 when each request takes longer than a second). */
const perSecond = (x: AutocannonResult) => x.requests.total / Math.max(1e-9, x.duration);

/**
 * One load run of a fixed number of requests, all answered before it ends. A run of a fixed
 * duration drops the requests still in flight when it stops: with 16 connections on a request
 * that takes seconds (PostGraphile's uncached heatmap), none finished in 5 s and the rate read
 * 0 (the ratio NaN), and the latencies kept only the early, fast answers. `sampleInt` 20 ms:
 * autocannon notices the last answer at its next sample, and its run time includes that wait.
 */
const loadRun = (url: string, connections: number, amount: number, query: (n: number) => string) =>
  autocannon({ url, connections, amount: Math.max(connections, amount), timeout: 600, sampleInt: 20, requests: [gql(query)] });

let counter = 0;
/** A GraphQL POST whose query changes with every request (`n` counts requests). */
const gql = (query: (n: number) => string): Request => ({
  method: 'POST',
  path: '/graphql',
  headers: { 'content-type': 'application/json', accept: 'application/json' },
  setupRequest: (req) => ({ ...req, body: JSON.stringify({ query: query(counter++) }) }),
});

/** Sends one request of a case and fails unless it answers 200 with data and no errors (a bench of errors measures nothing). */
async function checkAnswers(url: string, query: string, what: string): Promise<number> {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ query }) });
  const text = await res.text();
  const body = JSON.parse(text) as { data?: unknown; errors?: unknown };
  if (res.status !== 200 || body.errors || !body.data) throw new Error(`bench: ${what} answered ${res.status}: ${text.slice(0, 300)}`);
  return text.length;
}

/**
 * API throughput and latency under steady load (autocannon on loopback, 16 connections): liqmap's
 * API and PostGraphile v4 — each in a process of its own, over the same database schema and
 * rows — alternately three times per case, with the ratio of each round as min/median/max.
 * Every request of the uncached cases is different (a new cache key); the cached heatmap is its
 * own row, labelled as cache hits (PostGraphile has no response cache: it runs the query).
 */
export async function run(): Promise<BenchFigure[]> {
  const seconds = Number(process.env.BENCH_API_SECONDS ?? 5);
  const connections = Number(process.env.BENCH_API_CONNECTIONS ?? 16);
  const schema = `bench_api_${process.pid}`;
  const admin = postgres(PG, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop schema if exists ${schema} cascade`);
  const url = `${PG}${PG.includes('?') ? '&' : '?'}schema=${schema}`;
  const store = createPostgresStore({ url, max: 4 });
  const servers: ChildServer[] = [];
  const figures: BenchFigure[] = [];
  try {
    const pgDir = ensurePostGraphile(ROOT);
    await migrateToLatest(store);
    await ingestDemo(store, { days: 2 });
    await computeMarket(store, { market: MARKET });
    await admin.unsafe(postgraphileFunctions(schema));
    // Fresh statistics, as a deployment has them (otherwise plans depend on autovacuum timing).
    await admin.unsafe(`analyze ${schema}.trades, ${schema}.heatmap_rows, ${schema}.clusters`);
    const hash = modelParamsHash(parseModelParams({}));
    // The window's price range as liqmap's heatmap chooses it (±15% around the rows' prices),
    // handed to the baseline so it slices the same cells.
    const [ext] = await admin.unsafe<{ lo: number; hi: number }[]>(
      `select min(price) * 0.85 as lo, max(price) * 1.15 as hi from ${schema}.heatmap_rows where market_id = $1 and params_hash = $2 and t between $3 and $4`,
      [MARKET, hash, iso(DAY0 + 6 * 3_600_000), iso(DAY0 + 30 * 3_600_000)],
    );
    // BENCH_API_NODE_ARGS: extra node options for liqmap's API process (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
    const nodeArgs = (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const ours = await startChildServer('liqmap API', [...nodeArgs, '--import', 'tsx', path.join(ROOT, 'bench/servers/liqmap-api.ts'), url]);
    servers.push(ours);
    const theirs = await startChildServer(`PostGraphile ${POSTGRAPHILE_VERSION}`, [path.join(ROOT, 'bench/baselines/postgraphile-server.mjs'), pgDir, PG, schema]);
    servers.push(theirs);

    const window = `from: "${iso(DAY0 + 6 * 3_600_000)}", to: "${iso(DAY0 + 30 * 3_600_000)}"`;
    const ourHeatmap = (extra: string) => `{ heatmap(market: "${MARKET}", ${window}, resolutionSeconds: 120${extra}) { times prices priceLine values maxValue } }`;
    const theirHeatmap = (hi: number) =>
      `{ heatmapWindow(pMarket: "${MARKET}", pParamsHash: "${hash}", pFrom: "${iso(DAY0 + 6 * 3_600_000)}", pTo: "${iso(DAY0 + 30 * 3_600_000)}", pStepMs: 120000, pPriceLo: ${Number(ext!.lo)}, pPriceHi: ${hi}) { nodes { t price priceStep aLo a bLo b } } }`;
    // Times cycle through 600 (1,000) buckets; the millisecond offset keeps every request's text,
    // so its cache key, new after the cycle wraps (the same bucket's answer, never a cache hit).
    const clusterAt = (n: number) => iso(DAY0 + 12 * 3_600_000 + (n % 600) * 60_000 + (Math.floor(n / 600) % 60_000));
    const tradeFrom = (n: number) => iso(DAY0 + (n % 1000) * 60_000 + (Math.floor(n / 1000) % 60_000));
    const cases: { name: string; ours: (n: number) => string; theirs: (n: number) => string }[] = [
      {
        name: 'heatmap, cache hits (24 h × 720 columns; liqmap answers from its response cache, PostGraphile runs the query)',
        ours: () => ourHeatmap(''),
        theirs: () => theirHeatmap(Number(ext!.hi)),
      },
      {
        name: 'heatmap, uncached (24 h × 720 columns, a new price ceiling per request)',
        ours: (n) => ourHeatmap(`, priceHigh: ${Number(ext!.hi) + n * 0.01}`),
        theirs: (n) => theirHeatmap(Number(ext!.hi) + n * 0.01),
      },
      {
        name: 'paged trades, uncached (100 per page, a new start per request)',
        ours: (n) => `{ trades(market: "${MARKET}", first: 100, where: { time: { _gte: "${tradeFrom(n)}" } }) { edges { cursor node { time tradeId price qty side } } pageInfo { hasNextPage endCursor } } }`,
        theirs: (n) => `{ allTrades(filter: { marketId: { equalTo: "${MARKET}" }, ts: { greaterThanOrEqualTo: "${tradeFrom(n)}" } }, orderBy: [TS_ASC, TRADE_ID_ASC], first: 100) { edges { cursor node { ts tradeId price qty side } } pageInfo { hasNextPage endCursor } } }`,
      },
      {
        name: 'clusters, uncached (a new time per request)',
        ours: (n) => `{ clusters(market: "${MARKET}", at: "${clusterAt(n)}") { at price clusters { side priceLow priceHigh peakPrice notional shareOfSide distanceFraction leverageComposition { leverage notional } } } }`,
        theirs: (n) => `{ clustersAt(pMarket: "${MARKET}", pParamsHash: "${hash}", pAt: "${clusterAt(n)}") { nodes { t rank side priceLow priceHigh peakPrice notional shareOfSide distance composition } } }`,
      },
      {
        name: 'liquidation map, uncached (±10% of the price, a new time per request)',
        ours: (n) => `{ liquidationMap(market: "${MARKET}", at: "${clusterAt(n)}") { at price priceBucket prices long short cumulativeLong cumulativeShort } }`,
        theirs: (n) => `{ liquidationLevelsAt(pMarket: "${MARKET}", pParamsHash: "${hash}", pAt: "${clusterAt(n)}", pRange: 0.1) { t price priceStep aLo a bLo b } }`,
      },
    ];
    // BENCH_API_CASES: only the cases whose name contains one of these comma-separated words.
    const only = (process.env.BENCH_API_CASES ?? '').split(',').map((w) => w.trim()).filter(Boolean);
    for (const c of cases.filter((x) => only.length === 0 || only.some((w) => x.name.includes(w)))) {
      const ourBytes = await checkAnswers(ours.url, c.ours(1), `liqmap ${c.name}`);
      const theirBytes = await checkAnswers(theirs.url, c.theirs(1), `PostGraphile ${c.name}`);
      // Warm both (JIT, pools, and the cached case's cache entry) with one request per
      // connection, then about a second's worth at that rate: the second warm-up's rate sizes
      // each side's runs to last about `seconds` (at least two requests per connection), so a
      // slow side is measured over whole answers too. Sized from the first, cold, rate alone, a
      // fast case's runs lasted well under a second (600-700 requests of 16 in flight), and
      // its figures were those of a moment's load on the machine.
      const warm = async (target: string, q: (n: number) => string) => {
        const cold = await loadRun(target, connections, connections, q);
        return loadRun(target, connections, Math.min(20_000, Math.round(perSecond(cold))), q);
      };
      const warmOurs = await warm(ours.url, c.ours);
      const warmTheirs = await warm(theirs.url, c.theirs);
      const amount = (warm: AutocannonResult) => Math.min(50_000, Math.max(2 * connections, Math.round(perSecond(warm) * seconds)));
      const load = (target: string, n: number, q: (n: number) => string) => () => loadRun(target, connections, n, q);
      const r = await alternate({ ours: load(ours.url, amount(warmOurs), c.ours), theirs: load(theirs.url, amount(warmTheirs), c.theirs) }, perSecond);
      const rate = (xs: readonly AutocannonResult[]) => spread(xs.map(perSecond));
      const p99 = (xs: readonly AutocannonResult[]) => spread(xs.map((x) => x.latency.p99)).median;
      const p50 = (xs: readonly AutocannonResult[]) => spread(xs.map((x) => x.latency.p50)).median;
      const errors = (xs: readonly AutocannonResult[]) => xs.reduce((a, x) => a + x.errors + x.timeouts + x.non2xx, 0);
      const total = (xs: readonly AutocannonResult[]) => xs[0]!.requests.total;
      const digits = (x: { median: number }) => (x.median < 10 ? 2 : 0);
      const rounded = (v: number) => (v >= 100 ? Math.round(v) : Number(v.toPrecision(3)));
      figures.push({
        name: `API ${c.name}: requests/s`,
        value: rounded(rate(r.ours).median),
        unit: 'req/s',
        baseline: rounded(rate(r.theirs).median),
        ratio: r.ratios.median,
        ratios: r.ratios,
        baselineName: `PostGraphile ${POSTGRAPHILE_VERSION}, same schema and rows`,
        note: `p50/p99 ${p50(r.ours)}/${p99(r.ours)} ms vs ${p50(r.theirs)}/${p99(r.theirs)} ms (medians); req/s min/median/max ${spreadText(rate(r.ours), digits(rate(r.ours)))} vs ${spreadText(rate(r.theirs), digits(rate(r.theirs)))}; response ${ourBytes} vs ${theirBytes} bytes; ${connections} connections, ${total(r.ours)} vs ${total(r.theirs)} requests per run (~${seconds} s); errors ${errors(r.ours)}/${errors(r.theirs)}`,
      });
    }
  } finally {
    for (const s of servers) await s.stop();
    await store.close();
    await admin.unsafe(`drop schema if exists ${schema} cascade`);
    await admin.end();
  }
  return figures;
}
