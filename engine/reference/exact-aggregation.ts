import { RD } from './decimal.js';
import type { BucketInput, RawEvent } from './types.js';

interface Acc {
  t: number;
  open: RD | null;
  close: RD | null;
  high: RD | null;
  low: RD | null;
  firstTs: number;
  lastTs: number;
  pq: RD;
  q: RD;
  buy: RD;
  sell: RD;
  trades: number;
  candle: { firstTs: number; lastTs: number; o: RD; h: RD; l: RD; c: RD; v: RD } | null;
  oi: RD | null;
  oiTs: number;
  funding: RD | null;
  mark: RD | null;
  markTs: number;
  liqLong: RD;
  liqShort: RD;
  liqs: number;
}

const ZERO = new RD(0);
const HALF = new RD('0.5');

/**
 * Re-derives the bucket inputs of raw events exactly (decimals from the stored text), by the
 * documented aggregation: per bucket of `timeBucketSeconds`, trades give open (first by time),
 * high, low, close (last by time; ties: the later event), VWAP = Σ price × qty / Σ qty (the close
 * without volume) and taker buy/sell volume (a trade without side counts half to each); candles
 * merge (first open, highest high, lowest low, last close, summed volume); the last open-interest
 * snapshot and mark price; funding rates summed; force orders with a side summed as notional
 * (given, else price × qty) by the side liquidated (a forced sell liquidated a long). Events must
 * come in time order (ties in storage order). Written for the check, independently of the SQL
 * aggregation it is compared with.
 */
export function exactBucketInputs(events: readonly RawEvent[], timeBucketSeconds: number): BucketInput<RD>[] {
  const width = timeBucketSeconds * 1000;
  const byT = new Map<number, Acc>();
  for (const e of events) {
    const t = Math.floor(e.ts / 1000 / width) * width;
    let a = byT.get(t);
    if (!a) {
      a = { t, open: null, close: null, high: null, low: null, firstTs: Infinity, lastTs: -Infinity, pq: ZERO, q: ZERO, buy: ZERO, sell: ZERO, trades: 0, candle: null, oi: null, oiTs: -Infinity, funding: null, mark: null, markTs: -Infinity, liqLong: ZERO, liqShort: ZERO, liqs: 0 };
      byT.set(t, a);
    }
    switch (e.kind) {
      case 'trade': {
        const p = new RD(e.price);
        const q = new RD(e.qty);
        a.trades++;
        if (e.ts < a.firstTs) {
          a.firstTs = e.ts;
          a.open = p;
        }
        if (e.ts >= a.lastTs) {
          a.lastTs = e.ts;
          a.close = p;
        }
        if (a.high === null || p.gt(a.high)) a.high = p;
        if (a.low === null || p.lt(a.low)) a.low = p;
        a.pq = a.pq.add(p.mul(q));
        a.q = a.q.add(q);
        if (e.side === 'buy') a.buy = a.buy.add(q);
        else if (e.side === 'sell') a.sell = a.sell.add(q);
        else {
          a.buy = a.buy.add(q.mul(HALF));
          a.sell = a.sell.add(q.mul(HALF));
        }
        break;
      }
      case 'candle': {
        const v = e.volume === null ? ZERO : new RD(e.volume);
        const c = a.candle;
        if (c === null) a.candle = { firstTs: e.ts, lastTs: e.ts, o: new RD(e.open), h: new RD(e.high), l: new RD(e.low), c: new RD(e.close), v };
        else {
          if (e.ts < c.firstTs) {
            c.firstTs = e.ts;
            c.o = new RD(e.open);
          }
          if (e.ts >= c.lastTs) {
            c.lastTs = e.ts;
            c.c = new RD(e.close);
          }
          c.h = RD.max(c.h, e.high);
          c.l = RD.min(c.l, e.low);
          c.v = c.v.add(v);
        }
        break;
      }
      case 'open_interest':
        if (e.ts >= a.oiTs) {
          a.oiTs = e.ts;
          a.oi = new RD(e.oiQty);
        }
        break;
      case 'funding':
        a.funding = (a.funding ?? ZERO).add(e.rate);
        break;
      case 'mark_price':
        if (e.ts >= a.markTs) {
          a.markTs = e.ts;
          a.mark = new RD(e.markPrice);
        }
        break;
      case 'liquidation': {
        if (e.side === null) break;
        const n = e.notional !== null ? new RD(e.notional) : e.qty !== null ? new RD(e.price).mul(e.qty) : ZERO;
        a.liqs++;
        if (e.side === 'sell') a.liqLong = a.liqLong.add(n);
        else a.liqShort = a.liqShort.add(n);
        break;
      }
    }
  }
  return [...byT.values()]
    .sort((x, y) => x.t - y.t)
    .map((a) => ({
      t: a.t,
      trades: a.trades > 0 ? { open: a.open!, high: a.high!, low: a.low!, close: a.close!, vwap: a.q.gt(0) ? a.pq.div(a.q) : a.close!, buy: a.buy, sell: a.sell } : null,
      candle: a.candle ? { open: a.candle.o, high: a.candle.h, low: a.candle.l, close: a.candle.c, volume: a.candle.v } : null,
      openInterest: a.oi,
      funding: a.funding,
      mark: a.mark,
      liquidations: a.liqs > 0 ? { long: a.liqLong, short: a.liqShort } : null,
    }));
}
