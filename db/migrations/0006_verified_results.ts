import { sql, type Kysely } from 'kysely';

/**
 * What makes served results verifiable and keeps every parameter set current:
 * - `result_dirty`: late data marks each persisted parameter set of a market (the market-wide
 *   mark in `market_versions.dirty_from` is fanned out to them), so every set is rolled back and
 *   recomputed from there, not only the first that runs.
 * - `bucket_inputs`: the per-bucket aggregates exactly as the SQL aggregation produced them and
 *   the model consumed them (float8), per market and parameter set: the reference engine
 *   replays these, so a check over months does not re-aggregate months of raw events.
 * - `result_checks`: verdicts of `check: true`, keyed by market, parameter hash, data version and
 *   the checked cells, so a check is computed once (and a pending one is found again by id).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table result_dirty (
      market_id text not null,
      params_hash text not null,
      dirty_from timestamptz not null,
      primary key (market_id, params_hash)
    )`.execute(db);

  const f = (c: string) => sql.raw(`${c} float8`);
  await sql`
    create table bucket_inputs (
      market_id text not null,
      params_hash text not null,
      t timestamptz not null,
      ${f('trade_open')}, ${f('trade_high')}, ${f('trade_low')}, ${f('trade_close')}, ${f('trade_vwap')}, ${f('trade_buy')}, ${f('trade_sell')},
      ${f('candle_open')}, ${f('candle_high')}, ${f('candle_low')}, ${f('candle_close')}, ${f('candle_volume')},
      ${f('open_interest')}, ${f('funding')}, ${f('mark')}, ${f('liq_long')}, ${f('liq_short')},
      primary key (market_id, params_hash, t)
    )`.execute(db);

  await sql`
    create table result_checks (
      id text primary key,
      market_id text not null,
      params_hash text not null,
      data_version bigint not null,
      field text not null,
      window_from timestamptz not null,
      window_to timestamptz not null,
      cells jsonb not null,
      status text not null,
      verdict jsonb,
      error text,
      created_at timestamptz not null default now(),
      finished_at timestamptz
    )`.execute(db);
  await sql`create index result_checks_market on result_checks (market_id, params_hash, data_version)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['result_checks', 'bucket_inputs', 'result_dirty']) await sql`drop table if exists ${sql.table(t)}`.execute(db);
}
