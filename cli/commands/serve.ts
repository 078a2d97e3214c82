import { Command } from 'commander';
import { createRuntime } from '../runtime.js';

/**
 * `liqmap serve`: the API process of a production deployment. It reads what the indexer and
 * the workers wrote; with `REDIS_URL` set, its mutations enqueue work for the workers.
 */
export function serveCommand(): Command {
  return new Command('serve')
    .description('serve the GraphQL API (/graphql), dashboard (/), /heatmap.png, /healthz, /readyz and /metrics on PORT')
    .option('--migrate', 'apply migrations before serving (by default the one-shot `liqmap migrate` does)')
    .option('--port <n>', 'port to listen on (default: PORT, 4000)')
    .action(async (flags: { migrate?: boolean; port?: string }) => {
      const rt = await createRuntime();
      const { config, logger } = rt;
      const store = await rt.store({ migrate: flags.migrate ?? false });
      const { createJobRunner } = await import('../../jobs/index.js');
      const jobs = await createJobRunner({ config, store, logger, mode: config.REDIS_URL ? 'enqueue-only' : 'embedded' });
      const { startServer } = await import('../../api/index.js');
      const server = await startServer({ store, config, logger, jobs }, flags.port === undefined ? {} : { port: Number(flags.port) });
      process.stdout.write(`liqmap is serving GraphQL on ${server.url}/graphql\n`);
      const stop = async () => {
        await server.close();
        await jobs.close();
        await rt.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}
