/** Jittered exponential backoff (“equal jitter”): half the delay fixed, half random. */
export interface Backoff {
  /** The delay before attempt `n` (0-based), ms. */
  delay(attempt: number): number;
}

/** Options of {@link exponentialBackoff}. */
export interface BackoffOptions {
  readonly baseMs?: number;
  readonly maxMs?: number;
  /** Random source in [0, 1) (tests pin it). */
  readonly random?: () => number;
}

/**
 * base × 2ⁿ capped at max, then half of it plus a random half: many clients dropped at once
 * (an exchange restart) come back spread out instead of in one burst, and no client waits
 * less than half the nominal delay.
 */
export function exponentialBackoff(options: BackoffOptions = {}): Backoff {
  const base = options.baseMs ?? 500;
  const max = options.maxMs ?? 30_000;
  const random = options.random ?? Math.random;
  return {
    delay(attempt) {
      const nominal = Math.min(max, base * 2 ** Math.min(attempt, 30));
      return nominal / 2 + random() * (nominal / 2);
    },
  };
}
