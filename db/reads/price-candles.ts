import { sql } from 'kysely';
import type { Store } from '../store.js';
import { timestampText } from '../copy-csv.js';

/** One OHLC column of a market's price, quote per base unit. */
export interface PriceCandle {
  /** Start of the column, epoch ms (a multiple of the step). */
  readonly t: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
}

/**
 * OHLC per `stepMs` column over [fromMs, toMs], from the bucket inputs persisted with a result
 * set (one row per model bucket, so a week of minutes is 10,080 rows, not the week's trades).
 * A bucket's price is its trades' OHLC, or its candle's where it has no trades.
 */
export async function readPriceCandles(store: Store, q: { market: string; paramsHash: string; fromMs: number; toMs: number; stepMs: number }): Promise<PriceCandle[]> {
  const step = sql.raw(String(Math.max(1, Math.trunc(q.stepMs))));
  const r = await sql<{ c: number; open: number; high: number; low: number; close: number }>`
    with b as (
      select floor(extract(epoch from t) * 1000 / ${step}) as c, t,
        coalesce(trade_open, candle_open) as o, coalesce(trade_high, candle_high) as h,
        coalesce(trade_low, candle_low) as l, coalesce(trade_close, candle_close) as x
      from bucket_inputs
      where market_id = ${q.market} and params_hash = ${q.paramsHash}
        and t >= ${timestampText(q.fromMs * 1000)}::text::timestamptz and t <= ${timestampText(q.toMs * 1000)}::text::timestamptz
        and coalesce(trade_close, candle_close) is not null
    )
    select c::float8 as c, (array_agg(o order by t))[1] as open, max(h) as high, min(l) as low, (array_agg(x order by t desc))[1] as close
    from b group by c order by c`.execute(store.db);
  return r.rows.map((x) => ({ t: Number(x.c) * q.stepMs, open: Number(x.open), high: Number(x.high), low: Number(x.low), close: Number(x.close) }));
}
