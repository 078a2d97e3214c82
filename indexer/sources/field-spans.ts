import { MAX_TS_US, MIN_TS_US, NUMBER_LIMITS } from './fields.js';

/**
 * Span readers for a format's {@link Format.encodeLine} fast path: the common spelling of a
 * field, read in place in its line (no substring). Each accepts only text its reader in
 * fields.ts would return unchanged; anything else is refused and the line goes through
 * `parseLine`, which gives the value or the quarantine reason.
 */

/**
 * Whether the plain unsigned decimal `line[from, to)` (the caller matched it as
 * `\d+(\.\d+)?`) is within the length and fraction limits and has a magnitude inside `bound`
 * (zero only when `zeroOk`). The magnitude is read from the digits, as fields.ts's exponentOf does:
 * ≥ 10^minExp and < 10^maxExp exactly.
 */
function decimalSpanOk(line: string, from: number, to: number, bound: { readonly minExp: number; readonly maxExp: number }, zeroOk: boolean): boolean {
  if (to - from > NUMBER_LIMITS.maxChars) return false;
  let point = line.indexOf('.', from);
  if (point < 0 || point > to) point = to;
  else if (to - point - 1 > NUMBER_LIMITS.maxFractionDigits) return false;
  let i = from;
  while (i < to && line.charCodeAt(i) === 48 /* 0 */) i++;
  // Significant digits before the point: the magnitude is 10^(digits - 1).
  if (i < point) return point - i <= bound.maxExp;
  // Below 1: the first non-zero digit's place after the point.
  i = point + 1;
  while (i < to && line.charCodeAt(i) === 48) i++;
  if (i >= to) return zeroOk;
  return point - i >= bound.minExp;
}

/** Whether `line[from, to)` (matched as `\d+(\.\d+)?`) is a price {@link price} returns unchanged. */
export function priceSpanOk(line: string, from: number, to: number): boolean {
  return decimalSpanOk(line, from, to, NUMBER_LIMITS.price, false);
}

/** Whether `line[from, to)` (matched as `\d+(\.\d+)?`) is a size {@link quantity} returns unchanged. */
export function quantitySpanOk(line: string, from: number, to: number): boolean {
  return decimalSpanOk(line, from, to, NUMBER_LIMITS.size, true);
}

/**
 * The epoch time `line[from, to)` (digits only, ms or µs) in µs as {@link epochToUs} reads it,
 * or -1 (ns, 17 digits or more, outside 2009–2100, not digits).
 */
export function epochUsAt(line: string, from: number, to: number): number {
  const digits = to - from;
  if (digits < 1 || digits > 16) return -1;
  // At most 16 digits: every in-range value and each partial sum is exact in a double.
  let v = 0;
  for (let i = from; i < to; i++) {
    const d = line.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  const us = digits <= 14 ? v * 1000 : v;
  return us < MIN_TS_US || us > MAX_TS_US ? -1 : us;
}
