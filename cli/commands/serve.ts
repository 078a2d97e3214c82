import { Command } from 'commander';
import { connect } from '../../db/index.js';
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
      // A read-only API (API_DATABASE_URL, e.g. a SELECT-only role, or LIQMAP_API_READ_ONLY)
      // never writes: results it lacks are computed by the workers.
      const readOnly = config.API_DATABASE_URL !== undefined || config.LIQMAP_API_READ_ONLY;
      const store = readOnly && config.API_DATABASE_URL
        ? await connect({ databaseUrl: config.API_DATABASE_URL, readOnly: true })
        : readOnly && config.DATABASE_URL
          ? await connect({ databaseUrl: config.DATABASE_URL, readOnly: true })
          : await rt.store({ migrate: flags.migrate ?? false });
      const { createJobRunner } = await import('../../jobs/index.js');
      const jobs = await createJobRunner({ config, store, logger, mode: config.REDIS_URL ? 'enqueue-only' : readOnly ? 'enqueue-only' : 'embedded' });
      const { startServer, loadPersistedOperations } = await import('../../api/index.js');
      const persistedOperations = loadPersistedOperations(config);
      const server = await startServer(
        { store, config, logger, jobs, readOnly },
        { ...(flags.port === undefined ? {} : { port: Number(flags.port) }), ...(persistedOperations ? { persistedOperations } : {}), persistedOnly: config.LIQMAP_PERSISTED_ONLY },
      );
      process.stdout.write(`liqmap is serving GraphQL on ${server.url}/graphql\n`);
      const stop = async () => {
        await server.close();
        await jobs.close();
        await store.close().catch(() => {});
        await rt.close().catch(() => {});
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}
