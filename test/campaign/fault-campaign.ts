/**
 * The fault campaign (issue 16): real `liqmap ingest`, `liqmap work` and `liqmap serve`
 * processes on a throwaway Postgres and Redis of the campaign's own, while it injects, at
 * seeded random points:
 *
 * - kill -9 of an ingest (then the same command again: it resumes from its checkpoint),
 *   of the worker and of the API (each restarted);
 * - a Postgres restart (immediate: every connection dies) and a Redis restart (empty) in the
 *   middle of an ingest;
 * - concurrent ingests of the same file;
 *
 * and keeps a bounded load of uncached GraphQL queries (a fixed number in flight, each a new
 * document, so the response cache never answers) on the API all along. It prints the inputs
 * tried, the faults injected, the rows lost or duplicated (both must be 0: every file's rows
 * are stored exactly once), the peak RSS of each kind of process and the p50/p99 latency of
 * the queries under load.
 *
 * `npm run campaign:faults [-- --files N --rows R --seed S]` runs the full form (default 24
 * files of 60,000 rows); test/campaign/fault-campaign.test.ts runs a reduced one in CI.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { createPostgresStore, migrateToLatest, type Store } from '../../db/index.js';
import { spawnCli } from '../_setup/cli.js';
import { throwawayPostgres, type ThrowawayPostgres } from '../_setup/throwaway-postgres.js';
import { freePort, throwawayRedis, type ThrowawayRedis } from '../_setup/throwaway.js';
import { quantile, rng, rssSampler } from './campaign-kit.js';

/** The faults the campaign injects, one per file, in a seeded order. */
export const FAULTS = ['kill-ingest', 'kill-worker', 'kill-api', 'restart-postgres', 'restart-redis', 'concurrent-ingest'] as const;
export type Fault = (typeof FAULTS)[number];

/** Options of {@link runFaultCampaign}. */
export interface FaultCampaignOptions {
  /** Files ingested, one fault each (default 24; at least one of each fault from 6 on). */
  readonly files?: number;
  /** Rows per file (default 60,000). */
  readonly rows?: number;
  readonly seed?: number;
  /** Uncached queries kept in flight on the API (default 4). */
  readonly concurrency?: number;
  /** Progress lines (default: none). */
  readonly log?: (line: string) => void;
}

/** What the campaign found. */
export interface FaultCampaignResult {
  readonly inputsTried: number;
  readonly rowsExpected: number;
  readonly faults: Readonly<Record<Fault, number>>;
  readonly rowsLost: number;
  readonly rowsDuplicated: number;
  /** Files whose ingest never finished (an ingest that kept failing): must be 0. */
  readonly filesUnfinished: number;
  readonly peakRssMb: Readonly<Record<string, number>>;
  readonly queries: { readonly ok: number; readonly failed: number; readonly p50Ms: number | null; readonly p99Ms: number | null };
  readonly problems: readonly string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A Binance aggTrades day file of `n` rows for `symbol` (one trade every 250 ms). */
function aggTrades(n: number, day: number): string {
  const t0 = Date.UTC(2024, 0, 1) + day * 86_400_000;
  const lines = ['agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker'];
  for (let i = 0; i < n; i++) lines.push(`${1000 + i},${(42000 + (i % 1000) / 10).toFixed(1)},0.001,1,1,${t0 + i * 250},${i % 2 === 0}`);
  return lines.join('\n') + '\n';
}

/** A long-running `liqmap` child that the campaign kills and restarts. */
class Service {
  proc: ChildProcess | null = null;
  stderr = '';
  constructor(
    readonly args: string[],
    readonly env: Record<string, string>,
  ) {}
  start(): ChildProcess {
    const p = spawnCli(this.args, this.env);
    p.stderr!.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-20_000)));
    p.stdout!.resume();
    this.proc = p;
    return p;
  }
  async kill(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = once(p, 'exit');
    p.kill('SIGKILL');
    await exited;
  }
}

/** Runs `liqmap ingest <file>` and resolves with its exit code (or the signal it died of). */
function ingest(file: string, env: Record<string, string>, onSpawn?: (p: ChildProcess) => void): { proc: ChildProcess; done: Promise<{ code: number | null; stderr: string }> } {
  const proc = spawnCli(['ingest', file, '--batch-size', '2000'], env);
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  proc.stdout!.resume();
  onSpawn?.(proc);
  return { proc, done: once(proc, 'exit').then(([code]) => ({ code: code as number | null, stderr })) };
}

