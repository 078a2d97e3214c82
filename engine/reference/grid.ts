import { RD, rd, type Exact } from './decimal.js';

/**
 * The reference's price grid, in decimals: the step is `price × fraction` rounded down to 1, 2
 * or 5 × 10ᵏ (the documented rule), and a price's bucket is floor(price / step), exactly.
 */
export function referencePriceStep(price: Exact, fraction: Exact): RD {
  const raw = rd(price).mul(rd(fraction));
  if (!raw.isFinite() || raw.lte(0)) return new RD(1);
  // raw = m × 10^e with 1 ≤ m < 10: decimal.js keeps e exactly.
  const pow = new RD(10).pow(raw.e);
  const m = raw.div(pow);
  const nice = m.gte(5) ? 5 : m.gte(2) ? 2 : 1;
  return pow.mul(nice);
}

/** floor(price / step): the price bucket of a price. */
export function referencePriceIndex(price: RD, step: RD): number {
  return price.div(step).floor().toNumber();
}
