/** db/results: computed heatmaps, clusters and model checkpoints (written by jobs/, read by api/). */
export * from './heatmap-rows.js';
export * from './clusters.js';
export * from './model-checkpoints.js';
export * from './compute-lock.js';
export * from './result-dirty.js';
export * from './bucket-inputs.js';
export * from './result-checks.js';
export * from './leverage-layers.js';
export * from './aggregates.js';
