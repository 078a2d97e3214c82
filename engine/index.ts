/**
 * engine/: pure domain math (no I/O, imports nothing else of liqmap).
 * This file is the folder's only import surface.
 */
export * from './types.js';
export { EngineError, type EngineErrorCode } from './errors.js';
export * from './margin/index.js';
export * from './model/index.js';
export * from './reference/index.js';
