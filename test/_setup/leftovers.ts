import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import postgres from 'postgres';

/** What {@link cleanUpRun} removed, and what it found wrong. */
export interface RunCleanup {
  readonly tempBytes: number;
  readonly redisKeys: number;
  readonly schemas: number;
  /** Processes still running, Redis keys or schemas still there after removal: each a test's bug. */
  readonly problems: readonly string[];
}

/** Processes started under this run (its id is in their environment), but not `self` or its vitest workers. */
function runProcesses(run: string, self: number): { pid: number; ppid: number; cmd: string }[] {
  const mark = `LIQMAP_TEST_RUN=${run}`;
  const out: { pid: number; ppid: number; cmd: string }[] = [];
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return out; // no procfs: nothing to look at
  }
  for (const p of pids) {
    const pid = Number(p);
    if (pid === self) continue;
    try {
      if (!readFileSync(`/proc/${p}/environ`, 'latin1').split('\0').includes(mark)) continue;
      // Field 4 of stat, after the command name in parentheses (which may hold spaces).
      const ppid = Number(readFileSync(`/proc/${p}/stat`, 'latin1').replace(/^.*\)\s+\S+\s+/s, '').split(' ')[0]);
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'latin1').split('\0').filter(Boolean).join(' ');
      if (ppid === self && cmd.includes('vitest')) continue; // the run's own test workers
      out.push({ pid, ppid, cmd });
    } catch {
      // gone meanwhile, or another user's process we cannot read
    }
  }
  return out;
}

function bytesUnder(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    try {
      n += e.isDirectory() ? bytesUnder(p) : e.isFile() ? statSync(p).size : 0;
    } catch {
      // removed meanwhile
    }
  }
  return n;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  return keys;
}

/**
 * Removes whatever a test run left — processes it started (a worker, an API, a throwaway
 * Postgres or Redis), its temporary directory, its Redis keys (every prefix made by
 * `uniqueName` carries the run id) and its Postgres schemas — and reports as problems what
 * should not have been there at all: a process still running once the tests ended, or keys and
 * schemas that are back or still there after their removal.
 */
export async function cleanUpRun(run: string, dir: string, services: { redisUrl: string; databaseUrl: string }, self = process.pid): Promise<RunCleanup> {
  const problems: string[] = [];
  const leaked = runProcesses(run, self);
  const leakedPids = new Set(leaked.map((p) => p.pid));
  for (const p of leaked) {
    if (leakedPids.has(p.ppid)) continue; // goes with its parent
    problems.push(`a process started by the tests is still running: pid ${p.pid} (${p.cmd.slice(0, 160)})`);
    // A Postgres postmaster stops at once on SIGQUIT (its backends with it); anything else is killed.
    try {
      process.kill(p.pid, /(^|\/)postgres /.test(p.cmd) ? 'SIGQUIT' : 'SIGKILL');
    } catch {
      // already gone
    }
  }
  // Whatever of theirs remains (a child that outlived its parent) goes too.
  for (let i = 0; i < 50 && runProcesses(run, self).length > 0; i++) await sleep(100);
  for (const p of runProcesses(run, self)) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  let tempBytes = 0;
  if (existsSync(dir)) {
    tempBytes = bytesUnder(dir);
    rmSync(dir, { recursive: true, force: true });
    if (existsSync(dir)) problems.push(`the run's temporary directory ${dir} could not be removed`);
  }

  let redisKeys = 0;
  const redis = new Redis(services.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => {}); // no Redis: nothing was left there
  try {
    await redis.connect();
    const pattern = `*_${run}_*`;
    const keys = await scanKeys(redis, pattern);
    for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
    redisKeys = keys.length;
    await sleep(200);
    const back = await scanKeys(redis, pattern);
    if (back.length > 0) problems.push(`${back.length} Redis keys of the run are still there after their removal (e.g. ${back[0]}): a process still writes them`);
  } catch {
    // No Redis: nothing was left there.
  } finally {
    redis.disconnect();
  }

  let schemas = 0;
  const sql = postgres(services.databaseUrl, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    const like = `%\\_${run}\\_%`;
    const left = await sql<{ nspname: string }[]>`select nspname from pg_namespace where nspname like ${like}`;
    for (const { nspname } of left) await sql.unsafe(`drop schema if exists "${nspname.replaceAll('"', '""')}" cascade`);
    schemas = left.length;
    const still = await sql<{ nspname: string }[]>`select nspname from pg_namespace where nspname like ${like}`;
    if (still.length > 0) problems.push(`Postgres schemas of the run are still there after their removal: ${still.map((s) => s.nspname).join(', ')}`);
  } catch {
    // No Postgres: nothing was left there.
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
  return { tempBytes, redisKeys, schemas, problems };
}
