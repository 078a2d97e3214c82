import type { MarketBucket, ModelEvent } from './types.js';
import { BucketAssembler } from './bucket-assembler.js';

/**
 * Aggregates time-ordered raw events into buckets of `timeBucketSeconds` (the same rules the
 * SQL aggregation in db/ applies): trades give OHLC, VWAP and taker volumes; candles stand in
 * when a bucket has no trades (volume split half/half); the last open-interest snapshot and
 * mark price are kept; funding rates in a bucket add up. Buckets without any price are skipped.
 */
export function aggregateBuckets(events: readonly ModelEvent[], timeBucketSeconds: number): MarketBucket[] {
  const width = timeBucketSeconds * 1000;
  const acc = new Map<number, Acc>();
  for (const e of events) {
    const t = Math.floor(e.ts / 1000 / width) * width;
    let a = acc.get(t);
    if (!a) acc.set(t, (a = newAcc(t)));
    switch (e.kind) {
      case 'trade': {
        const p = Number(e.price);
        const q = Number(e.qty);
        if (a.firstTradeTs === null || e.ts < a.firstTradeTs) { a.firstTradeTs = e.ts; a.open = p; }
        if (a.lastTradeTs === null || e.ts >= a.lastTradeTs) { a.lastTradeTs = e.ts; a.close = p; }
        a.high = Math.max(a.high, p);
        a.low = Math.min(a.low, p);
        a.pq += p * q;
        a.q += q;
        if (e.side === 'buy') a.buy += q;
        else if (e.side === 'sell') a.sell += q;
        else { a.buy += q / 2; a.sell += q / 2; }
        break;
      }
      case 'candle':
        // Several candles in one bucket (hourly candles, daily buckets) merge into one bar.
        if (a.candle === null) a.candle = { ts: e.ts, firstTs: e.ts, o: Number(e.open), h: Number(e.high), l: Number(e.low), c: Number(e.close), v: e.volume === null ? 0 : Number(e.volume) };
        else {
          const c = a.candle;
          if (e.ts < c.firstTs) {
            c.firstTs = e.ts;
            c.o = Number(e.open);
          }
          if (e.ts >= c.ts) {
            c.ts = e.ts;
            c.c = Number(e.close);
          }
          c.h = Math.max(c.h, Number(e.high));
          c.l = Math.min(c.l, Number(e.low));
          c.v += e.volume === null ? 0 : Number(e.volume);
        }
        break;
      case 'open_interest':
        if (a.oiTs === null || e.ts >= a.oiTs) { a.oiTs = e.ts; a.oi = Number(e.oiQty); }
        break;
      case 'funding':
        a.funding = (a.funding ?? 0) + Number(e.rate);
        break;
      case 'liquidation': {
        if (e.side === null) break;
        const n = e.notional !== null ? Number(e.notional) : e.qty !== null ? Number(e.price) * Number(e.qty) : 0;
        if (e.side === 'sell') a.liqLong += n;
        else a.liqShort += n;
        break;
      }
      case 'mark_price':
        if (a.markTs === null || e.ts >= a.markTs) { a.markTs = e.ts; a.mark = Number(e.markPrice); }
        break;
    }
  }
  return assembleBuckets([...acc.values()].map(toPart));
}

/**
 * What one time bucket's data says, before assembly: any of trade aggregates, its candles merged,
 * the last open-interest snapshot, the summed funding and the last mark price. db/ computes
 * these in SQL; {@link aggregateBuckets} computes them from events; both assemble here.
 */
export interface BucketPart {
  /** Bucket start, epoch ms. */
  readonly t: number;
  readonly trades: { open: number; high: number; low: number; close: number; vwap: number; buy: number; sell: number } | null;
  readonly candle: { open: number; high: number; low: number; close: number; volume: number } | null;
  readonly openInterest: number | null;
  readonly funding: number | null;
  readonly mark: number | null;
  /** Realized force orders in the bucket, quote, by the side liquidated. */
  readonly liquidations: { long: number; short: number } | null;
}

/** Parts as model buckets, in time order (see {@link BucketAssembler}: one range, no carry in). */
export function assembleBuckets(parts: readonly BucketPart[]): MarketBucket[] {
  return new BucketAssembler().push(parts);
}

interface Acc {
  t: number;
  open: number;
  close: number;
  high: number;
  low: number;
  pq: number;
  q: number;
  buy: number;
  sell: number;
  firstTradeTs: number | null;
  lastTradeTs: number | null;
  candle: { ts: number; firstTs: number; o: number; h: number; l: number; c: number; v: number } | null;
  oi: number | null;
  oiTs: number | null;
  funding: number | null;
  mark: number | null;
  markTs: number | null;
  liqLong: number;
  liqShort: number;
}

function newAcc(t: number): Acc {
  return { t, open: 0, close: 0, high: -Infinity, low: Infinity, pq: 0, q: 0, buy: 0, sell: 0, firstTradeTs: null, lastTradeTs: null, candle: null, oi: null, oiTs: null, funding: null, mark: null, markTs: null, liqLong: 0, liqShort: 0 };
}

function toPart(a: Acc): BucketPart {
  return {
    t: a.t,
    trades: a.lastTradeTs !== null ? { open: a.open, high: a.high, low: a.low, close: a.close, vwap: a.q > 0 ? a.pq / a.q : a.close, buy: a.buy, sell: a.sell } : null,
    candle: a.candle ? { open: a.candle.o, high: a.candle.h, low: a.candle.l, close: a.candle.c, volume: a.candle.v } : null,
    openInterest: a.oi,
    funding: a.funding,
    mark: a.mark,
    liquidations: a.liqLong > 0 || a.liqShort > 0 ? { long: a.liqLong, short: a.liqShort } : null,
  };
}
