import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { LiqmapError } from '../../../base/index.js';

/** What the lock file says about the process holding the data directory. */
interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly command: string;
  readonly since: string;
}

/** A held lock on an embedded data directory; `release()` is idempotent. */
export interface DataDirLock {
  readonly file: string;
  release(): void;
}

const held = new Map<string, DataDirLock>();

/** Whether `holder` is a live process (of this machine; another host's lock is taken as live). */
function alive(holder: LockHolder, file: string): boolean {
  if (holder.host !== hostname()) return true;
  if (holder.pid === process.pid) return held.has(file);
  try {
    process.kill(holder.pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A pid reused by an unrelated program after a crash: on Linux, its command line says so.
  try {
    return readFileSync(`/proc/${holder.pid}/cmdline`, 'utf8').includes('node');
  } catch {
    return true;
  }
}

function readHolder(file: string): LockHolder | null {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>;
    return typeof h.pid === 'number' ? { pid: h.pid, host: String(h.host ?? ''), command: String(h.command ?? 'liqmap'), since: String(h.since ?? '') } : null;
  } catch {
    return null;
  }
}

/**
 * Takes the lock file `<dir>.lock` (beside PGlite's directory, not in it) for this process, or throws `DATABASE_BUSY` naming the
 * process that holds it. PGlite is single-process: a second process opening the same directory
 * corrupts it, so nothing opens the embedded database without this lock. A lock left by a
 * process that died (kill -9, power loss) is detected by its pid and taken over.
 */
export function lockDataDir(dir: string): DataDirLock {
  const file = `${path.resolve(dir)}.lock`;
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    command: `liqmap ${process.argv.slice(2).join(' ')}`.trim(),
    since: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = readHolder(file);
      if (holder && alive(holder, file)) {
        const who = holder.pid === process.pid ? 'this process' : `\`${holder.command}\` (pid ${holder.pid}${holder.host === me.host ? '' : ` on ${holder.host}`}, since ${holder.since})`;
        throw new LiqmapError(
          'DATABASE_BUSY',
          `the embedded database in ${dir} is in use by ${who}; PGlite allows one process at a time: stop it first, give it the files instead (\`liqmap start --file …\`), or set DATABASE_URL to a Postgres server to run several processes`,
          { dir, holder },
        );
      }
      // Stale (its process is gone) or unreadable half-written: remove and try again.
      try {
        unlinkSync(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      continue;
    }
    writeSync(fd, JSON.stringify(me));
    closeSync(fd);
    const onExit = () => lock.release();
    const lock: DataDirLock = {
      file,
      release() {
        if (held.get(file) !== lock) return;
        held.delete(file);
        process.removeListener('exit', onExit);
        try {
          if (readHolder(file)?.pid === process.pid) unlinkSync(file);
        } catch {
          // Already gone.
        }
      },
    };
    held.set(file, lock);
    process.once('exit', onExit);
    return lock;
  }
  throw new LiqmapError('DATABASE_BUSY', `could not take the lock file ${file}: another process keeps re-creating it`, { dir });
}
