import { sql } from 'kysely';
import type { BucketPart } from '../../engine/index.js';
import type { RawTx, Store } from '../store.js';
import { timestampText } from '../copy-csv.js';

const COLUMNS = ['trade_open', 'trade_high', 'trade_low', 'trade_close', 'trade_vwap', 'trade_buy', 'trade_sell', 'candle_open', 'candle_high', 'candle_low', 'candle_close', 'candle_volume', 'open_interest', 'funding', 'mark', 'liq_long', 'liq_short'] as const;

const cell = (v: number | null | undefined) => (v === null || v === undefined ? '' : String(v));

/**
 * COPYs the bucket inputs a chunk of results was computed from (the SQL aggregation's parts, as
 * the model consumed them) inside the caller's transaction, replacing any of [fromMs, toMs).
 */
export async function copyBucketInputs(tx: RawTx, market: string, paramsHash: string, fromMs: number, toMs: number, parts: readonly BucketPart[]): Promise<void> {
  await tx.query(`delete from bucket_inputs where market_id = $1 and params_hash = $2 and t >= $3::text::timestamptz and t < $4::text::timestamptz`, [market, paramsHash, timestampText(fromMs * 1000), timestampText(toMs * 1000)]);
  if (parts.length === 0) return;
  const m = `"${market.replace(/"/g, '""')}"`;
  const csv = parts
    .map((p) => {
      const tr = p.trades;
      const c = p.candle;
      return [m, paramsHash, timestampText(p.t * 1000), cell(tr?.open), cell(tr?.high), cell(tr?.low), cell(tr?.close), cell(tr?.vwap), cell(tr?.buy), cell(tr?.sell), cell(c?.open), cell(c?.high), cell(c?.low), cell(c?.close), cell(c?.volume), cell(p.openInterest), cell(p.funding), cell(p.mark), cell(p.liquidations?.long), cell(p.liquidations?.short)].join(',') + '\n';
    })
    .join('');
  await tx.copyIn('bucket_inputs', ['market_id', 'params_hash', 't', ...COLUMNS], csv);
}

type Row = { t: number } & Record<(typeof COLUMNS)[number], number | null>;

/**
 * The stored bucket inputs of a market and parameter set in [fromMs, toMs), in time order, as
 * the engine's parts. `limit` pages long ranges.
 */
export async function readBucketInputs(store: Store, market: string, paramsHash: string, fromMs: number, toMs: number, limit = 1_000_000): Promise<BucketPart[]> {
  const r = await sql<Row>`
    select (extract(epoch from t) * 1000)::float8 as t, ${sql.raw(COLUMNS.join(', '))} from bucket_inputs
    where market_id = ${market} and params_hash = ${paramsHash} and t >= ${timestampText(fromMs * 1000)}::text::timestamptz and t < ${timestampText(toMs * 1000)}::text::timestamptz
    order by t limit ${limit}`.execute(store.db);
  const n = (v: number | string | null) => (v === null ? null : Number(v));
  return r.rows.map((x) => ({
    t: Number(x.t),
    trades: x.trade_close === null ? null : { open: n(x.trade_open)!, high: n(x.trade_high)!, low: n(x.trade_low)!, close: n(x.trade_close)!, vwap: n(x.trade_vwap)!, buy: n(x.trade_buy)!, sell: n(x.trade_sell)! },
    candle: x.candle_close === null ? null : { open: n(x.candle_open)!, high: n(x.candle_high)!, low: n(x.candle_low)!, close: n(x.candle_close)!, volume: n(x.candle_volume)! },
    openInterest: n(x.open_interest),
    funding: n(x.funding),
    mark: n(x.mark),
    liquidations: x.liq_long === null && x.liq_short === null ? null : { long: n(x.liq_long) ?? 0, short: n(x.liq_short) ?? 0 },
  }));
}

/** The first stored bucket input's time of a market and parameter set (epoch ms), or null. */
export async function firstBucketInput(store: Store, market: string, paramsHash: string): Promise<number | null> {
  const r = await sql<{ t: number | null }>`select (extract(epoch from min(t)) * 1000)::float8 as t from bucket_inputs where market_id = ${market} and params_hash = ${paramsHash}`.execute(store.db);
  const t = r.rows[0]?.t;
  return t === null || t === undefined ? null : Number(t);
}
