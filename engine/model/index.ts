/** engine/model: the estimated liquidation-level model, clusters, cascades and accuracy. */
export { DEFAULT_MODEL_PARAMS, MODEL_PARAM_RANGES, describeRange, inRange, parseModelParams, modelParamsHash, capLeverageMix, type ModelParams, type LeverageWeight, type ParamRange } from './params.js';
export type { MarketBucket, LevelSnapshot, ModelEvent, Cluster, LevelsByLeverage } from './types.js';
export { niceStep, priceIndex, gridPeriod, GRID_PERIOD_MS } from './price-grid.js';
export { aggregateBuckets, assembleBuckets, type BucketPart } from './aggregate-buckets.js';
export { createModelState, stepModel, runModel, serializeModelState, deserializeModelState, cohortLiquidationPrice, type ModelState } from './heatmap-model.js';
export { detectClusters, type ClusterOptions } from './clusters.js';
export { simulateCascade, type CascadeLevel, type CascadeResult, type CascadeWave, type DepthModel } from './cascade.js';
export { scoreAccuracy, baselineBands, type AccuracyScore, type Prediction, type RealizedLiquidation } from './accuracy.js';
export { exactSnapshot, type KnownPosition } from './exact-positions.js';
export { backtest, type BacktestOptions } from './backtest.js';
export { venuePriceSemantics, type PriceSemantics } from './price-semantics.js';
export { bankruptcyLevels } from './bankruptcy-levels.js';
export { bootstrapInterval, type Interval, type BootstrapOptions } from './bootstrap.js';
export { fitDistanceBaseline, distanceDensity, fallOffRate, type DistanceBaseline, type DistanceSample, type FallOff, type Direction } from './distance-baseline.js';
export { topShareCaptured, captureRecord, aggregateCapture, DEFAULT_QS, type RangedPrediction, type CaptureRecord, type CaptureUnit, type CaptureFigure, type CaptureScore } from './traversed-capture.js';
export { spearman, scoreAmounts, type AmountSample, type AmountScore } from './amount-calibration.js';
export { traceBacktest, traceFromLevels, walkForwardScore, defaultWarmupMs, type LevelRow, type Bar, splitTime, blockLength, trainRecords, type BacktestTrace, type TraceOptions, type WindowScore, type WalkForwardScore } from './fair-score.js';
export { calibrate, DEFAULT_CALIBRATION_GRID, type CalibrationGrid, type CalibrateOptions, type CalibrationResult } from './calibrate.js';
