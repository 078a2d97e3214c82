import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { EMBEDDED_ENV, runCliAsync, spawnServing } from '../_setup/cli.js';
import { SHARED_DATA } from '../_setup/store.js';
import { createPgliteStore } from '../../db/index.js';
import { isLiqmapError } from '../../base/index.js';

const REAL_FILE = SHARED_DATA ? path.join(SHARED_DATA, 'binance-futures-btcusdt-trades-2020-02-22.tardis.csv') : null;
const EMBEDDED = EMBEDDED_ENV;
const startServing = (dir: string) => spawnServing(['start', '--days', '0.05'], { ...EMBEDDED, LIQMAP_DATA_DIR: dir });

describe('the embedded database is never opened by two processes', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'liqmap-lock-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it.skipIf(!REAL_FILE)('a second process is refused at once, naming the running one; after a kill -9 the lock is stale and the data intact', async () => {
    const dir = tempDir();
    const first = await startServing(dir);
    try {
      const t0 = Date.now();
      const second = await runCliAsync(['ingest', REAL_FILE!], { ...EMBEDDED, LIQMAP_DATA_DIR: dir });
      expect(second.code).toBe(2);
      expect(Date.now() - t0).toBeLessThan(15_000);
      const lines = second.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^liqmap: DATABASE_BUSY: .*liqmap start.*\(pid \d+/);
      expect(lines[0]).toContain(`pid ${first.child.pid}`);
    } finally {
      first.child.kill('SIGKILL');
      await new Promise((r) => first.child.on('exit', r));
    }
    // The holder died without cleaning up: its lock is stale, the next process takes it.
    expect(existsSync(path.join(dir, 'pglite.lock'))).toBe(true);
    const ingest = await runCliAsync(['ingest', REAL_FILE!], { ...EMBEDDED, LIQMAP_DATA_DIR: dir });
    expect(ingest.code, ingest.stderr).toBe(0);
    const again = await startServing(dir);
    try {
      const r = (await (await fetch(`${again.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ markets { id tradeCount } }' }) })).json()) as { data: { markets: { id: string; tradeCount: number }[] } };
      expect(r.data.markets.map((m) => m.id)).toContain('binance:BTCUSDT');
      expect(r.data.markets.find((m) => m.id === 'binance:BTCUSDT')!.tradeCount).toBeGreaterThan(1000);
    } finally {
      again.child.kill('SIGTERM');
      await new Promise((r) => again.child.on('exit', r));
    }
    // A clean stop removes its lock.
    expect(existsSync(path.join(dir, 'pglite.lock'))).toBe(false);
  }, 180_000);

  it('in one process: a second open is refused, a lock of a dead pid is taken over', async () => {
    const dir = path.join(tempDir(), 'pglite');
    const store = await createPgliteStore({ dataDir: dir });
    try {
      const e = await createPgliteStore({ dataDir: dir }).then(() => null, (err: unknown) => err);
      expect(isLiqmapError(e, 'DATABASE_BUSY')).toBe(true);
    } finally {
      await store.close();
    }
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(`${dir}.lock`, JSON.stringify({ pid: dead, host: hostname(), command: 'liqmap start', since: '2026-01-01T00:00:00Z' }));
    const reopened = await createPgliteStore({ dataDir: dir });
    await reopened.close();
    expect(existsSync(`${dir}.lock`)).toBe(false);
  }, 60_000);
});
