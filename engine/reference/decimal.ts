import { Decimal } from 'decimal.js';

/**
 * The reference engine's number: 50 significant digits, half-up. Its own clone, so nothing the
 * fast path or the margin rules configure can change how the reference rounds.
 */
export const RD = Decimal.clone({ precision: 50, rounding: Decimal.ROUND_HALF_UP });
/** A value of {@link RD}. */
export type RD = InstanceType<typeof RD>;
/** Anything the reference engine reads as a number: exact decimal text, a float as the SQL aggregation produced it, or a decimal. */
export type Exact = string | number | Decimal;

/** `x` as a reference decimal (floats through their shortest round-trip text). */
export const rd = (x: Exact): RD => (x instanceof RD ? x : new RD(x));
