import { binanceFeed } from './venues/binance.js';
import { bybitFeed } from './venues/bybit.js';
import { hyperliquidFeed } from './venues/hyperliquid.js';
import { okxFeed } from './venues/okx.js';
import type { VenueFeedFactory } from './venue-feed.js';

/**
 * Every venue with a live feed, by the venue id of market ids (`binance:BTCUSDT`). A new
 * venue is one module in `venues/`, its URLs in base/config.ts, and one line here.
 */
export const VENUE_FEEDS: Readonly<Record<string, VenueFeedFactory>> = {
  binance: binanceFeed,
  bybit: bybitFeed,
  okx: okxFeed,
  hyperliquid: hyperliquidFeed,
};
