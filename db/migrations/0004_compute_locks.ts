import { sql, type Kysely } from 'kysely';

/**
 * Per-market compute leases: one computation per market at a time across every worker process
 * and job kind (a market's compute job, a backfill step, an on-demand API computation).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table compute_locks (
      market_id text primary key,
      owner text not null,
      expires_at timestamptz not null
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists compute_locks`.execute(db);
}
