import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { spawnCli } from '../../_setup/cli.js';
import { binanceBehaviour, type BinanceReplay } from './binance.js';
import { startReplayServer } from './replay-server.js';

/** What {@link runSlowDatabaseReplay} measured. */
export interface SlowDatabaseRun {
  /** The child's RSS once warmed up (the first frames committed, before the long stream), KiB. */
  readonly baselineKb: number;
  /** Its highest RSS while the stream and the backfills ran, KiB. */
  readonly peakKb: number;
  /** Websocket connections the feed opened (more than one: it disconnected past the bound). */
  readonly connections: number;
  /** Trades stored, and whether they equal the replayed ones exactly (md5 of every row). */
  readonly stored: number;
  readonly exact: boolean;
  readonly seconds: number;
  readonly exitCode: number | null;
  /** Times the feed logged that it reached the bound and disconnected. */
  readonly boundReached: number;
  /** What the child printed (stdout and stderr). */
  readonly output: string;
}

const WARM_FRAMES = 2000;

/** Every stored trade as `ts|id|price|qty|side` (as test/_fixtures/live/compare.ts prints it), md5 of them in key order. */
function expectedDigest(replay: BinanceReplay): string {
  const h = createHash('md5');
  replay.aggTrades.forEach((t, i) => h.update(`${i === 0 ? '' : '\n'}${t.T * 1000}|agg:${t.a}|${t.p}|${t.q}|${t.m ? 'sell' : 'buy'}`));
  return h.digest('hex');
}

function rssKb(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Replays `replay` (as fast as the client reads) through a real `liqmap ingest live` child
 * process whose database is slow: a statement trigger on the schema's `trades` sleeps
 * `sleepMs` in every insert, so each batch commits no faster than that. Samples the child's
 * VmRSS every 20 ms. The stream waits after its first frames until they are committed (the
 * baseline); past the buffer bound the feed disconnects, and the venue publishes
 * `lostOnClientClose` frames meanwhile that only REST backfill returns.
 */
export async function runSlowDatabaseReplay(options: {
  readonly replay: BinanceReplay;
  /** The schema's URL (`?schema=`), migrated. */
  readonly url: string;
  readonly schema: string;
  readonly adminUrl: string;
  readonly redisUrl: string;
  readonly queuePrefix: string;
  readonly maxBuffer: number;
  readonly batchRows: number;
  readonly sleepMs: number;
  readonly lostOnClientClose: number;
  readonly timeoutMs: number;
  /** Called about every second with the stored count and the RSS (a bench's progress line). */
  readonly progress?: (stored: number, rssKb: number | null, published: number, connections: number) => void;
}): Promise<SlowDatabaseRun> {
  const { replay, schema } = options;
  const market = `binance:${replay.symbol}`;
  const admin = postgres(options.adminUrl, { max: 1, onnotice: () => {} });
  const server = await startReplayServer({ frames: replay.frames, venue: binanceBehaviour(replay), burst: 500, lostOnClientClose: options.lostOnClientClose, holdAt: WARM_FRAMES });
  const started = Date.now();
  const stored = async () => Number((await admin.unsafe(`select count(*)::text as n from "${schema}".trades where market_id = $1`, [market]))[0]!.n);
  let child: ReturnType<typeof spawnCli> | null = null;
  let sampler: NodeJS.Timeout | null = null;
  try {
    await admin.unsafe(`create or replace function "${schema}".slow_insert() returns trigger language plpgsql as $$ begin perform pg_sleep(${options.sleepMs / 1000}); return null; end $$`);
    await admin.unsafe(`create trigger slow_insert before insert on "${schema}".trades for each statement execute function "${schema}".slow_insert()`);
    child = spawnCli(['ingest', 'live', '--market', market, '--metrics-port', '0', '--oi-interval', '0', '--flush-ms', '50', '--live-batch', String(options.batchRows), '--max-buffer', String(options.maxBuffer)], {
      DATABASE_URL: options.url,
      REDIS_URL: options.redisUrl,
      LIQMAP_QUEUE_PREFIX: options.queuePrefix,
      LIQMAP_BINANCE_WS_URL: server.wsUrl,
      LIQMAP_BINANCE_REST_URL: server.restUrl,
    });
    let output = '';
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    const pid = child.pid!;
    const deadline = started + options.timeoutMs;
    let lastProgress = 0;
    const waitUntil = async (what: string, check: () => Promise<boolean>) => {
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (stored ${await stored()} of ${replay.aggTrades.length}); stderr: ${output.slice(-2000)}`);
        if (child!.exitCode !== null) throw new Error(`liqmap ingest live exited with ${child!.exitCode}: ${output.slice(-2000)}`);
        await sleep(50);
        if (options.progress && Date.now() - lastProgress >= 1000) {
          lastProgress = Date.now();
          options.progress(await stored(), rssKb(pid), server.published(), server.connections());
        }
      }
    };
    await server.held();
    await waitUntil('the warm-up frames', async () => (await stored()) >= WARM_FRAMES);
    await sleep(300);
    const baselineKb = rssKb(pid) ?? 0;
    let peakKb = baselineKb;
    sampler = setInterval(() => {
      const kb = rssKb(pid);
      if (kb !== null && kb > peakKb) peakKb = kb;
    }, 20);
    server.release();
    await waitUntil('the whole stream published', async () => server.published() >= replay.frames.length);
    await waitUntil('every trade', async () => (await stored()) >= replay.aggTrades.length);
    clearInterval(sampler);
    sampler = null;
    child.kill('SIGTERM');
    const [exitCode] = (await once(child, 'exit')) as [number | null];
    const digest = (await admin.unsafe(`select count(*)::text as n, md5(string_agg(concat_ws('|', (extract(epoch from ts) * 1000000)::bigint, trade_id, price::text, qty::text, coalesce(side, '')), E'\\n' order by ts, trade_id)) as h from "${schema}".trades where market_id = $1`, [market]))[0]!;
    return { baselineKb, peakKb, connections: server.connections(), stored: Number(digest.n), exact: digest.h === expectedDigest(replay), seconds: (Date.now() - started) / 1000, exitCode, boundReached: output.split('buffer bound reached').length - 1, output };
  } finally {
    if (sampler) clearInterval(sampler);
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit').catch(() => {});
    }
    await server.close();
    await admin.end();
  }
}
