import { sql, type Kysely } from 'kysely';

/**
 * Leverage layers and aggregates across venues:
 * - `heatmap_rows.lev*`: each row's pending levels per leverage (db/results/leverage-layers.ts),
 *   so `leverages:` filters are served from persisted results. Rows computed before are marked
 *   for recomputation (every persisted parameter set, from its start): their layers are missing.
 * - `aggregates`: one row per aggregate (a base asset over a set of venues) and requested
 *   parameter set: its parts (markets, their parameter hashes, basis and the data version each
 *   was summed at) and the newest bucket summed. The summed rows themselves live in
 *   heatmap_rows/clusters under the aggregate's id (`agg:BTC/binance+bybit`), each part's rows
 *   moved onto the common grid under `agg:BTC/binance+bybit|binance:BTCUSDT`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table heatmap_rows add column lev float8[], add column lev_long_lo integer[], add column lev_long_n integer[], add column lev_long float8[],
    add column lev_short_lo integer[], add column lev_short_n integer[], add column lev_short float8[]`.execute(db);
  await sql`insert into result_dirty (market_id, params_hash, dirty_from)
    select distinct market_id, params_hash, timestamptz '1970-01-01 00:00:00+00' from model_checkpoints
    on conflict (market_id, params_hash) do update set dirty_from = excluded.dirty_from`.execute(db);
  await sql`
    create table aggregates (
      agg_id text not null,
      params_hash text not null,
      symbol text not null,
      venues text[] not null,
      params jsonb not null,
      parts jsonb not null,
      last_t timestamptz,
      updated_at timestamptz not null default now(),
      primary key (agg_id, params_hash)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists aggregates`.execute(db);
  await sql`alter table heatmap_rows drop column if exists lev, drop column if exists lev_long_lo, drop column if exists lev_long_n, drop column if exists lev_long,
    drop column if exists lev_short_lo, drop column if exists lev_short_n, drop column if exists lev_short`.execute(db);
}
