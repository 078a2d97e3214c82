import type { TradeEvent } from '../../db/index.js';

/**
 * Trades a market feed received while not caught up, kept in segments: each segment is a run
 * the stream delivered without a hole, and a hole (a disconnect, a dropped frame) lies before
 * every segment but the first. A connection can be cut before its own catch-up starts (its
 * subscriptions still being sent), so trades of several connections may wait together: each
 * hole between them needs its own backfill, from the last trade released before it.
 */
export class HeldTrades {
  #segments: TradeEvent[][] = [];
  #size = 0;

  /** Trades held, over all segments. */
  get size(): number {
    return this.#size;
  }

  /** The oldest trade held (the first the next backfill must reach), or null. */
  first(): TradeEvent | null {
    return this.#segments[0]?.[0] ?? null;
  }

  /** Appends a trade to the newest segment. */
  push(t: TradeEvent): void {
    const last = this.#segments.at(-1);
    if (last) last.push(t);
    else this.#segments.push([t]);
    this.#size++;
  }

  /** A hole: what is pushed next starts a new segment. */
  cut(): void {
    if (this.#segments.at(-1)?.length) this.#segments.push([]);
  }

  /** Takes the oldest segment out (empty when nothing is held). */
  shift(): TradeEvent[] {
    const s = this.#segments.shift() ?? [];
    this.#size -= s.length;
    return s;
  }

  /** Puts trades back in front as the oldest segment (a hole still lies before them). */
  unshift(trades: TradeEvent[]): void {
    if (trades.length === 0) return;
    this.#segments.unshift(trades);
    this.#size += trades.length;
  }
}
