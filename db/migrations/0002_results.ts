import { sql, type Kysely } from 'kysely';

/**
 * Computed results. A heatmap row is one time bucket of one market under one parameter set:
 * dense float8 arrays of pending long/short liquidation notional (quote) by price bucket, and
 * the open-interest-by-entry profile — compact, one row per
 * bucket, sliced by the API. Each array starts at its own `*_lo` price-bucket index. Model state checkpoints let a worker resume instead of replaying
 * history; `market_versions.dirty_from` marks where late data invalidated results.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table market_versions add column dirty_from timestamptz`.execute(db);

  await sql`
    create table model_params (
      params_hash text primary key,
      params jsonb not null,
      created_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table heatmap_rows (
      market_id text not null,
      params_hash text not null,
      t timestamptz not null,
      price float8 not null,
      price_step float8 not null,
      long_lo integer not null,
      long float8[] not null,
      short_lo integer not null,
      short float8[] not null,
      oi_lo integer not null,
      oi_long float8[] not null,
      oi_short float8[] not null,
      liquidated_long float8 not null,
      liquidated_short float8 not null,
      data_version bigint not null,
      primary key (market_id, params_hash, t)
    )`.execute(db);

  await sql`
    create table clusters (
      market_id text not null,
      params_hash text not null,
      t timestamptz not null,
      rank integer not null,
      side text not null,
      price_low float8 not null,
      price_high float8 not null,
      peak_price float8 not null,
      notional float8 not null,
      share_of_side float8 not null,
      distance float8 not null,
      composition jsonb not null,
      primary key (market_id, params_hash, t, rank)
    )`.execute(db);

  await sql`
    create table model_checkpoints (
      market_id text not null,
      params_hash text not null,
      t timestamptz not null,
      state text not null,
      data_version bigint not null,
      created_at timestamptz not null default now(),
      primary key (market_id, params_hash, t)
    )`.execute(db);

  await sql`
    create table job_runs (
      id bigserial primary key,
      market_id text not null,
      params_hash text not null,
      started_at timestamptz not null,
      finished_at timestamptz,
      buckets integer not null default 0,
      status text not null,
      error text
    )`.execute(db);
  await sql`create index job_runs_market on job_runs (market_id, started_at desc)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['job_runs', 'model_checkpoints', 'clusters', 'heatmap_rows', 'model_params']) {
    await sql`drop table if exists ${sql.table(t)}`.execute(db);
  }
  await sql`alter table market_versions drop column if exists dirty_from`.execute(db);
}
