import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { parseConfig, silentLogger } from '../base/index.js';
import { createPostgresStore, migrateToLatest, type BatchResult, type Store } from '../db/index.js';
import { ingestPaths } from '../indexer/index.js';
import { exponentialBackoff, parseLiveMarkets, startLiveIndexer } from '../indexer/live/index.js';
import { computeMarket } from '../jobs/index.js';
import { binanceBehaviour, binanceReplayFromCapture, type BinanceReplay } from '../test/_fixtures/live/binance.js';
import { startReplayServer } from '../test/_fixtures/live/replay-server.js';
import { binanceSyntheticReplay } from '../test/_fixtures/live/binance-synthetic.js';
import { runSlowDatabaseReplay } from '../test/_fixtures/live/memory-run.js';
import { testQueuePrefix, TEST_REDIS_URL } from '../test/_setup/redis.js';
import { createTestStore } from '../test/_setup/store.js';
import { ROUNDS, spread, spreadText } from './alternate.js';
import type { BenchFigure } from './types.js';

const PG = process.env.LIQMAP_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const CAPTURE = path.resolve(process.cwd(), '../shared/data/binance-usdm-btcusdt-ws-2024-08-08.jsonl.gz');
const MARKET = 'binance:BTCUSDT';

async function freshStore(tag: string): Promise<{ store: Store; drop: () => Promise<void> }> {
  const schema = `bench_live_${tag}_${process.pid}`;
  const admin = postgres(PG, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop schema if exists ${schema} cascade`);
  const store = createPostgresStore({ url: `${PG}?schema=${schema}`, max: 4 });
  await migrateToLatest(store);
  return {
    store,
    async drop() {
      await store.close();
      await admin.unsafe(`drop schema if exists ${schema} cascade`).catch(() => {});
      await admin.end();
    },
  };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

/**
 * One replay of the capture through the live path (local websocket + REST server → feed →
 * exactly-once batches → compute): wall time until every trade is committed, and per batch the
 * lag of its oldest event from the moment the replay sent it (exchange time scaled by the
 * speed) to the row committed and to its bucket computed (an upper bound per event).
 */
async function replayOnce(replay: BinanceReplay, speed: number | null) {
  const { store, drop } = await freshStore(speed === null ? 'max' : `x${speed}`);
  const server = await startReplayServer({ frames: replay.frames, venue: binanceBehaviour(replay), speed, burst: 500 });
  const t0 = replay.frames[0]!.tsMs;
  let started = 0;
  const sentAt = (us: number) => started + (us / 1000 - t0) / (speed ?? Infinity);
  const commitLag: number[] = [];
  const computeLag: number[] = [];
  // The jobs side: one compute at a time, covering every batch committed before it started.
  let pending: number[] = [];
  let computing: Promise<void> | null = null;
  const compute = () => {
    computing ??= (async () => {
      while (pending.length > 0) {
        const batch = pending;
        pending = [];
        await computeMarket(store, { market: MARKET, once: true });
        const now = performance.now();
        for (const us of batch) computeLag.push(now - sentAt(us));
      }
      computing = null;
    })();
  };
  const onBatch = (r: BatchResult) => {
    const now = performance.now();
    for (const t of r.touched) {
      commitLag.push(now - sentAt(t.fromUs));
      pending.push(t.fromUs);
    }
    if (speed !== null) compute();
  };
  const config = parseConfig({ LIQMAP_BINANCE_WS_URL: server.wsUrl, LIQMAP_BINANCE_REST_URL: server.restUrl });
  started = performance.now();
  const live = await startLiveIndexer({ store, config, logger: silentLogger, markets: parseLiveMarkets([MARKET]), onBatch, pollIntervalMs: 0, flushMs: 100, backoff: exponentialBackoff({ baseMs: 20, maxMs: 200 }) });
  try {
    await server.finished();
    for (;;) {
      const r = await store.db.selectFrom('trades').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      if (Number(r.n) >= replay.aggTrades.length && live.status()[0]!.buffered === 0) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const wall = (performance.now() - started) / 1000;
    await live.stop();
    while (computing) await computing;
    return { wall, commitLag, computeLag };
  } finally {
    await live.stop();
    await server.close();
    await drop();
  }
}

/** The same frames as a file through `liqmap ingest` (the file path's own throughput). */
async function fileOnce(file: string) {
  const { store, drop } = await freshStore('file');
  try {
    const t = performance.now();
    await ingestPaths(store, [file], { batchSize: 5000 });
    return (performance.now() - t) / 1000;
  } finally {
    await drop();
  }
}

/**
 * A real `liqmap ingest live` process replaying `trades` generated aggregate trades into a
 * database slowed to one 5,000-row batch per 150 ms: its RSS growth over the warmed-up process, KiB.
 */
async function slowDatabaseGrowthKb(trades: number, maxBuffer: number): Promise<number> {
  const t = await createTestStore();
  const q = testQueuePrefix();
  try {
    const r = await runSlowDatabaseReplay({ replay: binanceSyntheticReplay(trades), url: t.url, schema: t.schema, adminUrl: PG, redisUrl: TEST_REDIS_URL, queuePrefix: q.prefix, maxBuffer, batchRows: 5000, sleepMs: 150, lostOnClientClose: 5000, timeoutMs: 120_000 });
    if (!r.exact || r.exitCode !== 0) throw new Error(`slow-database replay (--max-buffer ${maxBuffer}) stored ${r.stored} of ${trades} trades${r.exact ? '' : ', not exactly the replayed ones'}, exit ${r.exitCode}`);
    return r.peakKb - r.baselineKb;
  } finally {
    await t.drop();
    await q.cleanup();
  }
}

export async function run(): Promise<BenchFigure[]> {
  if (!existsSync(CAPTURE)) {
    process.stderr.write(`live bench skipped: ${CAPTURE} is absent\n`);
    return [];
  }
  const replay = binanceReplayFromCapture(CAPTURE);
  const frames = replay.frames.length;
  const recordedSecs = (replay.frames.at(-1)!.tsMs - replay.frames[0]!.tsMs) / 1000;
  const dir = mkdtempSync(path.join(tmpdir(), 'liqmap-bench-live-'));
  const file = path.join(dir, 'btcusdt-frames.jsonl');
  // Unpaced, alternately with the file path, ROUNDS times each; the file is removed after (it was left in the temporary directory).
  const liveRates: number[] = [];
  const fileRates: number[] = [];
  try {
    writeFileSync(file, `${replay.frames.map((f) => f.text).join('\n')}\n`);
    for (let i = 0; i < ROUNDS; i++) {
      liveRates.push(frames / (await replayOnce(replay, null)).wall);
      fileRates.push(frames / (await fileOnce(file)));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const med = (xs: number[]) => spread(xs).median;
  const ratios = spread(liveRates.map((r, i) => r / fileRates[i]!));
  const figures: BenchFigure[] = [
    {
      name: `live path, unpaced: the capture (${frames.toLocaleString('en')} frames, ${replay.aggTrades.length.toLocaleString('en')} aggregate trades) until every trade is committed (frames/s)`,
      value: Math.round(med(liveRates)),
      unit: 'frames/s',
      baseline: Math.round(med(fileRates)),
      baselineName: 'the same frames as a file through liqmap ingest',
      ratio: ratios.median,
      ratios,
      note: `frames/s min/median/max ${spreadText(spread(liveRates), 0)} vs ${spreadText(spread(fileRates), 0)}; = ${(med(liveRates) / (frames / recordedSecs)).toFixed(0)}× the recorded pace (${(frames / recordedSecs).toFixed(0)} frames/s), where lag starts to grow`,
    },
  ];
  // Each pace replayed ROUNDS times (the paces alternating), each run's p99 against the target.
  const paced = new Map<number, Awaited<ReturnType<typeof replayOnce>>[]>([[100, []], [10, []]]);
  for (let i = 0; i < ROUNDS; i++) for (const [speed, runs] of paced) runs.push(await replayOnce(replay, speed));
  for (const [speed, runs] of paced) {
    for (const [what, lags, target] of [
      ['row committed', (r: (typeof runs)[number]) => r.commitLag, 1000],
      ['its heatmap bucket computed', (r: (typeof runs)[number]) => r.computeLag, 2000],
    ] as const) {
      const p99 = spread(runs.map((r) => pct(lags(r), 99)));
      const p50 = spread(runs.map((r) => pct(lags(r), 50)));
      figures.push({
        name: `live path at ${speed}× the recorded pace: lag from sent to ${what}, p99 (ms; lower is better)`,
        value: Math.round(p99.median),
        unit: 'ms',
        baseline: target,
        baselineName: `the target (${target / 1000} s)`,
        ratio: p99.median / target,
        ratios: spread(runs.map((r) => pct(lags(r), 99) / target)),
        note: `p99 min/median/max ${spreadText(p99, 0)} ms, p50 median ${Math.round(p50.median)} ms over ${ROUNDS} runs of ${spreadText(spread(runs.map((r) => lags(r).length)), 0)} batches (each batch's oldest event)`,
      });
    }
  }
  // Memory under a slow database: the bound (20,000 events) against the same stream with the
  // bound out of reach, alternated ROUNDS times.
  const MEM_TRADES = 500_000;
  const bounded: number[] = [];
  const unbounded: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    bounded.push(await slowDatabaseGrowthKb(MEM_TRADES, 20_000));
    unbounded.push(await slowDatabaseGrowthKb(MEM_TRADES, 10_000_000));
  }
  const mib = (kb: number) => Math.round(kb / 1024);
  figures.push({
    name: `live path into a slow database (one 5,000-row batch per 150 ms), ${MEM_TRADES.toLocaleString('en')} trades unpaced: peak RSS growth of the liqmap ingest live process with --max-buffer 20000 (MiB; lower is better)`,
    value: mib(spread(bounded).median),
    unit: 'MiB',
    baseline: mib(spread(unbounded).median),
    baselineName: 'the same with the bound out of reach (--max-buffer 10000000)',
    ratio: spread(bounded).median / spread(unbounded).median,
    ratios: spread(bounded.map((b, i) => b / unbounded[i]!)),
    note: `MiB over the warmed-up process min/median/max ${spreadText(spread(bounded.map(mib)), 0)} vs ${spreadText(spread(unbounded.map(mib)), 0)}`,
  });
  return figures;
}
