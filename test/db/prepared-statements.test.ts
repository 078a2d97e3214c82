import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { BatchWriter, createPostgresStore, type CanonicalEvent, type Store } from '../../db/index.js';
import { createTestStore, type TestStore } from '../_setup/store.js';

/**
 * Kysely's queries are prepared once per connection: unprepared, each query with parameters
 * cost two round trips (Parse + Describe, then Bind + Execute) and a parse and plan on the server.
 */
describe('Postgres store statements', () => {
  let t: TestStore;
  let one: Store; // one connection, so the session asked is the one that ran the queries
  beforeAll(async () => {
    t = await createTestStore();
    one = createPostgresStore({ url: t.url, max: 1 });
    await sql`create table prepared_probe (a int)`.execute(one.db);
    await sql`insert into prepared_probe values (1), (2)`.execute(one.db);
  });
  afterAll(async () => {
    await one?.close();
    await t?.drop();
  });

  it('a query with parameters is prepared once and reused', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await sql<{ a: number }>`select a from prepared_probe where a = ${1 + (i % 2)}`.execute(one.db);
      expect(r.rows).toEqual([{ a: 1 + (i % 2) }]);
    }
    const r = await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements where statement = 'select a from prepared_probe where a = $1'`.execute(one.db);
    expect(r.rows[0]!.n).toBe(1);
  });

  it("the batch writer's statements are prepared: each text once, whatever the batches", async () => {
    const w = new BatchWriter(one);
    const t0 = Date.UTC(2024, 0, 2) * 1000;
    for (let b = 0; b < 3; b++) {
      const events: CanonicalEvent[] = Array.from({ length: 5 }, (_, i) => ({ kind: 'trade', market: 'binance:BTCUSDT', ts: t0 + (b * 5 + i) * 1000, tradeId: `agg:${b * 5 + i}`, price: '42000.5', qty: '0.001', side: 'buy' }));
      const checkpoint = { sourceKey: 'probe.csv', format: 'probe', fingerprint: 'f', line: (b + 1) * 5, rowsWritten: (b + 1) * 5, rowsQuarantined: 0, state: {}, done: b === 2 };
      const r = await w.write({ events, checkpoint, resetQuarantine: b === 0, quarantined: [{ file: 'probe.csv', line: b + 100, field: null, reason: 'probe', raw: 'x' }] });
      expect(r.inserted.trade).toBe(5);
    }
    const r = await sql<{ statement: string }>`select statement from pg_prepared_statements where from_sql = false`.execute(one.db);
    const named = (part: string) => r.rows.filter((s) => s.statement.includes(part)).length;
    // Without them prepared, none of these is there (each went out as Parse + Describe, then Bind + Execute).
    expect(named('pg_advisory_xact_lock')).toBe(1);
    expect(named('from "trades" where market_id = $1')).toBe(1);
    expect(named('insert into ingest_checkpoints')).toBe(1);
    expect(named('insert into market_versions')).toBe(1);
    expect(named('insert into quarantine')).toBe(1);
    expect(named('delete from quarantine')).toBe(1);
    const stored = await sql<{ n: number }>`select count(*)::int as n from trades`.execute(one.db);
    expect(stored.rows[0]!.n).toBe(15);
    const q = await sql<{ n: number }>`select count(*)::int as n from quarantine where source_key = 'probe.csv'`.execute(one.db);
    expect(q.rows[0]!.n).toBe(3);
  });

  it('a prepared query still answers after its table changed shape (re-prepared)', async () => {
    const q = () => sql<Record<string, unknown>>`select * from prepared_probe where a = ${1}`.execute(one.db);
    expect((await q()).rows).toEqual([{ a: 1 }]);
    await sql`alter table prepared_probe add column b int default 7`.execute(one.db);
    expect((await q()).rows).toEqual([{ a: 1, b: 7 }]);
  });
});
