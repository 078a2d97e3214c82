import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';

/** The newest PostgreSQL server binaries installed (Debian layout), or null. */
export const PG_BIN: string | null = (() => {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], 'bin') : null;
})();

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A Postgres server of the test's own (initdb in a temp dir, loopback port), restartable. */
export interface ThrowawayPostgres {
  readonly url: string;
  /** `pg_ctl restart -m immediate`: every connection dies as in a crash, then it is back. */
  restart(): void;
  stop(): void;
  start(): void;
  /** Stops it and removes its directory. */
  destroy(): void;
}

/**
 * Starts a throwaway server. Postgres refuses to run as root, so as root the server runs as the
 * `postgres` OS user (which the Debian packages create).
 */
export async function throwawayPostgres(): Promise<ThrowawayPostgres> {
  if (!PG_BIN) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql');
  const asRoot = userInfo().uid === 0;
  // As root the server runs as `postgres`, which cannot enter a root-only temp dir; a test run's
  // own (test/_setup/global.ts) lets it in, and goes with the run whatever a test leaves.
  const dir = mkdtempSync(path.join(asRoot && !process.env.LIQMAP_TEST_RUN ? '/tmp' : tmpdir(), 'liqmap-pg-'));
  if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), Number(execFileSync('id', ['-g', 'postgres']).toString().trim()));
  const port = await freePort();
  const data = path.join(dir, 'data');
  const run = (bin: string, args: string[]) => {
    const cmd = [path.join(PG_BIN!, bin), ...args];
    if (asRoot) execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', cmd.map((a) => `'${a}'`).join(' ')], { stdio: 'ignore' });
    else execFileSync(cmd[0]!, cmd.slice(1), { stdio: 'ignore' });
  };
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const pg: ThrowawayPostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start: () => run('pg_ctl', ['-D', data, '-o', opts, '-l', path.join(dir, 'log'), '-w', 'start']),
    stop: () => run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']),
    restart: () => run('pg_ctl', ['-D', data, '-o', opts, '-l', path.join(dir, 'log'), '-m', 'immediate', '-w', 'restart']),
    destroy() {
      try {
        pg.stop();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  pg.start();
  return pg;
}
