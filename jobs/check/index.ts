/** jobs/check: checks of served results against the reference engine, off the event loop. */
export { createCheckService, checkId, type CheckService, type CheckServiceOptions, type CheckStatus } from './check-service.js';
export { runEstimatedCheck, CELL_TOLERANCE, INPUT_TOLERANCE } from './run-check.js';
export { storeLoader } from './store-loader.js';
export type { CheckSpec, CheckVerdict, StageVerdict, StageMismatch, ServedCells, CheckLoader } from './check-spec.js';
