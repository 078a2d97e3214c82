/**
 * engine/reference: the exact, slow, obvious model — the oracle the fast path must match. It
 * imports nothing of engine/model (its shapes are declared in ./types.ts).
 */
export { referenceModel, referenceReplay, type ReferenceOptions } from './reference-engine.js';
export { exactBucketInputs } from './exact-aggregation.js';
export { referencePriceStep, referencePriceIndex } from './grid.js';
export { referenceMaintenance } from './brackets.js';
export { compareSnapshots, type Agreement } from './compare.js';
export { compareBucketInputs, type InputAgreement, type InputMismatch } from './compare-inputs.js';
export { RD, rd, type Exact } from './decimal.js';
export type { BucketInput, RawEvent, ReferenceParams, ReferenceSnapshot, ReferenceTier } from './types.js';
export { compareServedGrid, compareServedClusters, SERVED_WINDOW, type ServedGrid, type ServedCluster, type CellAgreement, type CellMismatch } from './served-cells.js';
export {
  referenceGmxLiquidatable,
  referenceGmxLiquidationPrice,
  referenceGmxSnapshot,
  type ReferenceGmxMarket,
  type ReferenceGmxPosition,
  type ReferenceGmxSnapshot,
  type ReferenceGmxUpdate,
} from './gmx-v2-reference.js';
