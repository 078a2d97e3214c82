import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/_setup/fast-check.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each file owns its own Postgres schema and Redis prefix, so files run in parallel.
    fileParallelism: true,
  },
});
