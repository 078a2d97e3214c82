import { sql } from 'kysely';
import type { Store } from '../store.js';

/** A market with its trade coverage. Times are `Date`s; prices decimal strings (quote). */
export interface MarketSummary {
  readonly id: string;
  readonly exchange: string;
  readonly symbol: string;
}

/** Trade coverage of one market. */
export interface TradeStats {
  readonly marketId: string;
  readonly tradeCount: number;
  readonly firstTradeAt: Date | null;
  readonly lastTradeAt: Date | null;
  /** Price of the newest trade, quote currency (decimal string). */
  readonly lastPrice: string | null;
}

/** First and last event time of one kind in one market. */
export interface KindCoverage {
  readonly marketId: string;
  readonly kind: CoverageKind;
  readonly count: number;
  readonly first: Date | null;
  readonly last: Date | null;
}

/** The event tables whose coverage is reported. */
export type CoverageKind = 'trades' | 'funding_rates' | 'liquidations' | 'open_interest' | 'mark_prices' | 'candles';

/** Every market, optionally of one exchange, ordered by id. */
export async function listMarkets(store: Store, exchange?: string): Promise<MarketSummary[]> {
  let q = store.db.selectFrom('markets').select(['id', 'exchange', 'symbol']).orderBy('id');
  if (exchange) q = q.where('exchange', '=', exchange);
  return q.execute();
}

/** The markets with these ids (missing ids are absent from the result). */
export async function marketsById(store: Store, ids: readonly string[]): Promise<MarketSummary[]> {
  if (ids.length === 0) return [];
  return store.db.selectFrom('markets').select(['id', 'exchange', 'symbol']).where('id', 'in', ids).execute();
}

/**
 * Trade coverage for several markets in one round trip. First/last/last price come from the
 * primary-key index (one index probe each per market); the count is a scan of the market's
 * key range, which is why it is only computed when a caller asks for it.
 */
export async function tradeStats(store: Store, ids: readonly string[], withCount: boolean): Promise<TradeStats[]> {
  if (ids.length === 0) return [];
  const r = await sql<{ market_id: string; n: string | number | null; first: Date | null; last: Date | null; last_price: string | null }>`
    select m.id as market_id,
      ${withCount ? sql`(select count(*) from trades t where t.market_id = m.id)` : sql`null`} as n,
      (select min(ts) from trades t where t.market_id = m.id) as first,
      l.ts as last, l.price as last_price
    from markets m
    left join lateral (select ts, price from trades t where t.market_id = m.id order by ts desc, trade_id desc limit 1) l on true
    where m.id in (${sql.join(ids.map((id) => sql`${id}`))})`.execute(store.db);
  return r.rows.map((row) => ({
    marketId: row.market_id,
    tradeCount: row.n === null ? 0 : Number(row.n),
    firstTradeAt: row.first,
    lastTradeAt: row.last,
    lastPrice: row.last_price,
  }));
}

/** First/last event time and row count of one kind, for several markets. */
export async function coverage(store: Store, kind: CoverageKind, ids: readonly string[]): Promise<KindCoverage[]> {
  if (ids.length === 0) return [];
  const r = await sql<{ market_id: string; n: string | number; first: Date | null; last: Date | null }>`
    select market_id, count(*) as n, min(ts) as first, max(ts) as last
    from ${sql.table(kind)} where market_id in (${sql.join(ids.map((id) => sql`${id}`))})
    group by market_id`.execute(store.db);
  return r.rows.map((row) => ({ marketId: row.market_id, kind, count: Number(row.n), first: row.first, last: row.last }));
}

/** Data version of each market: bumped by every committed ingest batch (cache keys, staleness). */
export async function marketVersions(store: Store, ids?: readonly string[]): Promise<Map<string, number>> {
  let q = store.db.selectFrom('market_versions').select(['market_id', 'version']);
  if (ids) {
    if (ids.length === 0) return new Map();
    q = q.where('market_id', 'in', ids);
  }
  const rows = await q.execute();
  return new Map(rows.map((r) => [r.market_id, Number(r.version)]));
}
