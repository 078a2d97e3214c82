import { sql, type RawBuilder } from 'kysely';
import type { Store } from '../store.js';

/** What a read of a market's persisted results needs to know first, from one round trip. */
export interface ResultFacts {
  /** Whether the market is indexed (a `markets` row). */
  readonly known: boolean;
  /** First and last event time (epoch ms) over the kinds the model reads, or null without events. */
  readonly span: { readonly firstMs: number; readonly lastMs: number } | null;
  /** The trade-candle interval (s) of a market with candles and no trades, else null. */
  readonly candleOnlyInterval: number | null;
  /** Whether the market's positions are known (its levels are exact). */
  readonly hasPositions: boolean;
  /** Newest checkpoint time (epoch ms) per persisted parameter hash. */
  readonly checkpoints: ReadonlyMap<string, number>;
}

type FactsRow = { known: boolean; first: number | null; last: number | null; has_trades: boolean; interval_s: number | null; has_positions: boolean; checkpoints: Record<string, number> | string | null };

/** The facts' one-row select; `last_ts` is the newest event time as a timestamptz (for a data query's default time). */
const factsSelect = (market: string) => sql<FactsRow & { last_ts: unknown }>`
    select exists(select 1 from markets where id = ${market}) as known,
      (extract(epoch from s.f) * 1000)::float8 as first, (extract(epoch from s.l) * 1000)::float8 as last, s.l as last_ts,
      exists(select 1 from trades where market_id = ${market}) as has_trades,
      (select min(interval_s) from candles where market_id = ${market} and price_type = 'trade') as interval_s,
      exists(select 1 from position_history where market_id = ${market}) as has_positions,
      (select json_object_agg(params_hash, ms) from (
         select params_hash, (extract(epoch from max(t)) * 1000)::float8 as ms from model_checkpoints where market_id = ${market} group by params_hash) c) as checkpoints
    from (select min(f) as f, max(l) as l from (
      select min(ts) f, max(ts) l from trades where market_id = ${market}
      union all select min(ts), max(ts) from candles where market_id = ${market} and price_type = 'trade'
      union all select min(ts), max(ts) from mark_prices where market_id = ${market}) u) s`;

function factsOf(row: FactsRow): ResultFacts {
  const cps = typeof row.checkpoints === 'string' ? (JSON.parse(row.checkpoints) as Record<string, number>) : (row.checkpoints ?? {});
  return {
    known: Boolean(row.known),
    span: row.first === null || row.last === null ? null : { firstMs: Number(row.first), lastMs: Number(row.last) },
    candleOnlyInterval: !row.has_trades && row.interval_s !== null ? Number(row.interval_s) : null,
    hasPositions: Boolean(row.has_positions),
    checkpoints: new Map(Object.entries(cps).map(([k, v]) => [k, Number(v)])),
  };
}

/**
 * The facts {@link marketSpan}, {@link candleOnlyInterval}, `hasPositions` and the newest
 * checkpoint of every parameter set give, in one statement, for the API's read fields: an
 * uncached heatmap, clusters or liquidation map then costs this and one data query, not eight
 * round trips (one of which read the whole saved model state for its timestamp).
 */
export async function resultFacts(store: Store, market: string): Promise<ResultFacts> {
  const r = await factsSelect(market).execute(store.db);
  return factsOf(r.rows[0]!);
}

/**
 * {@link resultFacts} and a data query's rows, in one statement (one round trip where there
 * were two: on loopback under load each statement's socket write and wake-up cost as much CPU as
 * the query). `data` gets the timestamptz SQL expression of the market's newest event (null
 * without events) for a default time, and may read only what it selects: it runs whatever the
 * facts say, so its caller throws its rows away when they turn out not to be wanted. Its rows
 * arrive as JSON (float8 printed shortest-exact, Postgres 12+).
 */
export async function resultFactsWith<T>(store: Store, market: string, data: (lastEvent: RawBuilder<unknown>) => RawBuilder<T>): Promise<{ facts: ResultFacts; rows: T[] }> {
  const r = await sql<FactsRow & { data: T[] | string | null }>`
    with facts as (${factsSelect(market)})
    select facts.*, (select json_agg(d) from (${data(sql`facts.last_ts`)}) d) as data from facts`.execute(store.db);
  const row = r.rows[0]!;
  const rows = typeof row.data === 'string' ? (JSON.parse(row.data) as T[]) : (row.data ?? []);
  return { facts: factsOf(row), rows };
}
