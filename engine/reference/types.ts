import type { Exact } from './decimal.js';

/**
 * The reference engine declares its own shapes (structurally the same as the fast path's, so a
 * caller can hand it the same values) and imports nothing of engine/model: an oracle that
 * shared code with what it checks would share its faults.
 */

/** A raw event as stored (decimal text), the reference's own copy of the model's event shape. */
export type RawEvent =
  | { readonly kind: 'trade'; readonly ts: number; readonly price: string; readonly qty: string; readonly side: 'buy' | 'sell' | null }
  | { readonly kind: 'open_interest'; readonly ts: number; readonly oiQty: string }
  | { readonly kind: 'funding'; readonly ts: number; readonly rate: string }
  | { readonly kind: 'mark_price'; readonly ts: number; readonly markPrice: string }
  | { readonly kind: 'liquidation'; readonly ts: number; readonly side: 'buy' | 'sell' | null; readonly price: string; readonly qty: string | null; readonly notional: string | null }
  | { readonly kind: 'candle'; readonly ts: number; readonly open: string; readonly high: string; readonly low: string; readonly close: string; readonly volume: string | null };

/**
 * What one time bucket's data says before assembly (the SQL aggregation's output, or the
 * reference's exact re-derivation of it): trade aggregates, the bucket's candles merged, the
 * last open-interest snapshot, summed funding, the last mark price, realized force orders.
 */
export interface BucketInput<N = Exact> {
  /** Bucket start, epoch ms. */
  readonly t: number;
  readonly trades: { readonly open: N; readonly high: N; readonly low: N; readonly close: N; readonly vwap: N; readonly buy: N; readonly sell: N } | null;
  readonly candle: { readonly open: N; readonly high: N; readonly low: N; readonly close: N; readonly volume: N } | null;
  readonly openInterest: N | null;
  readonly funding: N | null;
  readonly mark: N | null;
  /** Realized force orders, quote, by the side liquidated. */
  readonly liquidations: { readonly long: N; readonly short: N } | null;
}

/** A maintenance bracket: notional up to `cap` (quote) has rate `rate` and amount `amount` (quote). */
export interface ReferenceTier {
  readonly cap: number;
  readonly rate: number;
  readonly amount: number;
}

/** The model parameters the reference reads (the documented model's, by the same names). */
export interface ReferenceParams {
  readonly timeBucketSeconds: number;
  readonly priceBucketFraction: number;
  readonly leverages: readonly { readonly leverage: number; readonly weight: number }[];
  /** Flat maintenance rate and amount / notional; used when no brackets are given. */
  readonly maintenanceMarginRate: number;
  readonly maintenanceAmountFraction: number;
  /** The venue's brackets: when present the reference picks the bracket itself, at `positionNotional`. */
  readonly maintenanceTiers?: readonly ReferenceTier[] | null | undefined;
  readonly positionNotional: number;
  readonly imbalanceWeight: number;
  readonly participation: number;
  readonly halfLifeHours: number;
  readonly fundingAdjusted: boolean;
  /** Hours over which the open interest standing at the first snapshot is seeded. */
  readonly seedWarmupHours: number;
  /** Entry prices per bucket, spread evenly over its low..high (1 = the VWAP); absent = 1. */
  readonly entrySpreadPoints?: number | undefined;
  /** Each leverage L also at L/(1 + s) and L(1 + s), weights ¼, ½, ¼; absent = 0. */
  readonly leverageSpread?: number | undefined;
  /** Tilt of new positions toward longs by tanh(last funding / RMS funding) × this; absent = 0. */
  readonly fundingSkewWeight?: number | undefined;
  /** Served levels of each leverage spread by a normal of σ = this × close / (leverage × step) buckets; absent = 0. */
  readonly levelSpread?: number | undefined;
}

/** The reference's levels at the end of one bucket, as numbers (price-bucket index → quote notional). */
export interface ReferenceSnapshot {
  readonly t: number;
  readonly price: number;
  readonly priceStep: number;
  readonly long: ReadonlyMap<number, number>;
  readonly short: ReadonlyMap<number, number>;
  readonly oiLong: ReadonlyMap<number, number>;
  readonly oiShort: ReadonlyMap<number, number>;
  readonly longByLeverage: ReadonlyMap<number, ReadonlyMap<number, number>>;
  readonly shortByLeverage: ReadonlyMap<number, ReadonlyMap<number, number>>;
  readonly liquidatedLong: number;
  readonly liquidatedShort: number;
}
