import { Command, Option } from 'commander';
import { z } from 'zod';
import { LiqmapError, isLiqmapError, printable } from '../../base/index.js';
import { MARKET_ID_RULE, isMarketId, type BatchResult } from '../../db/index.js';
import { createProgressReporter, DEFAULT_INPUT_LIMITS, FORMATS, ingestDemo, ingestPaths, ingestSubgraph, ingestSubsquid, type IngestSummary } from '../../indexer/index.js';
import { createRuntime, type Runtime } from '../runtime.js';

const marketId = z.string().refine(isMarketId, `must be ${MARKET_ID_RULE}`);

/** Parsed `liqmap ingest` flags. */
const ingestFlags = z.object({
  // Repeatable for `ingest live`; files take one.
  market: z.preprocess((v) => (Array.isArray(v) && v.length === 0 ? undefined : v), z.array(marketId).max(1, 'give one --market for files (several only with `ingest live`)').transform((a) => a[0]).optional()),
  format: z.string().optional(),
  batchSize: z.coerce.number().int().min(1).max(1_000_000).default(100_000),
  force: z.boolean().default(false),
  json: z.boolean().default(false),
  maxLineChars: z.coerce.number().int().min(1024).max(1 << 28).default(DEFAULT_INPUT_LIMITS.maxLineChars),
  maxExpansion: z.coerce.number().min(1).max(1_000_000).default(DEFAULT_INPUT_LIMITS.maxExpansion),
});

/** The hook a command gives the ingest so committed batches reach the jobs layer. */
export type BatchHook = (result: BatchResult) => Promise<void> | void;

