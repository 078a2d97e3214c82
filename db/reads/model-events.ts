import { sql } from 'kysely';
import type { ModelEvent } from '../../engine/index.js';
import type { Store } from '../store.js';
import { timestampText } from '../copy-csv.js';

/**
 * A market's raw events in [fromMs, toMs) as the model reads them (trades, trade-price candles,
 * open interest, funding, mark prices), exact decimal text, in time order. This is what the
 * reference engine replays to check a served result; it crosses the wire row by row, so callers
 * bound the range.
 */
export async function loadModelEvents(store: Store, market: string, fromMs: number, toMs: number): Promise<ModelEvent[]> {
  const from = timestampText(fromMs * 1000);
  const to = timestampText(toMs * 1000);
  const range = sql`market_id = ${market} and ts >= ${from}::text::timestamptz and ts < ${to}::text::timestamptz`;
  // Microseconds as text: a bigint survives both drivers without precision loss.
  const us = sql.raw(`(extract(epoch from ts) * 1000000)::bigint::text`);
  const [trades, candles, oi, funding, marks, liqs] = await Promise.all([
    sql<{ ts: string; price: string; qty: string; side: string | null }>`select ${us} as ts, price::text as price, qty::text as qty, side from trades where ${range} order by ts, trade_id`.execute(store.db),
    sql<{ ts: string; open: string; high: string; low: string; close: string; volume: string | null }>`select ${us} as ts, open::text as open, high::text as high, low::text as low, close::text as close, volume::text as volume from candles where ${range} and price_type = 'trade' and interval_s = (select min(interval_s) from candles where market_id = ${market} and price_type = 'trade') order by ts`.execute(store.db),
    sql<{ ts: string; oi: string }>`select ${us} as ts, oi_qty::text as oi from open_interest where ${range} order by ts`.execute(store.db),
    sql<{ ts: string; rate: string }>`select ${us} as ts, rate::text as rate from funding_rates where ${range} order by ts`.execute(store.db),
    sql<{ ts: string; mark: string }>`select ${us} as ts, mark_price::text as mark from mark_prices where ${range} order by ts`.execute(store.db),
    sql<{ ts: string; side: string | null; price: string; qty: string | null; notional: string | null }>`select ${us} as ts, side, price::text as price, qty::text as qty, notional::text as notional from liquidations where ${range} order by ts, key`.execute(store.db),
  ]);
  const events: ModelEvent[] = [
    ...trades.rows.map((r): ModelEvent => ({ kind: 'trade', ts: Number(r.ts), price: r.price, qty: r.qty, side: r.side === 'buy' || r.side === 'sell' ? r.side : null })),
    ...candles.rows.map((r): ModelEvent => ({ kind: 'candle', ts: Number(r.ts), open: r.open, high: r.high, low: r.low, close: r.close, volume: r.volume })),
    ...oi.rows.map((r): ModelEvent => ({ kind: 'open_interest', ts: Number(r.ts), oiQty: r.oi })),
    ...funding.rows.map((r): ModelEvent => ({ kind: 'funding', ts: Number(r.ts), rate: r.rate })),
    ...marks.rows.map((r): ModelEvent => ({ kind: 'mark_price', ts: Number(r.ts), markPrice: r.mark })),
    ...liqs.rows.map((r): ModelEvent => ({ kind: 'liquidation', ts: Number(r.ts), side: r.side === 'buy' || r.side === 'sell' ? r.side : null, price: r.price, qty: r.qty, notional: r.notional })),
  ];
  // Stable sort: rows of one kind keep their SQL order at equal timestamps.
  return events.sort((a, b) => a.ts - b.ts);
}
