import { sql } from 'kysely';
import type { BucketPart } from '../../engine/index.js';
import type { Store } from '../store.js';
import { timestampText } from '../copy-csv.js';

type Row = Record<string, number | string | null>;

const num = (v: number | string | null | undefined): number | null => (v === null || v === undefined ? null : Number(v));

/**
 * A market's data in [fromMs, toMs) as time-bucket parts (bucket start = floor(epoch ms / width)
 * × width), computed in SQL so a day of trades never crosses the wire row by row: trade OHLC,
 * VWAP and taker volumes; the last trade-price candle; the last open-interest snapshot; summed
 * funding; the last mark price. Engine `assembleBuckets` turns them into model buckets.
 */
export async function loadBucketParts(store: Store, market: string, fromMs: number, toMs: number, widthMs: number): Promise<BucketPart[]> {
  const from = timestampText(fromMs * 1000);
  const to = timestampText(toMs * 1000);
  const b = sql.raw(`(floor(extract(epoch from ts) * 1000 / ${Math.trunc(widthMs)}) * ${Math.trunc(widthMs)})::float8`);
  const range = sql`market_id = ${market} and ts >= ${from}::text::timestamptz and ts < ${to}::text::timestamptz`;
  const [trades, candles, oi, funding, marks, liqs] = await Promise.all([
    sql<Row>`select ${b} as t,
        ((array_agg(price order by ts, trade_id))[1])::float8 as open,
        max(price)::float8 as high, min(price)::float8 as low,
        ((array_agg(price order by ts desc, trade_id desc))[1])::float8 as close,
        (sum(price * qty) / nullif(sum(qty), 0))::float8 as vwap,
        sum(case when side = 'buy' then qty when side is null then qty / 2 else 0 end)::float8 as buy,
        sum(case when side = 'sell' then qty when side is null then qty / 2 else 0 end)::float8 as sell
      from trades where ${range} group by 1`.execute(store.db),
    // Candles of the market's finest interval, merged per bucket (hourly candles, daily buckets).
    sql<Row>`select ${b} as t, ((array_agg(open order by ts))[1])::float8 as open, max(high)::float8 as high, min(low)::float8 as low,
        ((array_agg(close order by ts desc))[1])::float8 as close, coalesce(sum(volume), 0)::float8 as volume
      from candles where ${range} and price_type = 'trade'
        and interval_s = (select min(interval_s) from candles where market_id = ${market} and price_type = 'trade')
      group by 1`.execute(store.db),
    sql<Row>`select distinct on (1) ${b} as t, oi_qty::float8 as oi from open_interest where ${range} order by 1, ts desc`.execute(store.db),
    sql<Row>`select ${b} as t, sum(rate)::float8 as rate from funding_rates where ${range} group by 1`.execute(store.db),
    sql<Row>`select distinct on (1) ${b} as t, mark_price::float8 as mark from mark_prices where ${range} order by 1, ts desc`.execute(store.db),
    sql<Row>`select ${b} as t,
        sum(case when side = 'sell' then coalesce(notional, price * qty, 0) else 0 end)::float8 as long,
        sum(case when side = 'buy' then coalesce(notional, price * qty, 0) else 0 end)::float8 as short
      from liquidations where ${range} and side is not null group by 1`.execute(store.db),
  ]);
  const parts = new Map<number, { t: number; trades: BucketPart['trades']; candle: BucketPart['candle']; openInterest: number | null; funding: number | null; mark: number | null; liquidations: BucketPart['liquidations'] }>();
  const at = (t: number) => {
    let p = parts.get(t);
    if (!p) parts.set(t, (p = { t, trades: null, candle: null, openInterest: null, funding: null, mark: null, liquidations: null }));
    return p;
  };
  for (const r of trades.rows) {
    const close = num(r.close)!;
    at(Number(r.t)).trades = { open: num(r.open)!, high: num(r.high)!, low: num(r.low)!, close, vwap: num(r.vwap) ?? close, buy: num(r.buy) ?? 0, sell: num(r.sell) ?? 0 };
  }
  for (const r of candles.rows) at(Number(r.t)).candle = { open: num(r.open)!, high: num(r.high)!, low: num(r.low)!, close: num(r.close)!, volume: num(r.volume) ?? 0 };
  for (const r of oi.rows) at(Number(r.t)).openInterest = num(r.oi);
  for (const r of funding.rows) at(Number(r.t)).funding = num(r.rate);
  for (const r of marks.rows) at(Number(r.t)).mark = num(r.mark);
  for (const r of liqs.rows) at(Number(r.t)).liquidations = { long: num(r.long) ?? 0, short: num(r.short) ?? 0 };
  return [...parts.values()].sort((x, y) => x.t - y.t);
}

/** First and last event time (epoch ms) of a market over the kinds the model reads, or null. */
export async function marketSpan(store: Store, market: string): Promise<{ firstMs: number; lastMs: number } | null> {
  const r = await sql<{ first: number | string | null; last: number | string | null }>`
    select (extract(epoch from min(f)) * 1000)::float8 as first, (extract(epoch from max(l)) * 1000)::float8 as last from (
      select min(ts) f, max(ts) l from trades where market_id = ${market}
      union all select min(ts), max(ts) from candles where market_id = ${market} and price_type = 'trade'
      union all select min(ts), max(ts) from mark_prices where market_id = ${market}
    ) s`.execute(store.db);
  const row = r.rows[0];
  if (!row || row.first === null || row.last === null) return null;
  return { firstMs: Number(row.first), lastMs: Number(row.last) };
}

/** The interval of a market's trade-price candles, seconds, when it has candles and no trades. */
export async function candleOnlyInterval(store: Store, market: string): Promise<number | null> {
  const r = await sql<{ has_trades: boolean; interval_s: number | null }>`
    select exists(select 1 from trades where market_id = ${market}) as has_trades,
      (select min(interval_s) from candles where market_id = ${market} and price_type = 'trade') as interval_s`.execute(store.db);
  const row = r.rows[0];
  return row && !row.has_trades && row.interval_s !== null ? Number(row.interval_s) : null;
}
