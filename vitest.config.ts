import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

/**
 * Files whose assertions are timing bounds (first paint, p95/p99 latencies under a load the
 * test makes itself): they run after everything else, one at a time, so what they measure is
 * their own load and not the neighbouring test's.
 */
const TIMED = [
  'test/api/dashboard-perf.test.ts',
  'test/api/heatmap-png.test.ts',
  'test/api/check-budget.test.ts',
  'test/api/campaign.test.ts',
  'test/campaign/fault-campaign.test.ts',
];

/**
 * Test files at once. Most of the suite waits (on servers it starts, BullMQ's stalled checks,
 * throwaway Postgres and Redis), so three files share this 2-core machine's CPU well; vitest's
 * default (cores − 1 = 1) ran the suite file by file. `LIQMAP_TEST_WORKERS` overrides it.
 */
const WORKERS = Number(process.env.LIQMAP_TEST_WORKERS ?? 3);

export default defineConfig({
  // One graphql-js, as under Node: without this, Vite resolves our `graphql` imports to its ESM
  // build while graphql-yoga loads the CommonJS one, and validation rules or schema types of one
  // copy fail the instanceof checks of the other.
  resolve: { alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }] },
  test: {
    setupFiles: ['test/_setup/fast-check.ts'],
    // Per run: a TMPDIR and a schema/queue-prefix id, all removed at the end (nothing left behind).
    globalSetup: ['test/_setup/global.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each file owns its own Postgres schema and Redis prefix, so files run in parallel.
    projects: [
      { extends: true, test: { name: 'parallel', include: ['test/**/*.test.ts'], exclude: TIMED, maxWorkers: WORKERS, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'timed', include: TIMED, maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
});
