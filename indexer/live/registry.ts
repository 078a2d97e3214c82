import { binanceFeed } from './venues/binance.js';
import type { VenueFeedFactory } from './venue-feed.js';

/**
 * Every venue with a live feed, by the venue id of market ids (`binance:BTCUSDT`). A new
 * venue is one module in `venues/` and one line here.
 */
export const VENUE_FEEDS: Readonly<Record<string, VenueFeedFactory>> = {
  binance: binanceFeed,
};
