/**
 * Which price a venue reports on a liquidation record, so the score compares it with the
 * matching level of the model: `liquidation` (the order or fill price when the mark crossed the
 * liquidation price) or `bankruptcy` (the price at which the position's margin is exactly zero,
 * beyond the liquidation price).
 */
export type PriceSemantics = 'liquidation' | 'bankruptcy';

/**
 * Per venue, from the venues' own feed documentation: OKX `liquidation-orders` and Bybit
 * `allLiquidation` report the bankruptcy price; Binance `forceOrder` the order price;
 * Hyperliquid the fill of the liquidation order. Venues not listed are scored at the
 * liquidation price.
 */
const VENUE_PRICE_SEMANTICS: Readonly<Record<string, PriceSemantics>> = Object.freeze({
  okx: 'bankruptcy',
  bybit: 'bankruptcy',
  binance: 'liquidation',
  hyperliquid: 'liquidation',
});

/** The price semantics of a venue's liquidation records (case-insensitive; default `liquidation`). */
export function venuePriceSemantics(venue: string): PriceSemantics {
  return VENUE_PRICE_SEMANTICS[venue.toLowerCase()] ?? 'liquidation';
}
