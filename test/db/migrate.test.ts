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

  it('heatmap rows\' level arrays are compressed with lz4 where the server has it (pglz took 4-5× as long as lz4 to write a day of level-spread rows)', async () => {
    const has = (await sql<{ lz4: boolean }>`select exists (select 1 from pg_settings where name = 'default_toast_compression' and 'lz4' = any (enumvals)) as lz4`.execute(t.store.db)).rows[0]!.lz4;
    const cols = (await sql<{ attname: string; c: string }>`select attname, attcompression::text as c from pg_attribute where attrelid = 'heatmap_rows'::regclass and attname in ('long', 'short', 'oi_long', 'oi_short', 'lev_long', 'lev_short') order by attname`.execute(t.store.db)).rows;
    expect(cols).toHaveLength(6);
    for (const c of cols) expect([c.attname, c.c]).toEqual([c.attname, has ? 'l' : '']);
  });
});
