/** indexer/sources: one module per input layout, each turning lines into canonical events. */
export { RowError, type Format, type LineContext } from './format.js';
export { FORMATS, detectFormat, formatByName } from './detect-layout.js';
export { binanceAggTrades } from './binance-agg-trades.js';
export { binanceTrades } from './binance-trades.js';
export { binanceFundingRate } from './binance-funding-rate.js';
export { binanceMetrics } from './binance-metrics.js';
export { binanceTradeKlines, binanceMarkPriceKlines, binanceIndexPriceKlines, binancePremiumIndexKlines } from './binance-klines.js';
export { binanceLiquidationSnapshot } from './binance-liquidation-snapshot.js';
export { binanceWsCapture, binanceStreamEvents } from './binance-ws-capture.js';
export { tardisTrades } from './tardis-trades.js';
export { tardisLiquidations } from './tardis-liquidations.js';
export { tardisDerivativeTicker } from './tardis-derivative-ticker.js';
export { bybitTrades } from './bybit-trades.js';
export { multivenueCandles } from './multivenue-candles.js';
export { multivenueFunding } from './multivenue-funding.js';
export { multivenueLiquidations } from './multivenue-liquidations.js';
export { genericCsv, genericJsonl } from './generic.js';
export { perpMarket, venueId, fundingIntervalHours } from './venues.js';
