#!/usr/bin/env node
// Runs the bundled CLI (dist/bundle/, from `npm run build`: the Docker image, a packed release)
// when it is there and not older than the TypeScript sources; otherwise the sources through tsx's
// loader (a fresh clone, development), so `npm ci && npm start` needs no build step. The bundle
// starts on less than half the CPU of tsc's dist/cli/index.js (scripts/bundle.mjs says why).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const compiled = `${root}dist/bundle/cli.js`;
const SOURCE_DIRS = ['base', 'db', 'engine', 'indexer', 'jobs', 'api', 'cli'];

/** Newest modification time (ms) of the TypeScript sources, 0 when there are none (an image). */
function newestSource(dir) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

const useCompiled =
  process.env.LIQMAP_RUN_SOURCES !== '1' &&
  existsSync(compiled) &&
  Math.max(...SOURCE_DIRS.map((d) => newestSource(`${root}${d}`))) <= statSync(compiled).mtimeMs;

if (useCompiled) {
  const { main } = await import(compiled);
  await main(process.argv);
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write('liqmap: the compiled CLI (dist/) is missing or older than the sources, and tsx is not installed: run `npm run build`\n');
    process.exit(2);
  }
  register();
  const { main } = await import('../cli/index.ts');
  await main(process.argv);
}
