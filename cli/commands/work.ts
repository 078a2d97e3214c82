import { createServer } from 'node:http';
import { Command } from 'commander';
import { LiqmapError } from '../../base/index.js';
import { createRuntime } from '../runtime.js';

/**
 * `liqmap work`: a BullMQ worker process. Run as many as you like, on any machine that reaches
 * the same Redis and Postgres: markets are computed in parallel, each market by one worker at
 * a time. SIGTERM lets the current jobs finish, then exits.
 */
export function workCommand(): Command {
  return new Command('work')
    .description('run BullMQ workers that compute heatmaps and clusters (needs REDIS_URL; DATABASE_URL for sandboxed workers)')
    .option('--concurrency <n>', 'markets computed in parallel by this process', '2')
    .option('--no-sandbox', 'run the processor on the main thread instead of worker threads')
    .option('--metrics-port <n>', 'serve Prometheus metrics on this port (0: off)', '9464')
    .option('--metrics-host <addr>', 'address the metrics endpoint listens on (0.0.0.0 for a scraper on another host)', '127.0.0.1')
    .action(async (flags: { concurrency: string; sandbox: boolean; metricsPort: string; metricsHost: string }) => {
      const rt = await createRuntime();
      const { config, logger } = rt;
      if (!config.REDIS_URL) throw new LiqmapError('CONFIG_INVALID', 'liqmap work needs REDIS_URL (redis://host:6379); the embedded default computes in-process inside `liqmap start`');
      const store = await rt.store({ migrate: false });
      const { createJobRunner, jobsRegistry } = await import('../../jobs/index.js');
      const runner = await createJobRunner({ config, store, logger, mode: 'work', concurrency: Number(flags.concurrency), sandboxed: flags.sandbox && config.DATABASE_URL !== undefined });
      const port = Number(flags.metricsPort);
      const metrics =
        port > 0
          ? createServer((_req, res) => {
              // Queue depth is refreshed when Redis answers; the rest is served regardless.
              void runner
                .status()
                .catch(() => {})
                .then(async () => {
                  res.writeHead(200, { 'content-type': jobsRegistry.contentType }).end(await jobsRegistry.metrics());
                });
            }).listen(port, flags.metricsHost)
          : null;
      logger.info({ at: 'work#start', concurrency: Number(flags.concurrency), sandboxed: flags.sandbox, metricsPort: port || null, metricsHost: flags.metricsHost, queuePrefix: config.LIQMAP_QUEUE_PREFIX }, 'worker running');
      process.stdout.write(`liqmap worker running (concurrency ${flags.concurrency}, queue prefix "${config.LIQMAP_QUEUE_PREFIX}")\n`);
      const stop = async () => {
        logger.info({ at: 'work#stop' }, 'finishing current jobs');
        metrics?.close();
        await runner.close();
        await rt.close();
        process.exit(0);
      };
      process.once('SIGTERM', () => void stop());
      process.once('SIGINT', () => void stop());
    });
}
