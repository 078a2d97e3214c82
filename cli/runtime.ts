import { loadConfig, createLogger, type Config, type Logger } from '../base/index.js';
import { connect, migrateToLatest, type Store } from '../db/index.js';

/** What every command needs: parsed config, a logger, and (lazily) the store. */
export interface Runtime {
  readonly config: Config;
  readonly logger: Logger;
  /** Opens the store once (and migrates it when `migrate` is true). */
  store(options?: { migrate?: boolean }): Promise<Store>;
  close(): Promise<void>;
}

/** Reads config once and wires the logger; the backend is chosen here and nowhere else. */
export async function createRuntime(): Promise<Runtime> {
  const config = await loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  let store: Store | undefined;
  let migrated = false;
  return {
    config,
    logger,
    async store(options = {}) {
      store ??= await connect({ databaseUrl: config.DATABASE_URL, dataDir: config.LIQMAP_DATA_DIR });
      if (options.migrate && !migrated) {
        const { applied } = await migrateToLatest(store);
        migrated = true;
        if (applied.length > 0) logger.info({ at: 'runtime#store', applied }, 'migrations applied');
      }
      return store;
    },
    async close() {
      await store?.close();
      store = undefined;
    },
  };
}
