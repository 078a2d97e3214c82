import { sql, type Kysely } from 'kysely';

/**
 * Live exchange feeds.
 * - `liquidations.sampled`: the venue's stream publishes at most one force order per symbol per
 *   period (Binance `forceOrder`, OKX `liquidation-orders`: one per second), so its rows are a
 *   sample of the liquidations, not all of them.
 * - `live_gaps`: a time range of one market and stream that a live feed missed (a disconnect)
 *   and the venue's REST history could not fill, with the reason. Never silent.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table liquidations add column sampled boolean not null default false`.execute(db);
  await sql`
    create table live_gaps (
      market_id text not null,
      stream text not null,
      from_ts timestamptz not null,
      to_ts timestamptz not null,
      reason text not null,
      recorded_at timestamptz not null default now(),
      primary key (market_id, stream, from_ts)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists live_gaps`.execute(db);
  await sql`alter table liquidations drop column if exists sampled`.execute(db);
}
