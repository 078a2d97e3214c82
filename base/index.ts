export { LiqmapError, isLiqmapError, type ErrorCode } from './errors.js';
export { parseConfig, loadConfig, configSchema, type Config } from './config.js';
export { printable } from './printable.js';
export { createLogger, silentLogger, type Logger } from './logger.js';
export { maskUrl, describeCause, serviceUnavailable, withTimeout } from './service-error.js';
export { LoopTurns } from './loop-turns.js';
