/**
 * The price step for a market: `price × fraction` rounded down to 1, 2 or 5 × 10ᵏ, so grids
 * are readable and rows of different times line up. Fixed once per model state.
 */
export function niceStep(price: number, fraction: number): number {
  const raw = price * fraction;
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const exp = Math.floor(Math.log10(raw));
  const base = 10 ** exp;
  const m = raw / base;
  const nice = m >= 5 ? 5 : m >= 2 ? 2 : 1;
  // Round to kill float noise in the power of ten (0.1 × 5 = 0.5 exactly).
  return Number((nice * base).toPrecision(12));
}

/** The price bucket of a price: floor(price / step). */
export function priceIndex(price: number, step: number): number {
  return Math.floor(price / step + 1e-9);
}
