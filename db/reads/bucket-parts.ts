import { sql } from 'kysely';
import type { BucketPart } from '../../engine/index.js';
import type { RawTx, Store } from '../store.js';
import { timestampText } from '../copy-csv.js';

type Row = Record<string, number | string | null>;

const num = (v: number | string | null | undefined): number | null => (v === null || v === undefined ? null : Number(v));

/**
 * Trade OHLC, VWAP and taker volumes per bucket in one pass over the range: a hash aggregate on
 * date_bin keys (no sort of the day's rows, no spill; a sort-based plan of the same query spilled
 * 110 MB to disk and ran 3–5× longer on a day of 2.5M aggregate trades), open and close then read
 * from the primary-key index at each bucket's first and last trade (ties broken by trade id, as
 * the ordered scan does). JIT is off: its compile time (1.6 s) exceeded the query's own.
 */
async function tradeBuckets(tx: RawTx, market: string, from: string, to: string, widthMs: number): Promise<Row[]> {
  // The planner cannot know a day of trades falls into 1,440 buckets (it assumes a group per
  // row), so it would sort; the buckets' hash table is small.
  await tx.query('set local enable_sort = off');
  await tx.query('set local jit = off');
  return tx.query<Row>(
    `with g as (
       select date_bin('${widthMs} milliseconds', ts, timestamptz 'epoch') as b, min(ts) as first_ts, max(ts) as last_ts,
         max(price) as high, min(price) as low, sum(price * qty) as pq, sum(qty) as q,
         sum(qty) filter (where side = 'buy') as buy, sum(qty) filter (where side = 'sell') as sell, sum(qty) filter (where side is null) as unsided
       from trades where market_id = $1 and ts >= $2::text::timestamptz and ts < $3::text::timestamptz group by 1)
     select (extract(epoch from g.b) * 1000)::float8 as t, o.price::float8 as open, g.high::float8 as high, g.low::float8 as low, c.price::float8 as close,
       (g.pq / nullif(g.q, 0))::float8 as vwap,
       (coalesce(g.buy, 0) + coalesce(g.unsided, 0) / 2)::float8 as buy, (coalesce(g.sell, 0) + coalesce(g.unsided, 0) / 2)::float8 as sell
     from g
     cross join lateral (select price from trades f where f.market_id = $1 and f.ts = g.first_ts order by f.trade_id limit 1) o
     cross join lateral (select price from trades l where l.market_id = $1 and l.ts = g.last_ts order by l.trade_id desc limit 1) c`,
    [market, from, to],
  );
}

/** Pieces a range of trades is aggregated in, each on its own connection (see {@link tradeBucketsSplit}). */
const TRADE_SPLITS = 4;
/** Fewer buckets than this are aggregated in one piece (the extra round trips would cost more than they save). */
const MIN_SPLIT_BUCKETS = 64;

/**
 * {@link tradeBuckets} over `TRADE_SPLITS` consecutive pieces of whole buckets at once: the
 * server runs them on as many backends (the planner does not parallelise this aggregate: it
 * expects a group per row, for which partial aggregation gains nothing), and a piece's smaller
 * row estimate reads it through the key instead of scanning the partition. A day of 2.5M
 * aggregate trades on 2 cores: bench/jobs.bench.ts.
 */
async function tradeBucketsSplit(store: Store, market: string, fromMs: number, toMs: number, widthMs: number, maxSplits: number): Promise<Row[]> {
  // Inner edges on bucket starts, so no bucket is split between two pieces.
  const first = Math.floor(fromMs / widthMs);
  const buckets = Math.ceil(toMs / widthMs) - first;
  const edges = [fromMs];
  // PGlite is one backend: pieces would only queue; a live market's few new buckets are one piece.
  const splits = store.kind === 'postgres' && buckets >= MIN_SPLIT_BUCKETS ? maxSplits : 1;
  for (let i = 1; i < splits; i++) {
    const e = (first + Math.floor((buckets * i) / splits)) * widthMs;
    if (e > edges.at(-1)! && e < toMs) edges.push(e);
  }
  edges.push(toMs);
  const pieces = await Promise.all(edges.slice(0, -1).map((a, i) => store.rawTransaction((tx) => tradeBuckets(tx, market, timestampText(a * 1000), timestampText(edges[i + 1]! * 1000), widthMs))));
  return pieces.flat();
}

