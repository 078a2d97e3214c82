import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { parseConfig } from '../../../base/index.js';
import type { Store } from '../../../db/index.js';

/** Config pointing every venue's feed at local servers. */
export function liveConfig(urls: Partial<Record<'binance' | 'bybit' | 'okx' | 'hyperliquid', { wsUrl: string; restUrl: string }>>) {
  const env: Record<string, string> = {};
  for (const [venue, u] of Object.entries(urls)) {
    env[`LIQMAP_${venue.toUpperCase()}_WS_URL`] = u.wsUrl;
    env[`LIQMAP_${venue.toUpperCase()}_REST_URL`] = u.restUrl;
  }
  return parseConfig(env);
}

/** Polls `check` until it holds (or fails after `timeoutMs`, with `what`). */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

export async function count(store: Store, table: 'trades' | 'liquidations' | 'mark_prices' | 'open_interest' | 'funding_rates' | 'quarantine' | 'live_gaps', market?: string): Promise<number> {
  const where = market ? sql`where market_id = ${market}` : sql``;
  const r = await sql<{ n: string }>`select count(*)::text as n from ${sql.table(table)} ${where}`.execute(store.db);
  return Number(r.rows[0]!.n);
}

/** Every stored trade of a market as `ts|id|price|qty|side`, in key order. */
export async function storedTrades(store: Store, market: string): Promise<string[]> {
  const r = await sql<{ k: string }>`select concat_ws('|', (extract(epoch from ts) * 1000000)::bigint, trade_id, price::text, qty::text, coalesce(side, '')) as k from trades where market_id = ${market} order by ts, trade_id`.execute(store.db);
  return r.rows.map((x) => x.k);
}

/** Stored rows of a table as text, in key order (for exact comparisons). */
export async function storedRows(store: Store, table: 'liquidations' | 'mark_prices' | 'open_interest' | 'funding_rates', market: string): Promise<string[]> {
  const cols: Record<typeof table, string> = {
    liquidations: `concat_ws('|', (extract(epoch from ts) * 1000000)::bigint, key, coalesce(side, ''), price::text, coalesce(qty::text, ''), coalesce(notional::text, ''), sampled::text)`,
    mark_prices: `concat_ws('|', (extract(epoch from ts) * 1000000)::bigint, mark_price::text, coalesce(index_price::text, ''), coalesce(funding_rate::text, ''))`,
    open_interest: `concat_ws('|', (extract(epoch from ts) * 1000000)::bigint, oi_qty::text, coalesce(oi_value::text, ''))`,
    funding_rates: `concat_ws('|', (extract(epoch from ts) * 1000000)::bigint, rate::text, coalesce(mark_price::text, ''))`,
  };
  const r = await sql<{ k: string }>`select ${sql.raw(cols[table])} as k from ${sql.table(table)} where market_id = ${market} order by 1`.execute(store.db);
  return r.rows.map((x) => x.k);
}

/** A market's computed heatmap (every persisted bucket, without its data version). */
export async function heatmapOf(store: Store, market: string): Promise<unknown[]> {
  const r = await sql<Record<string, unknown>>`select (extract(epoch from t) * 1000)::bigint::text as t, price, price_step, long_lo, long, short_lo, short, oi_lo, oi_long, oi_short, liquidated_long, liquidated_short from heatmap_rows where market_id = ${market} order by t`.execute(store.db);
  return r.rows;
}
