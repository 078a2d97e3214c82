/** engine/model: the estimated liquidation-level model, clusters, cascades and accuracy. */
export { DEFAULT_MODEL_PARAMS, parseModelParams, modelParamsHash, type ModelParams, type LeverageWeight } from './params.js';
export type { MarketBucket, LevelSnapshot, ModelEvent, Cluster, LevelsByLeverage } from './types.js';
export { niceStep, priceIndex } from './price-grid.js';
export { aggregateBuckets, assembleBuckets, type BucketPart } from './aggregate-buckets.js';
export { createModelState, stepModel, runModel, serializeModelState, deserializeModelState, cohortLiquidationPrice, type ModelState } from './heatmap-model.js';
export { detectClusters, type ClusterOptions } from './clusters.js';
export { simulateCascade, type CascadeLevel, type CascadeResult, type CascadeWave, type DepthModel } from './cascade.js';
export { scoreAccuracy, baselineBands, type AccuracyScore, type Prediction, type RealizedLiquidation } from './accuracy.js';
export { exactSnapshot, type KnownPosition } from './exact-positions.js';
export { backtest, type BacktestOptions } from './backtest.js';
