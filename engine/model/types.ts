import type { Side } from '../types.js';

/**
 * The aggregated input of one time bucket (floats: the fast path). Prices are quote per base
 * unit, volumes base units.
 */
export interface MarketBucket {
  /** Bucket start, epoch milliseconds. */
  readonly t: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  /** Volume-weighted average price (the close when there was no volume). */
  readonly vwap: number;
  /** Taker buy and sell volume, base units (candles without a split count half each). */
  readonly buyVolume: number;
  readonly sellVolume: number;
  /** Last open-interest snapshot in the bucket, base units (one side), or null. */
  readonly openInterest: number | null;
  /** Funding rate applied in the bucket (sum if several), fraction per interval, or null. */
  readonly fundingRate: number | null;
  /** Last mark price in the bucket, or null. */
  readonly markPrice: number | null;
  /** Realized force orders in the bucket, quote: longs liquidated (forced sells) and shorts (forced buys). */
  readonly realizedLong: number;
  readonly realizedShort: number;
}

/** Pending liquidation notional by price bucket, per leverage. */
export type LevelsByLeverage = ReadonlyMap<number, ReadonlyMap<number, number>>;

/**
 * The model's output at the end of one bucket. Price-bucket index i covers
 * [i × priceStep, (i + 1) × priceStep); notional in quote currency.
 */
export interface LevelSnapshot {
  /** Bucket start, epoch ms. */
  readonly t: number;
  /** Close of the bucket, quote. */
  readonly price: number;
  /** Quote per price bucket. */
  readonly priceStep: number;
  /** Liquidation-price bucket → pending long liquidation notional, quote. */
  readonly long: ReadonlyMap<number, number>;
  readonly short: ReadonlyMap<number, number>;
  /** Entry-price bucket → open long (short) notional at entry, quote. */
  readonly oiLong: ReadonlyMap<number, number>;
  readonly oiShort: ReadonlyMap<number, number>;
  /** Per leverage: liquidation-price bucket → notional (for cluster composition). */
  readonly longByLeverage: LevelsByLeverage;
  readonly shortByLeverage: LevelsByLeverage;
  /** Notional the model saw liquidated in this bucket (price crossed its levels), quote. */
  readonly liquidatedLong: number;
  readonly liquidatedShort: number;
}

/** A raw event as the model reads it (engine declares its own minimal shapes; no db import). */
export type ModelEvent =
  | { readonly kind: 'trade'; readonly ts: number; readonly price: string; readonly qty: string; readonly side: 'buy' | 'sell' | null }
  | { readonly kind: 'open_interest'; readonly ts: number; readonly oiQty: string }
  | { readonly kind: 'funding'; readonly ts: number; readonly rate: string }
  | { readonly kind: 'mark_price'; readonly ts: number; readonly markPrice: string }
  | {
      readonly kind: 'liquidation';
      readonly ts: number;
      /** Forced-order side: `sell` liquidated a long. Unknown sides are ignored by the model. */
      readonly side: 'buy' | 'sell' | null;
      readonly price: string;
      readonly qty: string | null;
      /** Quote notional (else price × qty). */
      readonly notional: string | null;
    }
  | {
      readonly kind: 'candle';
      readonly ts: number;
      readonly open: string;
      readonly high: string;
      readonly low: string;
      readonly close: string;
      readonly volume: string | null;
    };

/** A detected cluster of pending liquidations. */
export interface Cluster {
  readonly side: Side;
  /** Price range, quote. */
  readonly priceLow: number;
  readonly priceHigh: number;
  /** Price of the densest bucket, quote. */
  readonly peakPrice: number;
  /** Pending liquidation notional inside the range, quote. */
  readonly notional: number;
  /** Share of the side's total pending notional, 0..1. */
  readonly shareOfSide: number;
  /** (peak − price) / price: negative below the current price. */
  readonly distanceFraction: number;
  /** Notional by leverage inside the range, quote. */
  readonly leverageComposition: readonly { readonly leverage: number; readonly notional: number }[];
}
