import type { MarketBucket } from './types.js';
import type { BucketPart } from './aggregate-buckets.js';

type Bar = Omit<MarketBucket, 't' | 'openInterest' | 'fundingRate' | 'markPrice' | 'realizedLong' | 'realizedShort'>;

/**
 * Turns parts into model buckets, in time order: trades win, a candle stands in when there were
 * none (VWAP = typical price (h + l + c)/3, volume split half/half), a mark price when there is
 * neither; funding, open interest and realized liquidations of an unpriced bucket carry to the
 * next priced one. Fed range by range ({@link push}, consecutive ranges in time order), the carry
 * crosses from one range to the next, so the buckets are those of the ranges assembled as one.
 */
export class BucketAssembler {
  #funding: number | null = null;
  #oi: number | null = null;
  #long = 0;
  #short = 0;

  /** The buckets of `parts` (any order inside; all later than any part pushed before). */
  push(parts: readonly BucketPart[]): MarketBucket[] {
    const out: MarketBucket[] = [];
    for (const p of [...parts].sort((x, y) => x.t - y.t)) {
      if (p.funding !== null) this.#funding = (this.#funding ?? 0) + p.funding;
      if (p.openInterest !== null) this.#oi = p.openInterest;
      if (p.liquidations) {
        this.#long += p.liquidations.long;
        this.#short += p.liquidations.short;
      }
      let bar: Bar | null = null;
      if (p.trades) bar = { open: p.trades.open, high: p.trades.high, low: p.trades.low, close: p.trades.close, vwap: p.trades.vwap, buyVolume: p.trades.buy, sellVolume: p.trades.sell };
      else if (p.candle) {
        const c = p.candle;
        bar = { open: c.open, high: c.high, low: c.low, close: c.close, vwap: (c.high + c.low + c.close) / 3, buyVolume: c.volume / 2, sellVolume: c.volume / 2 };
      } else if (p.mark !== null) bar = { open: p.mark, high: p.mark, low: p.mark, close: p.mark, vwap: p.mark, buyVolume: 0, sellVolume: 0 };
      if (!bar) continue;
      out.push({ t: p.t, ...bar, openInterest: this.#oi, fundingRate: this.#funding, markPrice: p.mark, realizedLong: this.#long, realizedShort: this.#short });
      this.#funding = null;
      this.#oi = null;
      this.#long = 0;
      this.#short = 0;
    }
    return out;
  }
}
