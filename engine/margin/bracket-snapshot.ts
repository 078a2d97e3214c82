/** The shape of a bundled tier table, shared by the venues whose tiers carry a maintenance amount. */

/**
 * One tier: notional up to `cap` (quote), its maintenance margin rate, maintenance amount and max
 * leverage (Binance's bracket with `cum`, Bybit's risk-limit tier with its deduction).
 */
export interface Bracket {
  /** Upper notional bound of the bracket, quote (the lower bound is the previous cap). */
  readonly cap: string;
  /** Maintenance margin rate (0.004 = 0.4%). */
  readonly mmr: string;
  /** Maintenance amount (Binance cum, Bybit deduction), quote: cum_n = cum_{n−1} + floor_n × (MMR_n − MMR_{n−1}). */
  readonly cum: string;
  /** Highest initial leverage allowed in the bracket. */
  readonly maxLeverage: number;
}

/** A dated snapshot of one symbol's tiers, with its source. */
export interface BracketSnapshot {
  readonly symbol: string;
  /** When the snapshot was taken (YYYY-MM or YYYY-MM-DD). */
  readonly asOf: string;
  readonly source: string;
  readonly brackets: readonly Bracket[];
}
