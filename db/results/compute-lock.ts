import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Store } from '../store.js';

/** A held compute lease on a market. */
export interface ComputeLease {
  /** Extends the lease (call between chunks of work). */
  renew(): Promise<void>;
  release(): Promise<void>;
}

/** How long a lease lasts without renewal: a crashed holder frees the market after this. */
const LEASE_SECONDS = 120;

/**
 * Takes the market's compute lease, waiting (polling) while another computation holds it, up
 * to `waitMs`. Leases expire, so a worker that died mid-run does not block the market for good.
 * Throws when the wait runs out (the caller's job is retried).
 */
export async function acquireComputeLease(store: Store, market: string, waitMs = 600_000): Promise<ComputeLease> {
  const owner = randomUUID();
  const deadline = Date.now() + waitMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    const r = await sql<{ owner: string }>`
      insert into compute_locks (market_id, owner, expires_at) values (${market}, ${owner}, now() + make_interval(secs => ${LEASE_SECONDS}))
      on conflict (market_id) do update set owner = excluded.owner, expires_at = excluded.expires_at
        where compute_locks.expires_at < now()
      returning owner`.execute(store.db);
    if (r.rows[0]?.owner === owner) break;
    if (Date.now() > deadline) throw new Error(`market ${market} is being computed elsewhere (waited ${waitMs} ms)`);
    await new Promise((res) => setTimeout(res, delay));
  }
  return {
    async renew() {
      await sql`update compute_locks set expires_at = now() + make_interval(secs => ${LEASE_SECONDS}) where market_id = ${market} and owner = ${owner}`.execute(store.db);
    },
    async release() {
      await sql`delete from compute_locks where market_id = ${market} and owner = ${owner}`.execute(store.db);
    },
  };
}
