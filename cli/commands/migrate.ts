import { Command } from 'commander';
import { migrateToLatest } from '../../db/index.js';
import { createRuntime } from '../runtime.js';

/** `liqmap migrate`: brings the database schema to the newest migration. */
export function migrateCommand(): Command {
  return new Command('migrate')
    .description('apply database migrations (Postgres at DATABASE_URL, or the embedded PGlite)')
    .action(async () => {
      const rt = await createRuntime();
      try {
        const store = await rt.store();
        const { applied } = await migrateToLatest(store);
        process.stdout.write(
          applied.length > 0 ? `applied ${applied.length} migration(s): ${applied.join(', ')}\n` : 'database is up to date\n',
        );
      } finally {
        await rt.close();
      }
    });
}