/** 0: all rows in; 3: rows in, computing pending (Redis was down). Anything else failed. */
const committed = (code: number | null) => code === 0 || code === 3;

/** Runs the campaign; see the file comment. Starts and removes its own Postgres and Redis. */
export async function runFaultCampaign(opts: FaultCampaignOptions = {}): Promise<FaultCampaignResult> {
  const files = opts.files ?? 24;
  const rows = opts.rows ?? 60_000;
  const rand = rng(opts.seed ?? 16);
  const log = opts.log ?? (() => {});
  const dir = mkdtempSync(path.join(tmpdir(), 'liqmap-faults-'));
  let pg: ThrowawayPostgres | null = null;
  let redis: ThrowawayRedis | null = null;
  let store: Store | null = null;
  const problems: string[] = [];
  const faults = Object.fromEntries(FAULTS.map((f) => [f, 0])) as Record<Fault, number>;
  const ingests = new Set<ChildProcess>();
  const latencies: number[] = [];
  let failedQueries = 0;
  let loading = true;
  const [pgReady, redisReady, port] = await Promise.all([throwawayPostgres(), throwawayRedis(), freePort()]);
  pg = pgReady;
  redis = redisReady;
  const env = { DATABASE_URL: pg.url, REDIS_URL: redis.url, LIQMAP_QUEUE_PREFIX: 'faults', LOG_LEVEL: 'warn', PORT: String(port), HOST: '127.0.0.1' };
  const worker = new Service(['work', '--metrics-port', '0', '--concurrency', '1'], env);
  const api = new Service(['serve'], env);
  const sampler = rssSampler(() => [['worker', worker.proc?.pid], ['api', api.proc?.pid], ...[...ingests].map((p): [string, number | undefined] => ['ingest', p.pid])]);
  try {
    store = createPostgresStore({ url: pg.url, max: 2 });
    await migrateToLatest(store);
    worker.start();
    api.start();
    const url = `http://127.0.0.1:${port}`;
    // The load starts once the API answers (its start-up is not a fault).
    for (let i = 0; i < 600 && !(await fetch(`${url}/healthz`).then((r) => r.ok, () => false)); i++) await sleep(100);
    // Bounded load: `concurrency` loops, each one uncached query at a time.
    let seq = 0;
    const loadLoop = async () => {
      while (loading) {
        const t0 = performance.now();
        const n = ++seq;
        try {
          const r = await fetch(`${url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: `{ q${n}: markets { id tradeCount } }` }),
            signal: AbortSignal.timeout(10_000),
          });
          const body = (await r.json()) as { errors?: unknown[] };
          if (r.status !== 200 || body.errors) throw new Error(`status ${r.status}`);
          latencies.push(performance.now() - t0);
        } catch {
          // The API is being killed or restarted, or Postgres is: counted, not timed.
          failedQueries++;
          await sleep(100);
        }
      }
    };
    const load = Promise.all(Array.from({ length: opts.concurrency ?? 4 }, loadLoop));

    const order: Fault[] = Array.from({ length: files }, (_, i) => FAULTS[i % FAULTS.length]!).sort(() => rand() - 0.5);
    let expected = 0;
    let unfinished = 0;
    const markets: string[] = [];
    for (let i = 0; i < files; i++) {
      const fault = order[i]!;
      const symbol = `F${String(i).padStart(3, '0')}USDT`;
      const file = path.join(dir, `${symbol}-aggTrades-2024-01-${String((i % 28) + 1).padStart(2, '0')}.csv`);
      writeFileSync(file, aggTrades(rows, i % 28));
      markets.push(`binance:${symbol}`);
      expected += rows;
      const delay = 200 + Math.floor(rand() * 2500);
      const track = (p: ChildProcess) => {
        ingests.add(p);
        p.once('exit', () => ingests.delete(p));
      };
      log(`file ${i + 1}/${files} ${path.basename(file)}: ${fault} after ~${delay} ms`);
      let finished = false;
      if (fault === 'concurrent-ingest') {
        const runs = Array.from({ length: 3 }, () => ingest(file, env, track));
        const codes = await Promise.all(runs.map((r) => r.done));
        finished = codes.some((c) => committed(c.code));
        // A run that lost the race for the file says so and exits non-zero; a rerun finishes.
      } else {
        const run = ingest(file, env, track);
        const hit = sleep(delay).then(async () => {
          if (run.proc.exitCode !== null) return false;
          if (fault === 'kill-ingest') run.proc.kill('SIGKILL');
          else if (fault === 'restart-postgres') pg!.restart();
          else if (fault === 'restart-redis') {
            await redis!.kill();
            await redis!.start();
          } else if (fault === 'kill-worker') {
            await worker.kill();
            worker.start();
          } else {
            await api.kill();
            api.start();
          }
          return true;
        });
        const [r, injected] = await Promise.all([run.done, hit]);
        if (!injected) log(`  ${fault}: the ingest had finished before the fault; injected after it`);
        finished = committed(r.code);
        // A restart that lands before the ingest's first connection is Postgres down at start,
        // which the CLI answers by design with its one-line SERVICE_UNAVAILABLE naming what to
        // start (db/connect.ts; tested on its own): the rerun below completes the file. A clean-
        // clone run at 33e66fc hit that window (the CLI's start is shorter since 694ef84).
        const downAtStart = fault === 'restart-postgres' && /SERVICE_UNAVAILABLE: Postgres at .* is unavailable .*start Postgres/.test(r.stderr);
        if (!finished && fault !== 'kill-ingest' && !downAtStart) problems.push(`${path.basename(file)} (${fault}): ingest exited ${r.code}: ${r.stderr.trim().split('\n').at(-1) ?? ''}`);
      }
      faults[fault]++;
      // Whatever happened, the same command again completes the file (resuming, or nothing to do).
      for (let attempt = 0; !finished && attempt < 3; attempt++) finished = committed((await ingest(file, env, track).done).code);
      if (!finished) unfinished++;
    }
    loading = false;
    await load;
    // Every file's rows exactly once.
    const counts = await sql<{ market_id: string; n: string; d: string }>`
      select market_id, count(*) as n, count(distinct trade_id) as d from trades where market_id = any(${markets}) group by market_id`.execute(store.db);
    let stored = 0;
    let distinct = 0;
    for (const c of counts.rows) {
      stored += Number(c.n);
      distinct += Number(c.d);
    }
    const result: FaultCampaignResult = {
      inputsTried: files,
      rowsExpected: expected,
      faults,
      rowsLost: expected - distinct,
      rowsDuplicated: stored - distinct,
      filesUnfinished: unfinished,
      peakRssMb: sampler.peaksMb(),
      queries: { ok: latencies.length, failed: failedQueries, p50Ms: round(quantile(latencies, 0.5)), p99Ms: round(quantile(latencies, 0.99)) },
      problems,
    };
    return result;
  } finally {
    loading = false;
    sampler.stop();
    for (const p of ingests) p.kill('SIGKILL');
    await worker.kill();
    await api.kill();
    await store?.close();
    pg?.destroy();
    await redis?.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);

/** The campaign's figures as printed lines. */
export function formatFaultCampaign(r: FaultCampaignResult): string {
  const faults = Object.entries(r.faults)
    .map(([f, n]) => `${f} ${n}`)
    .join(', ');
  const rss = Object.entries(r.peakRssMb)
    .map(([k, v]) => `${k} ${v} MB`)
    .join(', ');
  return [
    `fault campaign: inputs tried ${r.inputsTried} files (${r.rowsExpected} rows)`,
    `  faults injected: ${faults}`,
    `  rows lost ${r.rowsLost}, rows duplicated ${r.rowsDuplicated}, files unfinished ${r.filesUnfinished}`,
    `  peak RSS: ${rss}`,
    `  uncached queries under load: ${r.queries.ok} answered (p50 ${r.queries.p50Ms} ms, p99 ${r.queries.p99Ms} ms), ${r.queries.failed} failed while a service was down`,
    ...r.problems.map((p) => `  problem: ${p}`),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const r = await runFaultCampaign({ files: arg('files'), rows: arg('rows'), seed: arg('seed'), concurrency: arg('concurrency'), log: (l) => process.stderr.write(`${l}\n`) });
  process.stdout.write(`${formatFaultCampaign(r)}\n`);
  process.exit(r.rowsLost === 0 && r.rowsDuplicated === 0 && r.filesUnfinished === 0 ? 0 : 1);
}
