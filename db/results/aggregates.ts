import { sql } from 'kysely';
import type { Store } from '../store.js';
import { marketBaseQuote, SYMBOL_VENUES } from '../market-venues.js';

/**
 * Quotes summed as one: USDT-, USDC- and USD-margined books are added 1:1 (a stablecoin's
 * drift from the dollar is far below the model's own uncertainty). Markets of any other quote
 * (coin-quoted, EUR) are not part of an aggregate.
 */
export const AGGREGATE_QUOTES: ReadonlySet<string> = new Set(['USDT', 'USDC', 'USD']);

/** A base asset as `symbol:` takes it: letters and digits, 1 to 32 characters (upper case). */
export const AGGREGATE_SYMBOL = /^[\p{Lu}\p{N}]{1,32}$/u;

/** One market of an aggregate, as the aggregate was last summed. */
export interface AggregatePart {
  readonly market: string;
  readonly venue: string;
  /** The part's own parameter set (its venue's brackets applied). */
  readonly paramsHash: string;
  readonly basis: 'ESTIMATED' | 'EXACT';
  /** The part's model time bucket, ms. */
  readonly widthMs: number;
  /** Newest data version among the part's rows when they were summed. */
  readonly rowsVersion: number;
}

/** An aggregate's persisted state. */
export interface AggregateState {
  readonly aggId: string;
  readonly paramsHash: string;
  readonly symbol: string;
  readonly venues: readonly string[];
  /** The requested (partial) parameters. */
  readonly params: Record<string, unknown>;
  readonly parts: readonly AggregatePart[];
  /** Newest summed bucket, epoch ms (null: nothing summed yet). */
  readonly lastT: number | null;
}

/** `agg:BTC/binance+bybit`: the id an aggregate's rows are persisted under (venues in registry order). */
export function aggregateId(symbol: string, venues: readonly string[]): string {
  return `agg:${symbol}/${orderVenues(venues).join('+')}`;
}

/** The id of one part's rows moved onto an aggregate's grid. */
export function aggregatePartId(aggId: string, market: string): string {
  return `${aggId}|${market}`;
}

/** Symbol and venues of an aggregate id, or null when `id` is not one. */
export function parseAggregateId(id: string): { symbol: string; venues: string[] } | null {
  const m = /^agg:([^/|]+)\/([a-z0-9_+-]+)$/.exec(id);
  return m ? { symbol: m[1]!, venues: m[2]!.split('+') } : null;
}

/** Venues in the registry's order (unknown ones after, alphabetically), without duplicates. */
export function orderVenues(venues: readonly string[]): string[] {
  const rank = (v: string) => {
    const i = SYMBOL_VENUES.indexOf(v);
    return i < 0 ? SYMBOL_VENUES.length : i;
  };
  return [...new Set(venues)].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The markets of base `symbol` on `venues` (all registry venues when omitted) whose quote is one
 * of {@link AGGREGATE_QUOTES}, in registry venue order then id: the parts of an aggregate.
 */
export async function aggregateMarkets(store: Store, symbol: string, venues?: readonly string[]): Promise<{ market: string; venue: string }[]> {
  const names = venues ?? SYMBOL_VENUES;
  if (names.length === 0) return [];
  const rows = await store.db.selectFrom('markets').select(['id', 'exchange']).where('exchange', 'in', [...names]).execute();
  const order = orderVenues(names);
  return rows
    .filter((r) => {
      const bq = marketBaseQuote(r.id);
      return bq !== null && bq.base === symbol && AGGREGATE_QUOTES.has(bq.quote);
    })
    .map((r) => ({ market: r.id, venue: r.exchange }))
    .sort((a, b) => order.indexOf(a.venue) - order.indexOf(b.venue) || (a.market < b.market ? -1 : 1));
}

const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);

/** The aggregate's state under a requested parameter set, or null when it was never summed. */
export async function readAggregate(store: Store, aggId: string, paramsHash: string): Promise<AggregateState | null> {
  const r = await store.db.selectFrom('aggregates').selectAll().where('agg_id', '=', aggId).where('params_hash', '=', paramsHash).executeTakeFirst();
  if (!r) return null;
  return { aggId, paramsHash, symbol: r.symbol, venues: r.venues, params: json(r.params) as Record<string, unknown>, parts: json(r.parts) as AggregatePart[], lastT: r.last_t ? r.last_t.getTime() : null };
}

/** Records an aggregate's state (after a summing run). */
export async function saveAggregate(store: Store, a: AggregateState): Promise<void> {
  await sql`insert into aggregates (agg_id, params_hash, symbol, venues, params, parts, last_t)
    values (${a.aggId}, ${a.paramsHash}, ${a.symbol}, ${sql.val([...a.venues])}::text[], ${JSON.stringify(a.params)}::text::jsonb, ${JSON.stringify(a.parts)}::text::jsonb, ${a.lastT === null ? null : new Date(a.lastT)})
    on conflict (agg_id, params_hash) do update set parts = excluded.parts, last_t = excluded.last_t, params = excluded.params, updated_at = now()`.execute(store.db);
}

/** Aggregates that have `market` as a part (to re-sum when its results change). */
export async function aggregatesOfMarket(store: Store, market: string): Promise<{ aggId: string; params: Record<string, unknown> }[]> {
  const r = await sql<{ agg_id: string; params: unknown }>`select agg_id, params from aggregates where parts @> ${JSON.stringify([{ market }])}::text::jsonb order by agg_id, params_hash`.execute(store.db);
  return r.rows.map((x) => ({ aggId: x.agg_id, params: json(x.params) as Record<string, unknown> }));
}

/**
 * Where a part's rows changed since they were summed at `rowsVersion`: the first bucket of a row
 * written at a newer data version (new buckets, or buckets recomputed after late data), epoch ms,
 * and the newest version among its rows; `from` null when nothing changed.
 */
export async function partChanges(store: Store, market: string, paramsHash: string, rowsVersion: number): Promise<{ fromMs: number | null; version: number }> {
  const r = await sql<{ f: Date | null; v: string | number | null }>`
    select min(t) filter (where data_version > ${rowsVersion}) as f, max(data_version) as v from heatmap_rows where market_id = ${market} and params_hash = ${paramsHash}`.execute(store.db);
  const x = r.rows[0];
  return { fromMs: x?.f ? x.f.getTime() : null, version: x?.v == null ? 0 : Number(x.v) };
}

/** Deletes an aggregate's summed rows, its parts' moved rows and its clusters from `fromMs` on. */
export async function rollbackAggregate(store: Store, aggId: string, paramsHash: string, fromMs: number): Promise<void> {
  const from = new Date(fromMs);
  const like = `${aggId.replace(/[\\%_]/g, (c) => `\\${c}`)}|%`;
  await sql`delete from heatmap_rows where (market_id = ${aggId} or market_id like ${like}) and params_hash = ${paramsHash} and t >= ${from}`.execute(store.db);
  await sql`delete from clusters where market_id = ${aggId} and params_hash = ${paramsHash} and t >= ${from}`.execute(store.db);
}
