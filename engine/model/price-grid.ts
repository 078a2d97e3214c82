/**
 * The price step for a price: `price × fraction` rounded down to 1, 2 or 5 × 10ᵏ, so grids are
 * readable and rows of one grid period line up. (A relative 1e-12 keeps a decimal product that
 * lands on a step, such as 40,000 × 0.0005 = 20, from rounding down by float noise.)
 */
export function niceStep(price: number, fraction: number): number {
  const raw = price * fraction;
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const exp = Math.floor(Math.log10(raw * (1 + 1e-12)));
  const base = 10 ** exp;
  const m = (raw / base) * (1 + 1e-12);
  const nice = m >= 5 ? 5 : m >= 2 ? 2 : 1;
  // Round to kill float noise in the power of ten (0.1 × 5 = 0.5 exactly).
  return Number((nice * base).toPrecision(12));
}

/** Length of a grid period, ms: the price step is chosen afresh at the first bucket of each UTC day. */
export const GRID_PERIOD_MS = 86_400_000;

/** The grid period (UTC day number) of a time, epoch ms. */
export function gridPeriod(t: number): number {
  return Math.floor(t / GRID_PERIOD_MS);
}

/** The price bucket of a price: floor(price / step). */
export function priceIndex(price: number, step: number): number {
  return Math.floor(price / step + 1e-9);
}

/**
 * The least common multiple of grid steps (1, 2 or 5 × 10ᵏ: steps 2 and 5 give 10), computed on
 * integers at the finest step's decimals.
 */
export function commonStep(steps: readonly number[]): number {
  if (steps.length === 0) return 1;
  const decimals = Math.max(...steps.map((s) => Math.max(0, -Math.floor(Math.log10(s) + 1e-9))));
  const scale = 10 ** decimals;
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  let l = 1;
  for (const s of steps) {
    const n = Math.round(s * scale);
    l = (l / gcd(l, n)) * n;
  }
  return Number((l / scale).toPrecision(12));
}
