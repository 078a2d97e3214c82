#!/usr/bin/env node
// Bundles the CLI into dist/bundle/ (run by `npm run build` after tsc): a run of `liqmap` then
// opens 57 JavaScript files instead of 613 (our ~160 ES modules, kysely's, zod's…), whose loading
// was most of a command's start-up. Usage: node scripts/bundle.mjs [outdir] (default dist/bundle).
//
// Layout: every chunk sits at the top of outdir, so our `import.meta.url` look-ups (api/routes.ts
// ./dashboard/, render-pool.ts ./render-thread.mjs, bullmq-runner.ts sandbox/processor.mjs,
// check-service.ts check-thread.mjs) find the same relative files as in the sources and in tsc's
// dist/: those files are copied there, and the thread tasks they load are entry points beside them.
import { cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = path.resolve(root, process.argv[2] ?? 'dist/bundle');

/**
 * The dependencies compiled into the bundle: plain JavaScript that an ingest loads (kysely's ~260
 * ES modules and zod's ~100 the most; commander, cli-progress, yauzl, tinyglobby a further ~40 files,
 * ~0.07 s of CPU), no native code, no files loaded relative to themselves. The rest stay external,
 * resolved from node_modules as before: native or asset-loading ones (@napi-rs/canvas, PGlite's
 * wasm, pino's and piscina's worker files), postgres (patched in node_modules by
 * scripts/patch-postgres-driver.mjs, which the Docker build stage does not run), and the heavy
 * ones loaded lazily (bullmq, ioredis, graphql…), external so that a hook on module resolution
 * still sees whether a command loads them (test/cli/startup.test.ts).
 */
const BUNDLED = new Set(['kysely', 'kysely-postgres-js', 'zod', 'csv-parse', 'commander', 'cli-progress', 'yauzl', 'tinyglobby', 'decimal.js', 'pure-rand']);
/** The CommonJS ones among them `require()` Node's built-ins: an ES module has no `require` of its own. */
const BANNER = "import { createRequire as __liqmapRequire } from 'node:module'; const require = __liqmapRequire(import.meta.url);";

const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const external = Object.keys(pkg.dependencies)
  .filter((d) => !BUNDLED.has(d))
  .flatMap((d) => [d, `${d}/*`]);

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: [
    { in: 'cli/index.ts', out: 'cli' },
    { in: 'api/render/render-task.ts', out: 'render-task' },
    { in: 'jobs/check/check-thread.ts', out: 'check-thread' },
    { in: 'jobs/sandbox/sandboxed-processor.ts', out: 'sandbox/sandboxed-processor' },
  ],
  outdir,
  bundle: true,
  splitting: true, // the commands' lazy import()s stay lazy: each is a chunk loaded when wanted
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  chunkNames: 'chunk-[hash]',
  sourcemap: true,
  metafile: true,
  banner: { js: BANNER },
  logLevel: 'warning',
});

// An output below the top resolves `import.meta.url` from elsewhere: none may use it.
for (const [file, out] of Object.entries(result.metafile.outputs)) {
  if (file.endsWith('.js') && path.dirname(path.resolve(root, file)) !== outdir && readFileSync(path.resolve(root, file), 'utf8').replace(BANNER, '').includes('import.meta.url')) {
    throw new Error(`${file} (from ${Object.keys(out.inputs).join(', ')}) uses import.meta.url below ${outdir}: its relative files would not be found`);
  }
}

cpSync(path.join(root, 'api/dashboard'), path.join(outdir, 'dashboard'), { recursive: true });
cpSync(path.join(root, 'api/render/render-thread.mjs'), path.join(outdir, 'render-thread.mjs'));
cpSync(path.join(root, 'jobs/check/check-thread.mjs'), path.join(outdir, 'check-thread.mjs'));
mkdirSync(path.join(outdir, 'sandbox'), { recursive: true });
cpSync(path.join(root, 'jobs/sandbox/processor.mjs'), path.join(outdir, 'sandbox/processor.mjs'));
