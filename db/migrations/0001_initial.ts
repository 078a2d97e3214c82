import { sql, type Kysely } from 'kysely';

/**
 * The canonical tables. Prices/quantities are `numeric` (exact, as the sources printed them);
 * times are `timestamptz` (microsecond precision). Every table has a natural key so that
 * re-ingesting the same data is a no-op.
 *
 * `trades` is range-partitioned by time (monthly partitions created on demand by the writer,
 * plus a default partition) because a year of one market's aggregate trades is hundreds of
 * millions of rows; every hot query is by market and time range, which the primary key serves.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table markets (
      id text primary key,
      exchange text not null,
      symbol text not null,
      created_at timestamptz not null default now(),
      unique (exchange, symbol)
    )`.execute(db);

  await sql`
    create table trades (
      market_id text not null,
      ts timestamptz not null,
      trade_id text not null,
      price numeric not null,
      qty numeric not null,
      side text,
      primary key (market_id, ts, trade_id)
    ) partition by range (ts)`.execute(db);
  await sql`create table trades_default partition of trades default`.execute(db);

  await sql`
    create table funding_rates (
      market_id text not null,
      ts timestamptz not null,
      rate numeric not null,
      mark_price numeric,
      interval_hours real,
      primary key (market_id, ts)
    )`.execute(db);

  await sql`
    create table liquidations (
      market_id text not null,
      ts timestamptz not null,
      key text not null,
      side text,
      price numeric not null,
      qty numeric,
      notional numeric,
      primary key (market_id, ts, key)
    )`.execute(db);

  await sql`
    create table open_interest (
      market_id text not null,
      ts timestamptz not null,
      oi_qty numeric not null,
      oi_value numeric,
      primary key (market_id, ts)
    )`.execute(db);

  await sql`
    create table mark_prices (
      market_id text not null,
      ts timestamptz not null,
      mark_price numeric not null,
      index_price numeric,
      funding_rate numeric,
      primary key (market_id, ts)
    )`.execute(db);

  await sql`
    create table candles (
      market_id text not null,
      price_type text not null,
      interval_s integer not null,
      ts timestamptz not null,
      open numeric not null,
      high numeric not null,
      low numeric not null,
      close numeric not null,
      volume numeric,
      quote_volume numeric,
      trade_count integer,
      primary key (market_id, price_type, interval_s, ts)
    )`.execute(db);

  await sql`
    create table ingest_checkpoints (
      source_key text primary key,
      format text not null,
      fingerprint text not null,
      line bigint not null default 0,
      rows_written bigint not null default 0,
      rows_quarantined bigint not null default 0,
      state jsonb not null default '{}'::jsonb,
      done boolean not null default false,
      updated_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table quarantine (
      source_key text not null,
      file text not null,
      line bigint not null,
      field text,
      reason text not null,
      raw text not null,
      created_at timestamptz not null default now(),
      primary key (source_key, line)
    )`.execute(db);

  // Per-market data version: bumped by every committed batch, so computed results and API
  // caches know when they are stale.
  await sql`
    create table market_versions (
      market_id text primary key,
      version bigint not null default 0,
      first_ts timestamptz,
      last_ts timestamptz,
      updated_at timestamptz not null default now()
    )`.execute(db);
}

/** Drops everything {@link up} created. */
export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'market_versions',
    'quarantine',
    'ingest_checkpoints',
    'candles',
    'mark_prices',
    'open_interest',
    'liquidations',
    'funding_rates',
    'trades',
    'markets',
  ]) {
    await sql`drop table if exists ${sql.table(t)} cascade`.execute(db);
  }
}
