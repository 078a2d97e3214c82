/** db/reads: read models, one per query shape, shared by api/ and jobs/. */
export * from './markets.js';
export * from './event-pages.js';
export * from './meta.js';
export * from './bucket-parts.js';
export * from './model-events.js';
export * from './heatmap-window.js';
export * from './backtest-inputs.js';
export * from './price-candles.js';
export * from './result-facts.js';
export * from './float-arrays.js';
export * from './levels-around.js';
