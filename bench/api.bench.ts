import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import postgres from 'postgres';
import { parseConfig, silentLogger } from '../base/index.js';
import { createPostgresStore, migrateToLatest, timestampText } from '../db/index.js';
import { modelParamsHash, parseModelParams } from '../engine/index.js';
import { ingestDemo } from '../indexer/index.js';
import { computeMarket } from '../jobs/index.js';
import { startServer } from '../api/index.js';
import type { BenchFigure } from './types.js';

/** The slice of autocannon's API this bench uses (the package ships no types). */
interface AutocannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
type Autocannon = (opts: {
  url: string;
  connections: number;
  duration: number;
  requests: { method: string; path: string; headers?: Record<string, string>; setupRequest?: (req: Record<string, unknown>) => Record<string, unknown> }[];
}) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const PG = process.env.LIQMAP_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MARKET = 'demo:BTCUSDT';
const DAY0 = Date.UTC(2024, 0, 1);

/**
 * The baseline: what an analyst would otherwise stand up in front of these tables (PostGraphile
 * v5 needs Node 22, so: a minimal node:http + postgres.js handler), running the same SQL as
 * liqmap's read models and returning the rows as JSON, without GraphQL, binning or caching.
 */
function baselineServer(sql: postgres.Sql, hash: string): Server {
  return createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const n = Number(u.searchParams.get('n') ?? 0);
    const run = async (): Promise<unknown> => {
      if (u.pathname === '/heatmap') {
        const from = timestampText((DAY0 + 6 * 3_600_000) * 1000);
        const to = timestampText((DAY0 + 30 * 3_600_000) * 1000);
        return sql`
          with pick as (
            select distinct on (floor(extract(epoch from t) * 1000 / 120000)) t from heatmap_rows
            where market_id = ${MARKET} and params_hash = ${hash} and t >= ${from}::text::timestamptz and t <= ${to}::text::timestamptz
            order by floor(extract(epoch from t) * 1000 / 120000), t desc)
          select (extract(epoch from h.t) * 1000)::float8 as t, h.price, h.price_step,
            greatest(h.long_lo, 0) as a_lo, h.long as a, greatest(h.short_lo, 0) as b_lo, h.short as b
          from heatmap_rows h join pick p on p.t = h.t where h.market_id = ${MARKET} and h.params_hash = ${hash} order by h.t`;
      }
      if (u.pathname === '/trades') {
        const from = timestampText((DAY0 + (n % 1000) * 60_000) * 1000);
        return sql`select (extract(epoch from ts) * 1000000)::bigint::text as ts_us, trade_id, price, qty, side from trades
          where market_id = ${MARKET} and ts >= ${from}::text::timestamptz order by ts, trade_id limit 100`;
      }
      if (u.pathname === '/clusters') {
        const at = new Date(DAY0 + 12 * 3_600_000 + (n % 600) * 60_000);
        const last = await sql`select t from heatmap_rows where market_id = ${MARKET} and params_hash = ${hash} and t <= ${at} order by t desc limit 1`;
        return sql`select * from clusters where market_id = ${MARKET} and params_hash = ${hash} and t = ${last[0]!.t as Date} order by rank`;
      }
      return null;
    };
    run()
      .then((rows) => res.writeHead(rows === null ? 404 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(rows)))
      .catch((e: Error) => res.writeHead(500).end(e.message));
  });
}

let counter = 0;
const gqlRequest = (query: (n: number) => string) => ({
  method: 'POST',
  path: '/graphql',
  headers: { 'content-type': 'application/json', accept: 'application/json' },
  setupRequest: (req: Record<string, unknown>) => ({ ...req, body: JSON.stringify({ query: query(counter++) }) }),
});
const getRequest = (path: (n: number) => string) => ({ method: 'GET', path: path(0), setupRequest: (req: Record<string, unknown>) => ({ ...req, path: path(counter++) }) });

/**
 * API throughput and latency under steady load (autocannon on loopback): heatmap cached and
 * uncached, a paged trades query, and clusters, each next to the baseline handler running the
 * same SQL in the same run.
 */
