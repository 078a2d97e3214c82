import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createPostgresStore, type Store } from '../../db/index.js';
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

  it('a prepared query still answers after its table changed shape (re-prepared)', async () => {
    const q = () => sql<Record<string, unknown>>`select * from prepared_probe where a = ${1}`.execute(one.db);
    expect((await q()).rows).toEqual([{ a: 1 }]);
    await sql`alter table prepared_probe add column b int default 7`.execute(one.db);
    expect((await q()).rows).toEqual([{ a: 1, b: 7 }]);
  });
});