/**
 * A market's data in [fromMs, toMs) as time-bucket parts (bucket start = floor(epoch ms / width)
 * × width), computed in SQL so a day of trades never crosses the wire row by row: trade OHLC,
 * VWAP and taker volumes; the last trade-price candle; the last open-interest snapshot; summed
 * funding; the last mark price. Engine `assembleBuckets` turns them into model buckets.
 * `tradeSplits` (default 4) bounds the connections the trades are aggregated on: 1 for a caller
 * that runs several ranges at once itself (the compute's pieces).
 */
export async function loadBucketParts(store: Store, market: string, fromMs: number, toMs: number, widthMs: number, tradeSplits = TRADE_SPLITS): Promise<BucketPart[]> {
  const from = timestampText(fromMs * 1000);
  const to = timestampText(toMs * 1000);
  const w = Math.trunc(widthMs);
  // date_bin keys (an 8-byte timestamp, not a numeric from extract(epoch)); epoch ms only on
  // the bucket rows that come out.
  const b = sql.raw(`date_bin('${w} milliseconds', ts, timestamptz 'epoch')`);
  const t = sql.raw(`(extract(epoch from b) * 1000)::float8`);
  const range = sql`market_id = ${market} and ts >= ${from}::text::timestamptz and ts < ${to}::text::timestamptz`;
  const [trades, candles, oi, funding, marks, liqs] = await Promise.all([
    tradeBucketsSplit(store, market, fromMs, toMs, w, tradeSplits),
    // Candles of the market's finest interval, merged per bucket (hourly candles, daily buckets).
    sql<Row>`select ${t} as t, open, high, low, close, volume from (select ${b} as b, ((array_agg(open order by ts))[1])::float8 as open, max(high)::float8 as high, min(low)::float8 as low,
        ((array_agg(close order by ts desc))[1])::float8 as close, coalesce(sum(volume), 0)::float8 as volume
      from candles where ${range} and price_type = 'trade'
        and interval_s = (select min(interval_s) from candles where market_id = ${market} and price_type = 'trade')
      group by 1) s`.execute(store.db),
    sql<Row>`select ${t} as t, oi from (select distinct on (1) ${b} as b, oi_qty::float8 as oi from open_interest where ${range} order by 1, ts desc) s`.execute(store.db),
    sql<Row>`select ${t} as t, rate from (select ${b} as b, sum(rate)::float8 as rate from funding_rates where ${range} group by 1) s`.execute(store.db),
    sql<Row>`select ${t} as t, mark from (select distinct on (1) ${b} as b, mark_price::float8 as mark from mark_prices where ${range} order by 1, ts desc) s`.execute(store.db),
    sql<Row>`select ${t} as t, long, short from (select ${b} as b,
        sum(case when side = 'sell' then coalesce(notional, price * qty, 0) else 0 end)::float8 as long,
        sum(case when side = 'buy' then coalesce(notional, price * qty, 0) else 0 end)::float8 as short
      from liquidations where ${range} and side is not null group by 1) s`.execute(store.db),
  ]);
  const parts = new Map<number, { t: number; trades: BucketPart['trades']; candle: BucketPart['candle']; openInterest: number | null; funding: number | null; mark: number | null; liquidations: BucketPart['liquidations'] }>();
  const at = (t: number) => {
    let p = parts.get(t);
    if (!p) parts.set(t, (p = { t, trades: null, candle: null, openInterest: null, funding: null, mark: null, liquidations: null }));
    return p;
  };
  for (const r of trades) {
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

/**
 * Which of `ranges` ([fromMs, toMs) each) hold any event {@link loadBucketParts} could read (a
 * superset: any candle, any liquidation), as their indexes, in one statement of index probes: a
 * compute skips the empty stretches of a market's history (years between two data sets) without
 * a round trip per empty piece.
 */
export async function rangesWithEvents(store: Store, market: string, ranges: readonly { fromMs: number; toMs: number }[]): Promise<number[]> {
  if (ranges.length === 0) return [];
  const a = sql.val(ranges.map((r) => timestampText(r.fromMs * 1000)));
  const b = sql.val(ranges.map((r) => timestampText(r.toMs * 1000)));
  const has = (table: string) => sql`exists (select 1 from ${sql.table(table)} e where e.market_id = ${market} and e.ts >= r.a and e.ts < r.b)`;
  const r = await sql<{ i: number }>`
    select (r.i - 1)::int as i from unnest(${a}::text[]::timestamptz[], ${b}::text[]::timestamptz[]) with ordinality as r(a, b, i)
    where ${has('trades')} or ${has('candles')} or ${has('open_interest')} or ${has('funding_rates')} or ${has('mark_prices')} or ${has('liquidations')}
    order by r.i`.execute(store.db);
  return r.rows.map((x) => Number(x.i));
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
