import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { sql } from 'kysely';
import { LiqmapError } from '../../base/index.js';
import type { Store } from '../store.js';

/** A held compute lease on a market. */
export interface ComputeLease {
  /** Who holds it: `job:<job id>@<host>:<pid>:<token>` (or `<host>:<pid>:<token>` outside a job). */
  readonly owner: string;
  /** Extends the lease (call between chunks of work); throws when it was lost to another holder. */
  renew(): Promise<void>;
  release(): Promise<void>;
}

/** How long a lease lasts without renewal: a crashed holder frees the market after this. */
const LEASE_SECONDS = 120;
/** A lease renewed this recently is a live holder's, never a dead one's (see releaseLeaseOfJob). */
const FRESH_SECONDS = 10;
/** Retries of a failed release, from 250 ms doubling (~16 s in all). */
const RELEASE_RETRIES = 6;

/**
 * Takes the market's compute lease, waiting (polling) while another computation holds it, up
 * to `waitMs` (a retry of the job holding it takes it at once). Leases expire, so a worker that died mid-run does not block the market for good.
 * Throws when the wait runs out (the caller's job is retried).
 */
export async function acquireComputeLease(store: Store, market: string, waitMs = 600_000, jobId?: string): Promise<ComputeLease> {
  const owner = `${jobId === undefined ? '' : `job:${jobId}@`}${hostname()}:${process.pid}:${randomUUID()}`;
  const deadline = Date.now() + waitMs;
  // A retry of the same job takes over at once: BullMQ runs one attempt of a job at a time, so
  // the holder is an attempt that died without releasing (a worker thread killed by a lost
  // connection). Were it alive after all, its next renewal fails and it stops.
  const sameJob = jobId === undefined ? null : `job:${jobId}@`;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    const r = await sql<{ owner: string }>`
      insert into compute_locks (market_id, owner, expires_at) values (${market}, ${owner}, now() + make_interval(secs => ${LEASE_SECONDS}))
      on conflict (market_id) do update set owner = excluded.owner, expires_at = excluded.expires_at
        where compute_locks.expires_at < now() or starts_with(compute_locks.owner, ${sameJob}::text)
      returning owner`.execute(store.db);
    if (r.rows[0]?.owner === owner) break;
    if (Date.now() > deadline) throw new LiqmapError('NOT_READY', `market ${market} is being computed elsewhere (waited ${waitMs} ms)`, { market });
    await new Promise((res) => setTimeout(res, delay));
  }
  return {
    owner,
    async renew() {
      const r = await sql<{ owner: string }>`update compute_locks set expires_at = now() + make_interval(secs => ${LEASE_SECONDS}) where market_id = ${market} and owner = ${owner} returning owner`.execute(store.db);
      // Expired and taken over (this holder stalled past the lease): stop before two computations overlap.
      if (r.rows.length === 0) throw new LiqmapError('NOT_READY', `the compute lease on ${market} was lost (held past ${LEASE_SECONDS} s without renewal); the job is retried`, { market });
    },
    async release() {
      // A computation that failed because Postgres went away releases once it is back (a
      // restart takes seconds): else its retry would wait for the lease to expire (2 min).
      for (let attempt = 0, delay = 250; ; attempt++, delay *= 2) {
        try {
          await sql`delete from compute_locks where market_id = ${market} and owner = ${owner}`.execute(store.db);
          return;
        } catch (e) {
          if (attempt >= RELEASE_RETRIES) throw e;
          await new Promise((res) => setTimeout(res, delay));
        }
      }
    },
  };
}

/**
 * Releases the lease a job held when its worker died (BullMQ detected the job as stalled), so
 * the market is not blocked until the lease expires. Only that job's lease is removed: its
 * retry cannot hold the lease yet, since the dead holder's lease was still in force.
 */
export async function releaseLeaseOfJob(store: Store, market: string, jobId: string): Promise<number> {
  // Not a lease renewed in the last seconds: that is the job's retry, which took its own dead
  // attempt's lease over (see acquireComputeLease) between the stall and this call.
  const r = await sql<{ owner: string }>`
    delete from compute_locks where market_id = ${market} and starts_with(owner, ${`job:${jobId}@`})
      and expires_at < now() + make_interval(secs => ${LEASE_SECONDS - FRESH_SECONDS})
    returning owner`.execute(store.db);
  return r.rows.length;
}
