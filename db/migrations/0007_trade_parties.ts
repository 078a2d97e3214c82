import { sql, type Kysely } from 'kysely';

/**
 * The two accounts of each trade where the venue publishes them (Hyperliquid's `trades`
 * stream: buyer and seller addresses), keyed like `trades`; the exact mode reconstructs
 * positions from them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table trade_parties (
      market_id text not null,
      ts timestamptz not null,
      trade_id text not null,
      buyer text not null,
      seller text not null,
      primary key (market_id, ts, trade_id)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists trade_parties`.execute(db);
}
