/** engine/reference: the exact, slow, obvious model — the oracle the fast path must match. */
export { referenceReplay } from './reference-engine.js';
export { compareSnapshots, type Agreement } from './compare.js';
