/**
 * Every failure a user can act on is a {@link LiqmapError}: a stable `code` for scripts,
 * and a message that says what is wrong and what to do.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'INPUT_INVALID'
  | 'FILE_UNREADABLE'
  | 'LAYOUT_UNKNOWN'
  | 'NOTHING_INGESTED'
  | 'MARKET_UNKNOWN'
  | 'RANGE_TOO_LARGE'
  | 'NOT_FOUND'
  | 'UNAUTHORIZED'
  | 'UPSTREAM_FAILED'
  | 'MIGRATION_FAILED'
  | 'NOT_READY'
  | 'SERVICE_UNAVAILABLE'
  | 'DATABASE_BUSY'
  | 'TOO_MANY_SUBSCRIPTIONS'
  | 'BAD_USER_INPUT'
  | 'UNKNOWN_LEVERAGE'
  | 'CANNOT_LISTEN';

/** An error with a machine-readable code and a message meant for the person running liqmap. */
export class LiqmapError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  /** `cause` is the underlying error (chained as `Error.cause`, kept out of the message). */
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'LiqmapError';
    this.code = code;
    this.details = details ? Object.freeze({ ...details }) : undefined;
  }
}

/** True when `e` is a {@link LiqmapError}, optionally of one code. */
export function isLiqmapError(e: unknown, code?: ErrorCode): e is LiqmapError {
  return e instanceof LiqmapError && (code === undefined || e.code === code);
}
