/** Spread of a sample: its smallest, middle and largest value. */
export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

/** Rounds each side runs by default (`BENCH_ROUNDS` overrides). */
export const ROUNDS = Math.max(1, Math.trunc(Number(process.env.BENCH_ROUNDS ?? 3)));

/** min / median / max of a non-empty sample (the median of an even count is the mean of the middle two). */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new RangeError('spread: no values');
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { min: s[0]!, median, max: s.at(-1)! };
}

/** What {@link alternate} measured: each side's samples and the ratio of each round. */
export interface Alternated<T> {
  readonly ours: readonly T[];
  readonly theirs: readonly T[];
  /** ours / theirs of each round's figure (`value` picks it). */
  readonly ratios: Spread;
}

/**
 * Runs our side and the baseline alternately (ours, theirs, ours, theirs, …) `rounds` times, so a
 * change in the machine's load hits both, and returns the ratio of each round as min/median/max.
 * `value` picks the figure compared (higher is better for a rate; for a time pass the time and
 * read the ratio as ours / theirs, lower is better).
 */
export async function alternate<T>(sides: { ours: () => Promise<T>; theirs: () => Promise<T> }, value: (x: T) => number, rounds = ROUNDS): Promise<Alternated<T>> {
  const ours: T[] = [];
  const theirs: T[] = [];
  for (let i = 0; i < rounds; i++) {
    ours.push(await sides.ours());
    theirs.push(await sides.theirs());
  }
  // A baseline that measured nothing (0) gives no ratio (NaN, printed n/a), not an absurd one.
  return { ours, theirs, ratios: spread(ours.map((o, i) => (value(theirs[i]!) > 0 ? value(o) / value(theirs[i]!) : NaN))) };
}

/** `v` with `digits` decimals; one too small for them keeps two significant digits (not 0.00), NaN reads n/a. */
export function ratioText(v: number, digits = 2): string {
  if (!Number.isFinite(v)) return 'n/a';
  return v !== 0 && Math.abs(v) < 10 ** -digits ? Number(v.toPrecision(2)).toString() : v.toFixed(digits);
}

/** "a/b/c" of a spread with `digits` decimals. */
export function spreadText(s: Spread, digits = 2): string {
  return [s.min, s.median, s.max].map((v) => ratioText(v, digits)).join('/');
}
