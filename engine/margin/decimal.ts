import { Decimal } from 'decimal.js';

/**
 * The engine's exact decimal type: 40 significant digits, round-half-even. Margin formulas
 * divide, so results are exact to 40 digits rather than rational; that is ~25 more digits than
 * any exchange prints.
 */
export const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN });
/** A value of {@link Dec}. */
export type Dec = InstanceType<typeof Dec>;

/** Anything the engine accepts as a number: decimal text, a number, or a Dec. */
export type Num = string | number | Dec;

/** Converts to {@link Dec}. */
export function dec(v: Num): Dec {
  return v instanceof Dec ? v : new Dec(v);
}

/** +1 for long, −1 for short. */
export function sign(side: 'long' | 'short'): 1 | -1 {
  return side === 'long' ? 1 : -1;
}