/** Prints a summary and sets the exit code: non-zero only if nothing could be ingested. */
export function reportIngest(summary: IngestSummary, json: boolean, flagsMarket?: string): void {
  if (json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else {
    // File names and file bytes are escaped: nothing from a file reaches the terminal raw.
    for (const f of summary.failed) process.stderr.write(`liqmap: ${printable(f.error, 1000)}\n`);
    for (const m of summary.members) {
      const kinds = Object.entries(m.byKind).map(([k, n]) => `${k} ${n}`).join(', ');
      if (m.previousMarket !== undefined) {
        process.stderr.write(`liqmap: ${printable(m.sourceKey, 300)} was ingested before as ${m.previousMarket ?? 'the market its file name or rows name'}; read again as ${flagsMarket ?? 'the market its file name or rows name'} (the earlier rows stay)\n`);
      }
      process.stdout.write(
        `${m.status.padEnd(8)} ${printable(m.sourceKey, 300)} [${m.format}]: ${m.rows} rows, ${m.inserted} new${kinds ? ` (${kinds})` : ''}, ${m.quarantined} quarantined\n`,
      );
    }
    process.stdout.write(
      `total: ${summary.rows} rows read, ${summary.inserted} new, ${summary.quarantined} quarantined, ${summary.failed.length} file(s) failed\n`,
    );
  }
  const anyValid = summary.members.some((m) => m.rows > 0 || m.status === 'skipped');
  if (!anyValid) process.exitCode = 1;
}

/**
 * The batch hook of an ingest that must finish even when the queue is down: the first failure
 * to enqueue (Redis unreachable) is kept, and the markets of every later batch are only noted
 * as pending. The rows are committed either way; `report()` says what is pending.
 */
export function queueHook(runner: { onIngested(r: BatchResult): Promise<void> }): { onBatch: BatchHook; report(): void } {
  const pending = new Set<string>();
  let failure: unknown = null;
  return {
    async onBatch(r) {
      if (failure === null) {
        try {
          await runner.onIngested(r);
          return;
        } catch (e) {
          failure = e;
        }
      }
      for (const t of r.touched) pending.add(t.market);
    },
    report() {
      if (failure === null) return;
      const head = isLiqmapError(failure) ? `${failure.code}: ${failure.message}` : String((failure as Error).message ?? failure);
      const markets = [...pending];
      process.stderr.write(
        `liqmap: ${head}; the rows are committed, computing ${markets.length} market(s) is pending (${markets.slice(0, 5).join(', ')}${markets.length > 5 ? ', …' : ''}): the workers' refresh picks them up once the queue answers\n`,
      );
      // 3: ingested, but the computation was not enqueued.
      if (!process.exitCode) process.exitCode = 3;
    },
  };
}

/** The runner of an ingest without a queue (no REDIS_URL): committed batches need nothing more. */
const NOTHING_TO_ENQUEUE = {
  async onIngested(): Promise<void> {},
  async close(): Promise<void> {},
};

/** Runs a file ingest with the runtime's store, migrating first. */
export async function runFileIngest(rt: Runtime, paths: string[], flags: z.infer<typeof ingestFlags>, onBatch?: BatchHook): Promise<IngestSummary> {
  const store = await rt.store({ migrate: true });
  return ingestPaths(store, paths, {
    market: flags.market,
    format: flags.format,
    batchSize: flags.batchSize,
    force: flags.force,
    limits: { maxLineChars: flags.maxLineChars, maxExpansion: flags.maxExpansion },
    onBatch,
    progress: createProgressReporter(rt.logger),
  });
}

/** `liqmap ingest`: files (or `demo`) into the database. */
export function ingestCommand(): Command {
  const cmd = new Command('ingest')
    .description(
      'ingest exchange history files (plain, .gz or .zip; Binance public data, Tardis, websocket captures, multi-venue CSVs, generic CSV/JSONL) or the built-in `demo` market',
    )
    .argument('<paths...>', 'files or globs; `demo` for the simulated market; `subgraph <url>` for an on-chain perp DEX subgraph; `subsquid <url>` for GMX\'s official Subsquid API; `live` to follow --market feeds (binance, bybit, okx, hyperliquid)')
    .option('--market <id>', 'market for rows that do not name one, e.g. binance:BTCUSDT (default: from the file name); `live`: a market to follow (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--format <name>', `force a layout instead of detecting it: ${FORMATS.map((f) => f.name).join(', ')} (see indexer/sources/README.md)`)
    .addOption(new Option('--batch-size <n>', 'events per committed batch (the first three: 1/8, 1/4 and 1/2 of it)').default('100000'))
    .option('--force', 'read files again even if their checkpoint says done (still idempotent)')
    .option('--max-line-chars <n>', 'longest line read; a longer one is quarantined', String(DEFAULT_INPUT_LIMITS.maxLineChars))
    .option('--max-expansion <ratio>', 'largest decompressed/compressed size ratio of a .gz or .zip member (beyond 64 MiB) before reading stops', String(DEFAULT_INPUT_LIMITS.maxExpansion))
    .option('--days <n>', 'demo: days to simulate', '3')
    .option('--seed <n>', 'demo: random seed', '42')
    .option('--protocol <name>', 'subgraph: the protocol the subgraph indexes (gmx-v2)', 'gmx-v2')
    .option('--follow', 'subgraph/subsquid: keep polling at the head instead of stopping there')
    .option('--start-block <n>', 'subgraph/subsquid: first block when there is no checkpoint')
    .option('--json', 'print the summary as JSON')
    .option('--markets-file <path>', 'live: markets to follow, one or more per line (# comments)')
    .option('--metrics-port <n>', 'live: serve /healthz, /readyz and Prometheus /metrics on this port (0: off)', '9465')
    .option('--flush-ms <n>', 'live: commit a batch at least this often', '250')
    .option('--live-batch <n>', 'live: or as soon as this many events wait', '5000')
    .option('--max-buffer <n>', 'live: events held in memory per market before the feed disconnects and backfills later', '200000')
    .option('--oi-interval <s>', 'live: open-interest poll interval where the venue has no stream for it (0: off)', '15')
    .option('--max-connection-age <s>', "live: replace each websocket connection after this long (default: a little before the venue's forced close, Binance 24 h)")
    .action(async (paths: string[], raw: Record<string, unknown>) => {
      if (paths[0] === 'live') {
        await ingestLive(paths, raw);
        return;
      }
      const parsed = ingestFlags.safeParse(raw);
      if (!parsed.success) {
        throw new LiqmapError('INPUT_INVALID', parsed.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join('; '));
      }
      const flags = parsed.data;
      const rt = await createRuntime();
      // Without REDIS_URL there is nothing to enqueue to: the in-process runner of a plain
      // ingest computes nothing (the next `start` or `serve` computes on demand), so the jobs
      // layer (BullMQ, the compute processors: ~0.2 s of the start-up) is not even loaded.
      // With it, its modules load while the store connects.
      const jobs = rt.config.REDIS_URL ? import('../../jobs/index.js') : null;
      jobs?.catch(() => {}); // awaited below, after the store (whose failure comes first)
      const store = await rt.store({ migrate: true });
      const runner = jobs ? await (await jobs).createJobRunner({ config: rt.config, store, logger: rt.logger, mode: 'enqueue-only', logOutages: false }) : NOTHING_TO_ENQUEUE;
      const queue = queueHook(runner);
      try {
        if (paths[0] === 'subsquid') {
          const url = z.string().url('must be the squid GraphQL URL, e.g. https://gmx.squids.live/gmx-synthetics-arbitrum:prod/api/graphql').parse(paths[1]);
          const ac = new AbortController();
          process.once('SIGINT', () => ac.abort());
          process.once('SIGTERM', () => ac.abort());
          const s = await ingestSubsquid(store, {
            url,
            follow: Boolean(raw.follow),
            startBlock: raw.startBlock === undefined ? undefined : Number(raw.startBlock),
            logger: rt.logger,
            signal: ac.signal,
            onBatch: (r) => runner.onIngested(r),
          });
          process.stdout.write(
            flags.json ? `${JSON.stringify(s)}\n` : `subsquid ${url}: ${s.pages} pages, ${s.events} events (${s.inserted} new), ${s.positions} position changes, ${s.liquidations} liquidations, ${s.skipped} skipped; resume after block ${s.cursor.block}\n`,
          );
          return;
        }
        if (paths[0] === 'subgraph') {
          const url = z.string().url('must be the subgraph query URL, e.g. http://localhost:8000/subgraphs/name/liqmap/gmx-v2').parse(paths[1]);
          if (raw.protocol !== 'gmx-v2') throw new LiqmapError('INPUT_INVALID', `--protocol ${String(raw.protocol)} is not supported (supported: gmx-v2)`);
          const ac = new AbortController();
          process.once('SIGINT', () => ac.abort());
          process.once('SIGTERM', () => ac.abort());
          const s = await ingestSubgraph(store, {
            url,
            protocol: 'gmx-v2',
            follow: Boolean(raw.follow),
            startBlock: raw.startBlock === undefined ? undefined : Number(raw.startBlock),
            logger: rt.logger,
            signal: ac.signal,
            onBatch: queue.onBatch,
          });
          process.stdout.write(
            flags.json ? `${JSON.stringify(s)}\n` : `subgraph ${url}: ${s.pages} pages, ${s.events} events (${s.inserted} new), ${s.positions} position changes, ${s.skipped} skipped, ${s.reorgs} reorg(s); resume at block ${s.cursor?.block ?? '-'}\n`,
          );
          return;
        }
        if (paths.length === 1 && paths[0] === 'demo') {
          const days = z.coerce.number().positive().max(365).parse(raw.days);
          const seed = z.coerce.number().int().parse(raw.seed);
          const s = await ingestDemo(store, { days, seed, batchSize: flags.batchSize, onBatch: queue.onBatch });
          process.stdout.write(
            flags.json ? `${JSON.stringify(s)}\n` : `demo ${s.market}: ${s.rows} events${s.skipped ? ' (already ingested)' : `, ${s.inserted} new`}\n`,
          );
          return;
        }
        const summary = await runFileIngest(rt, paths, flags, queue.onBatch);
        reportIngest(summary, flags.json, flags.market);
      } finally {
        queue.report();
        await runner.close();
        await rt.close();
      }
    });
  return cmd;
}

/**
 * `liqmap ingest live`: follows markets until SIGINT/SIGTERM, then commits what waits. Computes
 * in-process without REDIS_URL, enqueues BullMQ jobs with it.
 */
async function ingestLive(paths: string[], raw: Record<string, unknown>): Promise<void> {
  // Loaded here: the live feeds' modules (websockets, metrics) are no part of a file ingest.
  const { liveFlags, liveMarketsOf, runLiveIngest } = await import('./ingest-live.js');
  if (paths.length > 1) throw new LiqmapError('INPUT_INVALID', `ingest live takes no paths (got ${paths.slice(1).join(' ')}); name markets with --market`);
  const parsed = liveFlags.safeParse(raw);
  if (!parsed.success) {
    throw new LiqmapError('INPUT_INVALID', parsed.error.issues.map((i) => `--${String(i.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${i.message}`).join('; '));
  }
  const rt = await createRuntime();
  liveMarketsOf(parsed.data, rt.config); // bad markets fail before any connection is opened
  const store = await rt.store({ migrate: true });
  const { createJobRunner, jobsRegistry } = await import('../../jobs/index.js');
  const runner = await createJobRunner({ config: rt.config, store, logger: rt.logger, mode: rt.config.REDIS_URL ? 'enqueue-only' : 'embedded' });
  let run;
  try {
    run = await runLiveIngest({ store, config: rt.config, logger: rt.logger, onBatch: (r) => runner.onIngested(r), extraRegistry: jobsRegistry }, parsed.data);
  } catch (e) {
    await runner.close();
    await rt.close();
    throw e;
  }
  process.stdout.write(`liqmap is following ${run.indexer.markets.map((m) => m.id).join(', ')}${run.port ? ` (health, readiness and metrics on :${run.port})` : ''}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await run.stop();
  await runner.close();
  await rt.close();
}
