import { LiqmapError } from './errors.js';

/** A URL with its password replaced by `***`, for messages and logs. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
  }
}

/** The short cause of a connection failure: an errno code and the driver's message, one line. */
export function describeCause(e: unknown): string {
  const err = e as { code?: unknown; message?: unknown; errors?: unknown[] } | null;
  // Node's AggregateError (IPv4 + IPv6 attempts) carries the useful code on its parts.
  const first = Array.isArray(err?.errors) && err.errors.length > 0 ? (err.errors[0] as { code?: unknown; message?: unknown }) : null;
  const code = typeof err?.code === 'string' ? err.code : typeof first?.code === 'string' ? first.code : '';
  const message = String(err?.message || first?.message || e).split('\n')[0]!;
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

/**
 * The one error every command gives when a service it needs does not answer: which service,
 * where (password masked), why, and what to do.
 */
export function serviceUnavailable(service: 'Postgres' | 'Redis', url: string, cause: unknown, hint?: string): LiqmapError {
  const masked = maskUrl(url);
  return new LiqmapError(
    'SERVICE_UNAVAILABLE',
    `${service} at ${masked} is unavailable (${describeCause(cause)})${hint ? `: ${hint}` : ''}`,
    { service, url: masked },
    cause,
  );
}

/** Rejects with `onTimeout()` when `p` takes longer than `ms`. */
export async function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(onTimeout()), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
