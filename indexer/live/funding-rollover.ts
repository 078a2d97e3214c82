import type { FundingEvent } from '../../db/index.js';

/**
 * Funding prints from a stream of predicted rates: venues push the current rate with the next
 * funding time (Binance `markPrice`, Bybit `tickers`, OKX `funding-rate`); when the next
 * funding time moves on, the rate last seen before it is the one that was settled at the old
 * time, stored as a funding event there (the same row a funding-history file holds).
 */
export class FundingRollover {
  readonly #intervalHours: number | null;
  readonly #last = new Map<string, { nextMs: number; rate: string; mark: string | null }>();

  constructor(intervalHours: number | null) {
    this.#intervalHours = intervalHours;
  }

  /** Observes a market's predicted rate; returns the settled print when a funding time passed. */
  observe(market: string, nextFundingMs: number, rate: string, mark: string | null): FundingEvent | null {
    const prev = this.#last.get(market);
    this.#last.set(market, { nextMs: nextFundingMs, rate, mark });
    if (!prev || nextFundingMs <= prev.nextMs) return null;
    return { kind: 'funding', market, ts: prev.nextMs * 1000, rate: prev.rate, markPrice: prev.mark, intervalHours: this.#intervalHours };
  }

  /**
   * Forgets every market's last rate: after a hole in the stream the rate seen before it is not
   * the one settled in it (REST history fills that, where the venue has one).
   */
  reset(): void {
    this.#last.clear();
  }
}
