/** Codes of errors the engine raises for invalid input. */
export type EngineErrorCode = 'INPUT_INVALID' | 'SYMBOL_UNKNOWN' | 'LEVERAGE_TOO_HIGH' | 'NO_SOLUTION';

/**
 * An invalid input to the engine (negative size, leverage above the tier's maximum, unknown
 * symbol without an override). The engine imports nothing of liqmap, so it has its own error
 * type; callers map it to their own.
 */
export class EngineError extends Error {
  readonly code: EngineErrorCode;
  constructor(code: EngineErrorCode, message: string) {
    super(message);
    this.name = 'EngineError';
    this.code = code;
  }
}
