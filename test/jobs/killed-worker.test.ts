import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { pino } from 'pino';
import { parseConfig } from '../../base/index.js';
import { BatchWriter, latestModelCheckpoint, type CanonicalEvent } from '../../db/index.js';
import { modelParamsHash, parseModelParams } from '../../engine/index.js';
import { createJobRunner, type JobRunner } from '../../jobs/index.js';
import { createTestStore, type TestStore } from '../_setup/store.js';
import { TEST_REDIS_URL, testQueuePrefix } from '../_setup/redis.js';
import { spawnCli } from '../_setup/cli.js';

const T0 = Date.UTC(2024, 4, 1) * 1000;
const DAYS = 2;
const MARKET = 'binance:KILLED';

/** `days` of synthetic trades every 7 s on a slow random walk. */
function trades(days: number): CanonicalEvent[] {
  const out: CanonicalEvent[] = [];
  let p = 60000;
  for (let i = 0; i < days * 86_400; i += 7) {
    p *= 1 + Math.sin(i / 5000) * 0.00002 + (((i * 7919) % 13) - 6) * 0.00001;
    out.push({ kind: 'trade', market: MARKET, ts: T0 + i * 1e6, tradeId: String(i), price: p.toFixed(1), qty: ((i % 17) / 10 + 0.1).toFixed(3), side: i % 3 === 0 ? 'sell' : 'buy' });
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a worker killed mid-compute (real BullMQ, real Redis, kill -9)', () => {
  let t: TestStore;
  const q = testQueuePrefix();
  beforeAll(async () => {
    t = await createTestStore();
    await new BatchWriter(t.store).write({ events: trades(DAYS) });
  }, 120_000);
  afterAll(async () => {
    await q.cleanup();
    await t?.drop();
  });

  it('frees its market when BullMQ finds the job stalled, long before the lease would expire', async () => {
    // Short lock and stalled check (defaults 30 s each), through the config both workers read:
    // the dead worker's job is found within seconds instead of 30 to 60 s.
    const env = { REDIS_URL: TEST_REDIS_URL, LIQMAP_QUEUE_PREFIX: q.prefix, DATABASE_URL: t.url, LOG_LEVEL: 'warn', LIQMAP_JOB_LOCK_MS: '5000', LIQMAP_JOB_STALLED_CHECK_MS: '1000' };
    const config = parseConfig(env);
    const lines: { msg: string; market?: string; job?: string }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
        cb();
      },
    });
    const producer = await createJobRunner({ config, store: t.store, logger: pino({ level: 'silent' }), mode: 'enqueue-only' });
    let survivor: JobRunner | null = null;
    const doomed = spawnCli(['work', '--metrics-port', '0'], env);
    try {
      const jobId = await producer.recompute(MARKET);
      // The first worker takes the job and its market's lease…
      let lease: { owner: string; expires_at: Date } | undefined;
      // (a deadline, not a count of polls: under load a poll takes far longer than its sleep)
      for (const end = Date.now() + 120_000; Date.now() < end && !lease; ) {
        lease = (await sql<{ owner: string; expires_at: Date }>`select owner, expires_at from compute_locks where market_id = ${MARKET}`.execute(t.store.db)).rows[0];
        if (!lease) await sleep(50);
      }
      expect(lease?.owner).toMatch(new RegExp(`^job:${jobId.replace(/[~]/g, '\\$&')}@`));
      // …and dies mid-compute, holding it.
      doomed.kill('SIGKILL');
      await new Promise((r) => doomed.once('exit', r));
      const held = (await sql<{ owner: string; expires_at: Date }>`select owner, expires_at from compute_locks where market_id = ${MARKET}`.execute(t.store.db)).rows[0];
      expect(held?.owner).toBe(lease!.owner);
      const hash = modelParamsHash(parseModelParams({}));
      const lastT = T0 / 1000 + DAYS * 86_400_000 - 60_000;
      expect((await latestModelCheckpoint(t.store, MARKET, hash))?.t ?? 0).toBeLessThan(lastT);

      // Another worker: BullMQ's stalled-job check (its lock expired) hands the job back, and the
      // retry computes the market at once.
      survivor = await createJobRunner({ config, store: t.store, logger: pino({ level: 'warn' }, sink), mode: 'work', sandboxed: false });
      // Found within lock + check; a generous margin for load, still far below the 180 s it
      // would wait if nothing handed the job back.
      let taken: { owner: string; now: Date } | undefined;
      for (const end = Date.now() + 60_000; Date.now() < end && !taken; ) {
        const row = (await sql<{ owner: string; now: Date }>`select owner, now() as now from compute_locks where market_id = ${MARKET}`.execute(t.store.db)).rows[0];
        if (row && row.owner !== held!.owner) taken = row;
        else await sleep(100);
      }
      // The retry holds the market while the dead holder's lease was still in force (without the
      // release it would wait for that lease to expire, ~2 minutes after the last renewal).
      expect(taken?.owner).toMatch(/^job:/);
      expect(taken!.now.getTime()).toBeLessThan(held!.expires_at.getTime());
      // Freed by either path, whichever comes first: the stalled check releasing the dead
      // holder's lease (logged), or the job's retry taking over its own dead attempt's lease.
      const released = lines.some((l) => l.msg === 'stalled job: released its compute lease' && l.market === MARKET && l.job === jobId);
      expect(released || taken!.owner.startsWith(`job:${jobId}@`), `lease now held by ${taken!.owner}`).toBe(true);
      let done = false;
      for (let i = 0; i < 1800 && !done; i++) {
        done = (await latestModelCheckpoint(t.store, MARKET, hash))?.t === lastT;
        if (!done) await sleep(100);
      }
      expect(done).toBe(true);
    } finally {
      if (doomed.exitCode === null) doomed.kill('SIGKILL');
      await survivor?.close();
      await producer.close();
    }
  }, 240_000);
});
