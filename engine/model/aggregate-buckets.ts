import type { MarketBucket, ModelEvent } from './types.js';

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
        if (a.candle === null || e.ts >= a.candle.ts) a.candle = { ts: e.ts, o: Number(e.open), h: Number(e.high), l: Number(e.low), c: Number(e.close), v: e.volume === null ? 0 : Number(e.volume) };
        break;
      case 'open_interest':
        if (a.oiTs === null || e.ts >= a.oiTs) { a.oiTs = e.ts; a.oi = Number(e.oiQty); }
        break;
      case 'funding':
        a.funding = (a.funding ?? 0) + Number(e.rate);
        break;
      case 'mark_price':
        if (a.markTs === null || e.ts >= a.markTs) { a.markTs = e.ts; a.mark = Number(e.markPrice); }
        break;
    }
  }
  const out: MarketBucket[] = [];
  // Funding or open interest in a bucket without any price moves on to the next priced bucket.
  let carryFunding: number | null = null;
  let carryOi: number | null = null;
  for (const a of [...acc.values()].sort((x, y) => x.t - y.t)) {
    if (a.funding !== null) carryFunding = (carryFunding ?? 0) + a.funding;
    if (a.oi !== null) carryOi = a.oi;
    const b = finish({ ...a, funding: carryFunding, oi: carryOi });
    if (b) {
      out.push(b);
      carryFunding = null;
      carryOi = null;
    }
  }
  return out;
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
  candle: { ts: number; o: number; h: number; l: number; c: number; v: number } | null;
  oi: number | null;
  oiTs: number | null;
  funding: number | null;
  mark: number | null;
  markTs: number | null;
}

function newAcc(t: number): Acc {
  return { t, open: 0, close: 0, high: -Infinity, low: Infinity, pq: 0, q: 0, buy: 0, sell: 0, firstTradeTs: null, lastTradeTs: null, candle: null, oi: null, oiTs: null, funding: null, mark: null, markTs: null };
}

function finish(a: Acc): MarketBucket | null {
  if (a.lastTradeTs !== null) {
    return { t: a.t, open: a.open, high: a.high, low: a.low, close: a.close, vwap: a.q > 0 ? a.pq / a.q : a.close, buyVolume: a.buy, sellVolume: a.sell, openInterest: a.oi, fundingRate: a.funding, markPrice: a.mark };
  }
  if (a.candle) {
    const c = a.candle;
    return { t: a.t, open: c.o, high: c.h, low: c.l, close: c.c, vwap: (c.h + c.l + c.c) / 3, buyVolume: c.v / 2, sellVolume: c.v / 2, openInterest: a.oi, fundingRate: a.funding, markPrice: a.mark };
  }
  if (a.mark !== null) {
    return { t: a.t, open: a.mark, high: a.mark, low: a.mark, close: a.mark, vwap: a.mark, buyVolume: 0, sellVolume: 0, openInterest: a.oi, fundingRate: a.funding, markPrice: a.mark };
  }
  return null;
}
