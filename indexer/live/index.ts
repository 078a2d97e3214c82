/** indexer/live: venues' websocket feeds → canonical events → the store, with REST backfill. */
export { startLiveIndexer, type LiveIndexer, type LiveIndexerOptions } from './live-indexer.js';
export { parseLiveMarkets, readMarketsFile } from './markets.js';
export { VENUE_FEEDS } from './registry.js';
export { liveRegistry, liveMetrics } from './metrics.js';
export { exponentialBackoff, type Backoff } from './backoff.js';
export { createRestClient, type RestClient } from './rest-client.js';
export type { MarketFeedStatus, LiveGap } from './market-feed.js';
export type { LiveMarket, VenueFeed, VenueFeedFactory, VenueContext, ParsedFrame, TradeCursor, TradeBackfill } from './venue-feed.js';
