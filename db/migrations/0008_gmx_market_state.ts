import { sql, type Kysely } from 'kysely';

/**
 * What GMX v2's exact liquidation rule needs beyond size and collateral: each position change
 * gets the position's accumulators at that change (borrowing factor, funding fee per size),
 * its pending price impact and the collateral token's oracle price; `market_state` is the
 * history of each market's accumulators and Config parameters (one row per log), so the state
 * at any time is the latest row at or before it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const t of ['position_history', 'positions']) {
    await sql`
      alter table ${sql.table(t)}
        add column market_token text,
        add column collateral_is_index boolean not null default false,
        add column collateral_price numeric,
        add column borrowing_factor numeric,
        add column funding_fee_per_size numeric,
        add column pending_impact_tokens numeric`.execute(db);
  }
  await sql`
    create table market_state (
      market_id text not null,
      kind text not null,
      collateral_token text not null default '',
      flag boolean not null default false,
      entry_id text not null,
      block bigint not null,
      ts timestamptz not null,
      value numeric not null,
      primary key (market_id, kind, collateral_token, flag, entry_id)
    )`.execute(db);
  await sql`create index market_state_block on market_state (block)`.execute(db);
  await sql`create index market_state_market_ts on market_state (market_id, ts)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists market_state`.execute(db);
  for (const t of ['position_history', 'positions']) {
    await sql`
      alter table ${sql.table(t)}
        drop column if exists market_token, drop column if exists collateral_is_index, drop column if exists collateral_price,
        drop column if exists borrowing_factor, drop column if exists funding_fee_per_size, drop column if exists pending_impact_tokens`.execute(db);
  }
}
