import { sql, type Kysely } from 'kysely';

/**
 * On-chain positions (GMX v2 through its subgraph). `position_history` has one row per change
 * (keyed by the change's id: tx hash + log index) with its block; `positions` is the state after
 * the newest change per position key, rebuilt from history after a reorg. `subgraph_rows`
 * remembers which page (by its last block) wrote each canonical row, so a reorg deletes exactly
 * what the orphaned blocks wrote.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table position_history (
      position_key text not null,
      change_id text not null,
      market_id text not null,
      account text not null,
      collateral_token text not null,
      is_long boolean not null,
      size_usd numeric not null,
      size_tokens numeric,
      collateral_tokens numeric,
      collateral_usd numeric not null,
      entry_price numeric,
      open boolean not null,
      block bigint not null,
      ts timestamptz not null,
      primary key (position_key, change_id)
    )`.execute(db);
  await sql`create index position_history_block on position_history (block)`.execute(db);
  await sql`create index position_history_market_ts on position_history (market_id, ts)`.execute(db);
  await sql`
    create table positions (
      position_key text primary key,
      change_id text not null,
      market_id text not null,
      account text not null,
      collateral_token text not null,
      is_long boolean not null,
      size_usd numeric not null,
      size_tokens numeric,
      collateral_tokens numeric,
      collateral_usd numeric not null,
      entry_price numeric,
      open boolean not null,
      block bigint not null,
      ts timestamptz not null
    )`.execute(db);
  await sql`create index positions_market_open on positions (market_id) where open`.execute(db);
  await sql`
    create table subgraph_rows (
      source_key text not null,
      page_block bigint not null,
      kind text not null,
      market_id text not null,
      ts timestamptz not null,
      key text not null,
      primary key (source_key, kind, market_id, ts, key)
    )`.execute(db);
  await sql`create index subgraph_rows_block on subgraph_rows (source_key, page_block)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['subgraph_rows', 'positions', 'position_history']) await sql`drop table if exists ${sql.table(t)}`.execute(db);
}
