import type { SandboxedJob } from 'bullmq';
import { connect, type Store } from '../../db/index.js';
import { LiqmapError, parseConfig } from '../../base/index.js';
import { processJob } from '../processors/dispatch.js';

let store: Promise<Store> | null = null;

/**
 * The compute processor inside a worker thread (CPU-heavy model steps never block the main
 * thread's lock renewal). Each thread opens its own Postgres connection from the DATABASE_URL
 * its parent hands it; the embedded PGlite cannot be shared across threads, so sandboxing
 * needs Postgres.
 */
export async function sandboxedProcessor(job: SandboxedJob): Promise<unknown> {
  const config = parseConfig(process.env);
  const url = config.DATABASE_URL;
  if (!url) throw new LiqmapError('CONFIG_INVALID', 'sandboxed compute needs DATABASE_URL (Postgres)');
  store ??= connect({ databaseUrl: url, dataDir: config.LIQMAP_DATA_DIR });
  return processJob(await store, job, { retentionDays: config.LIQMAP_RETENTION_DAYS });
}
