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
    // Just taken (or renewed): a live holder, e.g. the job's retry that took over.
    expect(await releaseLeaseOfJob(t.store, 'binance:STALL', 'job-1')).toBe(0);
    // Last renewed 30 s ago, as a holder that died before BullMQ found its job stalled.
    await sql`update compute_locks set expires_at = expires_at - interval '30 seconds' where market_id = 'binance:STALL'`.execute(t.store.db);
    expect(await releaseLeaseOfJob(t.store, 'binance:STALL', 'job-1')).toBe(1);
    const next = await acquireComputeLease(t.store, 'binance:STALL', 300);
    await next.release();
    await other.renew();
    await other.release();
  });

  it('a retry of the job holding the lease takes it over at once; the dead attempt cannot renew it', async () => {
    const dead = await acquireComputeLease(t.store, 'binance:RETRY', 300, 'job-r');
    await expect(acquireComputeLease(t.store, 'binance:RETRY', 200, 'job-other')).rejects.toThrow(/being computed elsewhere/);
    const t0 = Date.now();
    const retry = await acquireComputeLease(t.store, 'binance:RETRY', 200, 'job-r');
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(retry.owner).not.toBe(dead.owner);
    await expect(dead.renew()).rejects.toThrow(/lease on binance:RETRY was lost/);
    await retry.renew();
    await retry.release();
  });
});
