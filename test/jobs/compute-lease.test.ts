import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { acquireComputeLease, releaseLeaseOfJob } from '../../db/index.js';
import { isLiqmapError } from '../../base/index.js';
import { createTestStore, type TestStore } from '../_setup/store.js';

describe('the per-market compute lease', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await createTestStore();
  });
  afterAll(async () => t?.drop());

  it('records its holder, and a renewal after a takeover fails instead of overlapping', async () => {
    const a = await acquireComputeLease(t.store, 'binance:LEASE', 300, 'compute~binance~LEASE');
    expect(a.owner).toMatch(/^job:compute~binance~LEASE@[^:]+:\d+:[0-9a-f-]{36}$/);
    await a.renew();
    // A lease held past its expiry (a stalled holder) is taken by the next computation…
    await sql`update compute_locks set expires_at = now() - interval '1 second' where market_id = 'binance:LEASE'`.execute(t.store.db);
    const b = await acquireComputeLease(t.store, 'binance:LEASE', 300);
    // …and the old holder learns it on its next renewal.
    const lost = await a.renew().then(() => null, (e: unknown) => e);
    expect(isLiqmapError(lost)).toBe(true);
    expect(String((lost as Error).message)).toMatch(/lease on binance:LEASE was lost/);
    await b.renew();
    await b.release();
  });

  it('a stalled job\'s lease is released at once, and only that job\'s', async () => {
    await acquireComputeLease(t.store, 'binance:STALL', 300, 'job-1');
    const other = await acquireComputeLease(t.store, 'binance:OTHER', 300, 'job-2');
    await expect(acquireComputeLease(t.store, 'binance:STALL', 300)).rejects.toThrow(/being computed elsewhere/);
    expect(await releaseLeaseOfJob(t.store, 'binance:STALL', 'job-2')).toBe(0);
    expect(await releaseLeaseOfJob(t.store, 'binance:STALL', 'job-1')).toBe(1);
    const next = await acquireComputeLease(t.store, 'binance:STALL', 300);
    await next.release();
    await other.renew();
    await other.release();
  });
});
