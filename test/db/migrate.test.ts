import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { migrateToLatest } from '../../db/index.js';
import { createTestStore, type TestStore } from '../_setup/store.js';

/**
 * Every command migrates first: a current schema is recognised from the executed migrations
 * alone, and anything else still goes through Kysely's Migrator.
 */
describe('migrateToLatest', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await createTestStore();
  });
  afterAll(async () => {
    await t?.drop();
  });

  const lockTable = async () => (await sql<{ r: string | null }>`select to_regclass('kysely_migration_lock')::text as r`.execute(t.store.db)).rows[0]!.r;

  it('a current schema is left alone: the Migrator (which makes its lock table first) does not run', async () => {
    await sql`drop table kysely_migration_lock`.execute(t.store.db);
    expect(await migrateToLatest(t.store)).toEqual({ applied: [] });
    // The Migrator would have made it again (it fails with the fast path removed).
    expect(await lockTable()).toBeNull();
  });

  it('a migration this liqmap does not know (a newer one ran) still fails as the Migrator says', async () => {
    await sql`insert into kysely_migration (name, timestamp) values ('9999_from_the_future', now()::text)`.execute(t.store.db);
    await expect(migrateToLatest(t.store)).rejects.toMatchObject({ code: 'MIGRATION_FAILED' });
    await sql`delete from kysely_migration where name = '9999_from_the_future'`.execute(t.store.db);
    expect(await migrateToLatest(t.store)).toEqual({ applied: [] });
  });
});
