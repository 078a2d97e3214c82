import { Command } from 'commander';
import { createProgressReporter, ingestDemo, ingestPaths } from '../../indexer/index.js';
import { createRuntime } from '../runtime.js';
import { reportIngest } from './ingest.js';
import { liveFlags, runLiveIngest, type LiveRun } from './ingest-live.js';

/**
 * `liqmap start`: the all-in-one embedded run. Migrates the database (PGlite unless
 * DATABASE_URL is set), ingests the demo market (or `--file` paths, or follows `--live` markets), computes heatmaps and
 * clusters with the in-process jobs runner (or BullMQ when REDIS_URL is set), and serves the
 * GraphQL API and dashboard.
 */
export function startCommand(): Command {
  return new Command('start')
    .description('all-in-one: migrate, ingest the demo market (or --file), compute, and serve the API on PORT')
    .option('--file <paths...>', 'ingest these files or globs instead of the demo market')
    .option('--market <id>', 'market for --file rows that do not name one, e.g. binance:BTCUSDT')
    .option('--format <name>', 'force the layout of --file')
    .option('--days <n>', 'days of demo market to simulate', '3')
    .option('--no-serve', 'stop after ingesting and computing')
    .option('--live <markets...>', 'follow these markets live (binance:BTCUSDT bybit:BTCUSDT okx:BTC-USDT-SWAP hyperliquid:BTC) instead of the demo market')
    .option('--live-metrics-port <n>', 'with --live: /healthz, /readyz and /metrics of the live feeds on this port (0: off)', '0')
    .action(async (flags: { file?: string[]; market?: string; format?: string; days: string; serve: boolean; live?: string[]; liveMetricsPort: string }) => {
      const rt = await createRuntime();
      const { logger, config } = rt;
      const store = await rt.store({ migrate: true });
      const { createJobRunner, holdBatches } = await import('../../jobs/index.js');
      const jobs = await createJobRunner({ config, store, logger, mode: config.REDIS_URL ? 'enqueue-only' : 'embedded' });
      // Live batches compute as they land; a bulk ingest computes each market once, when it is over.
      const held = holdBatches(jobs);
      const onBatch = held.onBatch;
      let live: LiveRun | null = null;
      if (flags.live && flags.live.length > 0) {
        live = await runLiveIngest({ store, config, logger, onBatch: (r) => jobs.onIngested(r) }, liveFlags.parse({ market: flags.live, metricsPort: flags.liveMetricsPort }));
      } else if (flags.file && flags.file.length > 0) {
        const summary = await ingestPaths(store, flags.file, {
          market: flags.market,
          format: flags.format,
          onBatch,
          progress: createProgressReporter(logger),
        });
        reportIngest(summary, false);
      } else {
        const s = await ingestDemo(store, { days: Number(flags.days), onBatch });
        logger.info({ at: 'start#ingest', market: s.market, rows: s.rows, skipped: s.skipped }, 'demo market ready');
      }
      await held.release();
      if (!flags.serve) {
        await live?.stop();
        await jobs.idle?.();
        await jobs.close();
        await rt.close();
        return;
      }
      const { startServer, loadPersistedOperations } = await import('../../api/index.js');
      const persistedOperations = loadPersistedOperations(config);
      const server = await startServer({ store, config, logger, jobs }, { ...(persistedOperations ? { persistedOperations } : {}), persistedOnly: config.LIQMAP_PERSISTED_ONLY });
      process.stdout.write(`liqmap is serving GraphQL on ${server.url}/graphql and the dashboard on ${server.url}/\n`);
      const stop = async () => {
        await live?.stop();
        await server.close();
        await jobs.close();
        await rt.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
