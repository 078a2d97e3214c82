import { CopyRejectedError } from './store.js';

/** Waits between retries of work whose connection was lost (~30 s in all). */
export const RECONNECT_DELAYS_MS: readonly number[] = [250, 500, 1000, 2000, 4000, 8000, 8000, 8000];

const CONNECTION_CODES = new Set(['CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Whether an error means the database connection was lost or refused (a restart, a crash, a
 * network cut), not that the batch is wrong: driver connection codes, SQLSTATE class 08, and
 * 57P01–57P03 (shutdown, crash, still starting). postgres.js sometimes fails a query in flight
 * with a TypeError from its own code when the socket closes under it; that counts too.
 */
export function isConnectionLoss(e: unknown): boolean {
  const err = e as { code?: unknown; errors?: { code?: unknown }[]; stack?: unknown } | null;
  const code = typeof err?.code === 'string' ? err.code : typeof err?.errors?.[0]?.code === 'string' ? (err.errors[0].code as string) : '';
  if (CONNECTION_CODES.has(code) || /^08|^57P0[123]$/.test(code)) return true;
  if (e instanceof CopyRejectedError) return false;
  return e instanceof TypeError && /node_modules[\\/]postgres[\\/]/.test(String(err?.stack ?? ''));
}

/**
 * Runs `fn`, and again after each lost connection (a Postgres restart) with bounded backoff
 * ({@link RECONNECT_DELAYS_MS}); any other error, or the last loss, is thrown. `fn` must be
 * idempotent: its lost answer may be that of a commit that went through.
 */
export async function withReconnect<T>(fn: () => Promise<T>, delaysMs: readonly number[] = RECONNECT_DELAYS_MS, onRetry?: (error: unknown, attempt: number, delayMs: number) => void): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const delay = delaysMs[attempt];
      if (!isConnectionLoss(e) || delay === undefined) throw e;
      onRetry?.(e, attempt + 1, delay);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
