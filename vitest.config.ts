import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // One graphql-js, as under Node: without this, Vite resolves our `graphql` imports to its ESM
  // build while graphql-yoga loads the CommonJS one, and validation rules or schema types of one
  // copy fail the instanceof checks of the other.
  resolve: { alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }] },
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/_setup/fast-check.ts'],
    // Per run: a TMPDIR and a schema/queue-prefix id, all removed at the end (nothing left behind).
    globalSetup: ['test/_setup/global.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each file owns its own Postgres schema and Redis prefix, so files run in parallel.
    fileParallelism: true,
  },
});
