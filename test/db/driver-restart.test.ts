import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_BIN, throwawayPostgres, type ThrowawayPostgres } from '../_setup/throwaway-postgres.js';

/**
 * The pool repairs of scripts/patch-postgres-driver.mjs (postinstall), each on its own: a
 * reservation (Kysely reserves a connection for every query) whose connection a server closes
 * under it. Each case hung or shrank the pool for good on the driver as published.
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** `p` settled within `ms`, or the string 'pending'. */
const within = <T>(p: Promise<T>, ms: number): Promise<T | 'pending'> => Promise.race([p, sleep(ms).then(() => 'pending' as const)]);

describe.skipIf(!PG_BIN)('postgres.js pool through closed connections (repaired at install)', () => {
  let pg: ThrowawayPostgres;
  let admin: postgres.Sql;
  const pools: postgres.Sql[] = [];
  const pool = (opts: postgres.Options<Record<string, postgres.PostgresType>> = {}) => {
    const sql = postgres(pg.url, { max: 1, onnotice: () => {}, ...opts });
    pools.push(sql);
    return sql;
  };
  /** Closes a backend from the server side, as a restart does, and waits until it is gone. */
  async function terminate(pid: number): Promise<void> {
    await admin`select pg_terminate_backend(${pid})`;
    while ((await admin`select 1 from pg_stat_activity where pid = ${pid}`).length > 0) await sleep(20);
  }
  const backend = async (sql: postgres.Sql | postgres.ReservedSql) => (await sql<{ pid: number }[]>`select pg_backend_pid() as pid`)[0]!.pid;

  beforeAll(async () => {
    pg = await throwawayPostgres();
    admin = postgres(pg.url, { max: 1, onnotice: () => {} });
  }, 60_000);
  afterAll(async () => {
    await Promise.all([admin, ...pools].map((s) => s?.end({ timeout: 1 }).catch(() => {})));
    pg?.destroy();
  });

  it('a reservation queued when the held connection closes is served by its reconnect (it used to never settle)', async () => {
    const sql = pool();
    const first = await sql.reserve();
    const pid = await backend(first);
    const queued = sql.reserve();
    await terminate(pid);
    const second = await within(queued, 5000);
    expect(second).not.toBe('pending');
    const r = second as postgres.ReservedSql;
    expect(await backend(r)).not.toBe(pid);
    first.release();
    r.release();
  });

  it("a late release of a reservation whose connection closed leaves the connection's next holder alone", async () => {
    const sql = pool();
    const stale = await sql.reserve();
    await terminate(await backend(stale));
    await sleep(100); // the close reached the pool
    const holder = await sql.reserve();
    const pid = await backend(holder);
    stale.release(); // e.g. Kysely releasing after its query failed with CONNECTION_CLOSED
    // max 1: a query must wait for the holder; the late release used to hand it the held connection.
    const query = sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
    expect(await within(query, 500)).toBe('pending');
    holder.release();
    expect((await query)[0]!.pid).toBe(pid);
  });

  it('a reservation refused while the server is down does not keep a place in the queue (it took the next connection for good)', async () => {
    const sql = pool({ backoff: () => 0.3 });
    await sql`select 1`;
    pg.stop();
    try {
      await sleep(100); // the idle connection's close reached the pool
      await expect(sql.reserve()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      await sleep(700); // reconnect attempts while the server is still down
    } finally {
      pg.start();
    }
    const r = await within(sql.reserve(), 5000);
    expect(r).not.toBe('pending');
    (r as postgres.ReservedSql).release();
    expect(await within(sql`select 1 as one`, 5000)).toEqual([{ one: 1 }]);
  });
});