export async function run(): Promise<BenchFigure[]> {
  const seconds = Number(process.env.BENCH_API_SECONDS ?? 5);
  const connections = Number(process.env.BENCH_API_CONNECTIONS ?? 16);
  const schema = `bench_api_${process.pid}`;
  const admin = postgres(PG, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop schema if exists ${schema} cascade`);
  const url = `${PG}${PG.includes('?') ? '&' : '?'}schema=${schema}`;
  const store = createPostgresStore({ url, max: 10 });
  const base = postgres(PG, { max: 10, onnotice: () => {}, connection: { search_path: schema } });
  const figures: BenchFigure[] = [];
  try {
    await migrateToLatest(store);
    await ingestDemo(store, { days: 2 });
    await computeMarket(store, { market: MARKET });
    // Fresh statistics, as a deployment has them (otherwise plans depend on autovacuum timing).
    await base.unsafe('analyze');
    const hash = modelParamsHash(parseModelParams({}));
    const api = await startServer({ store, config: parseConfig({ HOST: '127.0.0.1' }), logger: silentLogger }, { port: 0, host: '127.0.0.1' });
    const baseline = baselineServer(base, hash);
    await new Promise<void>((r) => baseline.listen(0, '127.0.0.1', r));
    const baseUrl = `http://127.0.0.1:${(baseline.address() as AddressInfo).port}`;
    const iso = (ms: number) => new Date(ms).toISOString();
    const heatmapQuery = (extra: string) => `{ heatmap(market: "${MARKET}", from: "${iso(DAY0 + 6 * 3_600_000)}", to: "${iso(DAY0 + 30 * 3_600_000)}", resolutionSeconds: 120${extra}) { times prices priceLine values maxValue } }`;
    const cases: { name: string; ours: ReturnType<typeof gqlRequest>; theirs: ReturnType<typeof getRequest> }[] = [
      { name: 'heatmap, cached (24 h × 720 columns)', ours: gqlRequest(() => heatmapQuery('')), theirs: getRequest(() => '/heatmap') },
      // A different price ceiling per request: a new cache key every time.
      { name: 'heatmap, uncached (24 h × 720 columns)', ours: gqlRequest((n) => heatmapQuery(`, priceHigh: ${50000 + n * 0.01}`)), theirs: getRequest(() => '/heatmap') },
      { name: 'paged trades (100 per page, varying start)', ours: gqlRequest((n) => `{ trades(market: "${MARKET}", first: 100, where: { time: { _gte: "${iso(DAY0 + (n % 1000) * 60_000)}" } }) { edges { cursor node { time tradeId price qty side } } pageInfo { hasNextPage endCursor } } }`), theirs: getRequest((n) => `/trades?n=${n}`) },
      { name: 'clusters (varying time)', ours: gqlRequest((n) => `{ clusters(market: "${MARKET}", at: "${iso(DAY0 + 12 * 3_600_000 + (n % 600) * 60_000)}") { at price clusters { side priceLow priceHigh peakPrice notional shareOfSide distanceFraction leverageComposition { leverage notional } } } }`), theirs: getRequest((n) => `/clusters?n=${n}`) },
    ];
    for (const c of cases) {
      // Warm both (JIT, pools, and the cached case's cache entry).
      await autocannon({ url: api.url.replace('localhost', '127.0.0.1'), connections: 2, duration: 1, requests: [c.ours] });
      await autocannon({ url: baseUrl, connections: 2, duration: 1, requests: [c.theirs] });
      const ours = await autocannon({ url: api.url.replace('localhost', '127.0.0.1'), connections, duration: seconds, requests: [c.ours] });
      const theirs = await autocannon({ url: baseUrl, connections, duration: seconds, requests: [c.theirs] });
      figures.push({
        name: `API ${c.name}: requests/s`,
        value: Math.round(ours.requests.average),
        unit: 'req/s',
        baseline: Math.round(theirs.requests.average),
        ratio: ours.requests.average / Math.max(1e-9, theirs.requests.average),
        baselineName: 'node:http + postgres.js, same SQL',
        note: `p50/p99 ${ours.latency.p50}/${ours.latency.p99} ms vs ${theirs.latency.p50}/${theirs.latency.p99} ms; ${connections} connections, ${seconds} s; errors ${ours.errors + ours.non2xx}/${theirs.errors + theirs.non2xx}`,
      });
    }
    await api.close();
    await new Promise<void>((r) => baseline.close(() => r()));
  } finally {
    await store.close();
    await base.end();
    await admin.unsafe(`drop schema if exists ${schema} cascade`);
    await admin.end();
  }
  return figures;
}
