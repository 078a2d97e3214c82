import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../_setup/cli.js';
import { createTestStore } from '../_setup/store.js';

/** A module-resolution hook that appends every resolved module's URL to a file. */
const RECORDER = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(process.env.LIQMAP_TEST_LOADED, r.url + '\\n');
  return r;
}`;

/** The CLI as run from the sources (through tsx), and as bundled by scripts/bundle.mjs (built in `beforeAll`). */
type Build = 'sources' | 'bundle';
// Inside the repository, so that the bundle's external packages resolve from its node_modules.
const BUNDLE = path.join(ROOT, 'test-artifacts', `startup-bundle-${process.pid}`);

/** The packages (node_modules/<name>) a `liqmap <args>` run of `build` loads, by name, and every module URL it resolved. */
function packagesLoaded(build: Build, args: string[], env: Record<string, string> = {}): { code: number | null; stderr: string; packages: Set<string>; urls: string[] } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'liqmap-startup-'));
  const file = path.join(dir, 'loaded.txt');
  try {
    const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(RECORDER)}`)});`;
    const entry = build === 'sources' ? './cli/index.ts' : pathToFileURL(path.join(BUNDLE, 'cli.js')).href;
    const run = `const { main } = await import(${JSON.stringify(entry)}); await main(['node', 'liqmap', ...${JSON.stringify(args)}]);`;
    const loader = build === 'sources' ? ['--import', 'tsx'] : [];
    const r = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(register)}`, ...loader, '--input-type=module', '-e', run], {
      cwd: ROOT,
      env: { ...process.env, LIQMAP_TEST_LOADED: file, LOG_LEVEL: 'warn', ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // nothing resolved
    }
    const urls = text.split('\n').filter(Boolean);
    const packages = urls.map((u) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1]).filter((p) => p !== undefined);
    return { code: r.status, stderr: r.stderr, packages: new Set(packages), urls };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/bundle.mjs', BUNDLE], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}, 120_000);
afterAll(() => rmSync(BUNDLE, { recursive: true, force: true }));

describe.each<Build>(['sources', 'bundle'])('CLI start-up (%s)', (build) => {
  it('loads neither the queue nor the API layer for a command that needs neither', () => {
    // Every `liqmap` run paid for them before (ingest's CPU per 1M rows included ~0.5 s of it).
    const quote = packagesLoaded(build, ['quote', '--exchange', 'binance', '--symbol', 'BTCUSDT', '--side', 'long', '--qty', '0.01', '--entry', '50000', '--wallet', '100', '--json']);
    expect(quote.code, quote.stderr).toBe(0);
    // The recorder sees what the CLI loads (the bundle has commander inside: its chunks, then).
    if (build === 'sources') expect(quote.packages.has('commander')).toBe(true);
    else expect(quote.urls.some((u) => u.startsWith(pathToFileURL(BUNDLE).href) && u.includes('/chunk-'))).toBe(true);
    for (const heavy of ['bullmq', 'ioredis', 'graphql-yoga', 'graphql', '@napi-rs/canvas', 'piscina']) expect(quote.packages.has(heavy), heavy).toBe(false);
  }, 90_000);

  it('loads no queue, API, live-feed or embedded-database modules for a file ingest on Postgres without a queue', async () => {
    // Each is no part of it: BullMQ (nothing to enqueue to without REDIS_URL), the live feeds'
    // websockets and metrics, PGlite; with them the ingest's start-up was ~0.3 s longer.
    const t = await createTestStore();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'liqmap-startup-'));
    try {
      const file = path.join(dir, 'BTCUSDT-aggTrades-2024-01-01.csv');
      writeFileSync(file, '1,42000.1,0.010,2,3,1704067200000,true\n2,42000.2,0.020,4,5,1704067200001,false\n');
      const ingest = packagesLoaded(build, ['ingest', file], { DATABASE_URL: t.url, REDIS_URL: '' });
      expect(ingest.code, ingest.stderr).toBe(0);
      expect(ingest.packages.has('postgres')).toBe(true);
      const rows = await t.store.rawTransaction((tx) => tx.query<{ n: number }>('select count(*)::int as n from trades'));
      expect(rows[0]?.n).toBe(2);
      for (const heavy of ['bullmq', 'ioredis', 'graphql-yoga', 'graphql', '@napi-rs/canvas', 'piscina', 'ws', 'prom-client', '@electric-sql/pglite']) {
        expect(ingest.packages.has(heavy), heavy).toBe(false);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await t.drop();
    }
  }, 90_000);
});
