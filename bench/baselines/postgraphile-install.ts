import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The PostGraphile v4 release the API bench compares against (v5 needs Node 22; this runs on Node 20). */
export const POSTGRAPHILE_VERSION = '4.14.1';
/** Its connection-filter plugin (range conditions such as `ts >= …` on `allTrades`), the v4 line. */
export const CONNECTION_FILTER_VERSION = '2.3.0';

/**
 * Installs PostGraphile v4 (and the connection-filter plugin) into a cache folder outside the
 * project's dependencies the first time the bench runs (`npm install` from the registry; later
 * runs reuse it) and returns that folder. `BENCH_CACHE_DIR` moves the cache.
 */
export function ensurePostGraphile(root: string): string {
  const dir = path.resolve(process.env.BENCH_CACHE_DIR ?? path.join(root, 'node_modules', '.cache', 'liqmap-bench'), `postgraphile-${POSTGRAPHILE_VERSION}`);
  if (existsSync(path.join(dir, 'node_modules', 'postgraphile', 'package.json')) && existsSync(path.join(dir, 'node_modules', 'postgraphile-plugin-connection-filter', 'package.json'))) return dir;
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'liqmap-bench-postgraphile', private: true }));
  process.stderr.write(`installing postgraphile@${POSTGRAPHILE_VERSION} into ${dir} (once)…\n`);
  execFileSync('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', '--loglevel=error', `postgraphile@${POSTGRAPHILE_VERSION}`, `postgraphile-plugin-connection-filter@${CONNECTION_FILTER_VERSION}`], { stdio: ['ignore', 'inherit', 'inherit'] });
  return dir;
}
