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

type Checkpoints = Record<string, number> | string | null;
type FactsRow = { known: boolean; first: number | null; last: number | null; has_trades: boolean; interval_s: number | null; has_positions: boolean; checkpoints: Checkpoints; version: number | string | null; last_text: string | null };

/** Newest checkpoint time per parameter hash of a market, as one JSON object (null: none). */
const checkpointsSelect = (market: string) => sql<Checkpoints>`(select json_object_agg(params_hash, ms) from (
         select params_hash, (extract(epoch from max(t)) * 1000)::float8 as ms from model_checkpoints where market_id = ${market} group by params_hash) c)`;

/** Whether the market has known positions (exact levels). */
const hasPositionsSelect = (market: string) => sql<boolean>`exists(select 1 from position_history where market_id = ${market})`;

/** The market's data version (null: no `market_versions` row). */
const versionSelect = (market: string) => sql<number | string | null>`(select version from market_versions where market_id = ${market})`;

/**
 * The facts' one-row select; `last_ts` is the newest event time as a timestamptz (for a data
 * query's default time), `last_text` the same as text (exact to the microsecond, for
 * {@link resultFactsWith}'s later statements), `version` the market's data version.
 */
const factsSelect = (market: string) => sql<FactsRow & { last_ts: unknown }>`
    select exists(select 1 from markets where id = ${market}) as known,
      (extract(epoch from s.f) * 1000)::float8 as first, (extract(epoch from s.l) * 1000)::float8 as last, s.l as last_ts, s.l::text as last_text,
      exists(select 1 from trades where market_id = ${market}) as has_trades,
      (select min(interval_s) from candles where market_id = ${market} and price_type = 'trade') as interval_s,
      ${hasPositionsSelect(market)} as has_positions, ${checkpointsSelect(market)} as checkpoints, ${versionSelect(market)} as version
    from (select min(f) as f, max(l) as l from (
      select min(ts) f, max(ts) l from trades where market_id = ${market}
      union all select min(ts), max(ts) from candles where market_id = ${market} and price_type = 'trade'
      union all select min(ts), max(ts) from mark_prices where market_id = ${market}) u) s`;

function checkpointsOf(checkpoints: Checkpoints): Map<string, number> {
  const cps = typeof checkpoints === 'string' ? (JSON.parse(checkpoints) as Record<string, number>) : (checkpoints ?? {});
  return new Map(Object.entries(cps).map(([k, v]) => [k, Number(v)]));
}

function factsOf(row: FactsRow): ResultFacts {
  return {
    known: Boolean(row.known),
    span: row.first === null || row.last === null ? null : { firstMs: Number(row.first), lastMs: Number(row.last) },
    candleOnlyInterval: !row.has_trades && row.interval_s !== null ? Number(row.interval_s) : null,
    hasPositions: Boolean(row.has_positions),
    checkpoints: checkpointsOf(row.checkpoints),
  };
}

/** The facts of a market that change only with its data version, as a full read found them at that version. */
interface VersionedFacts {
  readonly version: string;
  /** The newest event time as Postgres printed it (a timestamptz literal). */
  readonly lastText: string;
  readonly facts: Omit<ResultFacts, 'checkpoints' | 'hasPositions'>;
}
/** Markets' {@link VersionedFacts} per database handle (tests run many schemas in one process); bounded. */
const versioned = new WeakMap<object, Map<string, VersionedFacts>>();
const MAX_VERSIONED = 1000;

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
 *
 * The market, its span and candle-only interval change only with the market's data version
 * (every ingest batch that adds rows, every subgraph rollback bumps it): once read at a version,
 * later calls read just the version, the checkpoints (a compute moves them without a new
 * version), whether it has positions (a subgraph page of positions alone bumps no version) and
 * the data (at the newest event as then),
 * and keep those facts while the version is the same; a new version (or none) reads them all
 * again, in a second statement. The full facts touch a dozen relations (every trades partition
 * and its index, candles, mark prices, positions), whose locks and executor set-up were half the
 * statement's server time on an uncached clusters request (pgbench, one client: 0.20 ms against
 * 0.13 ms without them).
 */
export async function resultFactsWith<T>(store: Store, market: string, data: (lastEvent: RawBuilder<unknown>) => RawBuilder<T>): Promise<{ facts: ResultFacts; rows: T[] }> {
  const kept = versioned.get(store.db)?.get(market);
  if (kept) {
    // The facts last read at this version, if it is still the version.
    const r = await sql<{ version: number | string | null; has_positions: boolean; checkpoints: Checkpoints; data: T[] | string | null }>`
      select ${versionSelect(market)} as version, ${hasPositionsSelect(market)} as has_positions, ${checkpointsSelect(market)} as checkpoints,
        (select json_agg(d) from (${data(sql`${kept.lastText}::timestamptz`)}) d) as data`.execute(store.db);
    const row = r.rows[0]!;
    if (row.version !== null && String(row.version) === kept.version) return { facts: { ...kept.facts, hasPositions: Boolean(row.has_positions), checkpoints: checkpointsOf(row.checkpoints) }, rows: rowsOf(row.data) };
  }
  const r = await sql<FactsRow & { data: T[] | string | null }>`
    with facts as (${factsSelect(market)})
    select facts.*, (select json_agg(d) from (${data(sql`facts.last_ts`)}) d) as data from facts`.execute(store.db);
  const row = r.rows[0]!;
  const facts = factsOf(row);
  if (facts.known && facts.span && row.version !== null && row.last_text !== null) keep(store.db, market, { version: String(row.version), lastText: row.last_text, facts: { known: facts.known, span: facts.span, candleOnlyInterval: facts.candleOnlyInterval } });
  return { facts, rows: rowsOf(row.data) };
}

const rowsOf = <T>(data: T[] | string | null): T[] => (typeof data === 'string' ? (JSON.parse(data) as T[]) : (data ?? []));

function keep(db: object, market: string, v: VersionedFacts): void {
  let byMarket = versioned.get(db);
  if (!byMarket) versioned.set(db, (byMarket = new Map()));
  if (byMarket.size >= MAX_VERSIONED && !byMarket.has(market)) byMarket.clear();
  byMarket.set(market, v);
}
