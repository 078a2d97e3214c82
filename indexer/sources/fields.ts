import { Decimal } from 'decimal.js';
import { printable } from '../../base/index.js';
import { RowError } from './format.js';

/**
 * Field readers shared by the formats. Each validates one field and throws a {@link RowError}
 * naming the field and saying why, so a bad row is quarantined with a reason a person can act on.
 */

// Earliest and latest plausible event times: crypto perps start in 2016, and anything past
// 2100 is a unit mistake (ns read as µs, say), not a real event.
export const MIN_TS_US = Date.UTC(2009, 0, 1) * 1000;
export const MAX_TS_US = Date.UTC(2100, 0, 1) * 1000;

const PLAIN_DECIMAL = /^-?(?:\d+\.?\d*|\.\d+)$/;
const SCIENTIFIC = /^-?(?:\d+\.?\d*|\.\d+)[eE][-+]?\d+$/;

/**
 * Splits a CSV line on commas.
 *
 * Hand-written on purpose: every exchange layout we read line by line is unquoted, and this
 * split is measured at ~52 ns per 7-field line against ~17.6 µs for `csv-parse/sync` on the same
 * line (340× slower, 1M lines, Node 20) — the difference between beating `psql \copy` and not.
 * Layouts that may quote fields (the generic CSV) use csv-parse instead.
 */
export function splitCsv(line: string): string[] {
  const cells = line.split(',');
  const last = cells.length - 1;
  const tail = cells[last]!;
  if (tail.endsWith('\r')) cells[last] = tail.slice(0, -1);
  return cells;
}

/** Requires exactly `n` columns. */
export function expectColumns(cells: readonly string[], n: number, layout: string): void {
  if (cells.length !== n) {
    throw new RowError('row', `expected ${n} columns for ${layout}, found ${cells.length}`);
  }
}

/**
 * The documented ranges of numbers (indexer/sources/README.md). They are what a real market can
 * print, with room to spare, and keep every stored number finite and `numeric`-sized: a price
 * of `1e400` or a size of `1e99999999999999999` is a broken row, not a market.
 */
export const NUMBER_LIMITS = {
  /** Longest number text read, in characters (longer is refused before any parsing). */
  maxChars: 64,
  /** Most digits after the decimal point (after expanding scientific notation). */
  maxFractionDigits: 30,
  /** Prices (quote per base unit): 1e-18 ≤ price < 1e15. */
  price: { minExp: -18, maxExp: 15 },
  /** Sizes and notionals (base units, or quote for notionals): 0, or 1e-18 ≤ size < 1e21. */
  size: { minExp: -18, maxExp: 21 },
  /** Signed ratios (funding rates, premium index): 0, or 1e-30 ≤ |rate| < 10. */
  rate: { minExp: -30, maxExp: 1 },
} as const;

type Bound = { readonly minExp: number; readonly maxExp: number };

function shown(s: string): string {
  return printable(s, 40);
}

/**
 * The decimal exponent of a plain or scientific decimal text (⌊log10 |x|⌋), or null for zero.
 * Computed from the digits, so `1e99999999999999999` costs nothing and never overflows.
 */
function exponentOf(s: string): number | null {
  const e = s.search(/[eE]/);
  const mantissa = (e < 0 ? s : s.slice(0, e)).replace('-', '');
  const exp = e < 0 ? 0 : Number(s.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const intPart = dot < 0 ? mantissa : mantissa.slice(0, dot);
  const frac = dot < 0 ? '' : mantissa.slice(dot + 1);
  const firstInt = intPart.search(/[1-9]/);
  if (firstInt >= 0) return exp + intPart.length - firstInt - 1;
  const firstFrac = frac.search(/[1-9]/);
  return firstFrac < 0 ? null : exp - firstFrac - 1;
}

/** Reads a decimal text (plain or scientific) within `bound`, as plain decimal text, or throws. */
function decimalText(raw: string | undefined, field: string, bound: Bound, what: string): string {
  const s = (raw ?? '').trim();
  if (s.length > NUMBER_LIMITS.maxChars) throw new RowError(field, `${field} is ${s.length} characters long (a number has at most ${NUMBER_LIMITS.maxChars})`);
  const plain = PLAIN_DECIMAL.test(s);
  if (!plain && !SCIENTIFIC.test(s)) throw new RowError(field, s === '' ? `${field} is empty` : `${field} is not a number: ${shown(s)}`);
  const exp = exponentOf(s);
  if (exp !== null && (exp < bound.minExp || exp >= bound.maxExp)) {
    throw new RowError(field, `${field} ${shown(s)} is outside the accepted range (${what}: magnitude from 1e${bound.minExp} to below 1e${bound.maxExp})`);
  }
  const text = plain ? (s.startsWith('.') ? `0${s}` : s.startsWith('-.') ? `-0${s.slice(1)}` : s) : new Decimal(s).toFixed();
  const dot = text.indexOf('.');
  if (dot >= 0 && text.length - dot - 1 > NUMBER_LIMITS.maxFractionDigits) {
    throw new RowError(field, `${field} ${shown(s)} has more than ${NUMBER_LIMITS.maxFractionDigits} digits after the point`);
  }
  return text;
}

// Plain unsigned decimals without a leading dot: what every exchange file prints. Checked
// first because it is one regex test and one Number() instead of the general path; 32
// characters or fewer means at most 30 digits after the point. The range test on the double
// is exact enough: a value outside the range never rounds into it at this many digits.
const UNSIGNED_PLAIN = /^\d+(?:\.\d+)?$/;

/** A price: a decimal number within {@link NUMBER_LIMITS}.price (so greater than zero). */
export function price(raw: string | undefined, field = 'price'): string {
  if (raw !== undefined && raw.length <= 32 && UNSIGNED_PLAIN.test(raw)) {
    const n = Number(raw);
    if (n >= 1e-18 && n < 1e15) return raw;
  }
  const s = decimalText(raw, field, NUMBER_LIMITS.price, 'a price');
  if (s.startsWith('-') || !/[1-9]/.test(s)) throw new RowError(field, `${field} must be greater than zero, got ${shown(s)}`);
  return s;
}

/** A size: zero, or a decimal number within {@link NUMBER_LIMITS}.size. */
export function quantity(raw: string | undefined, field = 'quantity'): string {
  if (raw !== undefined && raw.length <= 32 && UNSIGNED_PLAIN.test(raw)) {
    const n = Number(raw);
    if (n === 0 || (n >= 1e-18 && n < 1e21)) return raw;
  }
  const s = decimalText(raw, field, NUMBER_LIMITS.size, 'a size');
  if (s.startsWith('-') && /[1-9]/.test(s)) throw new RowError(field, `${field} must not be negative, got ${shown(s)}`);
  return s.startsWith('-') ? s.slice(1) : s;
}

/** A signed decimal ratio (funding rates, premium index) within {@link NUMBER_LIMITS}.rate. */
export function signedDecimal(raw: string | undefined, field: string): string {
  return decimalText(raw, field, NUMBER_LIMITS.rate, 'a rate');
}

/** An optional non-negative decimal: empty → null. */
export function optionalQuantity(raw: string | undefined, field: string): string | null {
  return raw === undefined || raw.trim() === '' ? null : quantity(raw, field);
}

function checkRange(us: number, field: string, shown: string): number {
  if (!Number.isFinite(us) || us < MIN_TS_US || us > MAX_TS_US) {
    throw new RowError(field, `${field} ${printable(shown, 40)} is out of range (expected a time between 2009 and 2100)`);
  }
  return us;
}

/**
 * An epoch timestamp in ms, µs or ns (the unit is inferred from the magnitude: Binance moved
 * its archives from ms to µs in 2025, captures stamp ns), returned as epoch microseconds.
 */
export function epochToUs(raw: string | undefined, field = 'timestamp'): number {
  const s = (raw ?? '').trim();
  if (!/^\d{1,19}$/.test(s)) throw new RowError(field, s === '' ? `${field} is empty` : `${field} is not an integer epoch time: ${shown(s)}`);
  let us: number;
  if (s.length <= 14) us = Number(s) * 1000; // ms (13 digits until 2286)
  else if (s.length <= 17) us = Number(s); // µs
  else us = Number(s.slice(0, -3)); // ns: drop sub-µs digits without float loss
  return checkRange(us, field, s);
}

/** Epoch milliseconds as a number (JSON payloads), returned as epoch microseconds. */
export function epochMsToUs(ms: number, field = 'timestamp'): number {
  return checkRange(ms * 1000, field, String(ms));
}

const ISO_LIKE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Days in a month of the proleptic Gregorian calendar (month 1–12). */
function daysInMonth(year: number, month: number): number {
  return month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Largest UTC offset accepted, minutes (±18:00, as java.time and ISO 8601 profiles do). */
const MAX_OFFSET_MIN = 18 * 60;

/**
 * An ISO-8601 / `YYYY-MM-DD hh:mm:ss` time (UTC unless an offset is given), as epoch µs.
 * Integers are read as epochs. Impossible dates (`2024-02-30`, `2024-13-45 99:99`, an offset
 * of `+25:99`) are refused with the part that is wrong, never rolled over into another day.
 */
export function timeToUs(raw: string | undefined, field = 'timestamp'): number {
  const s = (raw ?? '').trim();
  if (/^\d+$/.test(s)) return epochToUs(s, field);
  const m = ISO_LIKE.exec(s);
  if (!m) throw new RowError(field, s === '' ? `${field} is empty` : `${field} is not a time: ${shown(s)}`);
  const [, y, mo, d, h, mi, sec, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const bad = (what: string) => new RowError(field, `${field} ${shown(s)} is not a valid time: ${what}`);
  if (month < 1 || month > 12) throw bad(`month ${mo} is not 01–12`);
  if (day < 1 || day > daysInMonth(year, month)) throw bad(`day ${d} does not exist in ${y}-${mo}`);
  if (Number(h) > 23) throw bad(`hour ${h} is not 00–23`);
  if (Number(mi) > 59) throw bad(`minute ${mi} is not 00–59`);
  if (sec !== undefined && Number(sec) > 59) throw bad(`second ${sec} is not 00–59`);
  let ms = Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(sec ?? 0));
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.replace(/[+:-]/g, '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2));
    if (om > 59 || oh * 60 + om > MAX_OFFSET_MIN) throw bad(`offset ${zone} is not a UTC offset (at most ±18:00)`);
    ms -= sign * (oh * 60 + om) * 60_000;
  }
  const micros = frac ? Number(frac.padEnd(6, '0').slice(0, 6)) : 0;
  if (Number.isNaN(ms)) throw bad('not a calendar date');
  return checkRange(ms * 1000 + micros, field, s);
}

/** Longest candle accepted, seconds (a year; the `interval_s` column is int32). */
export const MAX_CANDLE_INTERVAL_S = 366 * 86_400;

/** A count (trades in a candle): a whole number from 0 to 2,147,483,647 (the int32 column). */
export function tradeCount(raw: string | undefined, field: string): number {
  const s = (raw ?? '').trim();
  const n = /^\d{1,10}$/.test(s) ? Number(s) : Number.NaN;
  if (!(n <= 2_147_483_647)) throw new RowError(field, `${field} must be a whole number from 0 to 2147483647, got ${shown(s)}`);
  return n;
}

/** `true`/`false` (any case). */
export function bool(raw: string | undefined, field: string): boolean {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  const s = (raw ?? '').trim().toLowerCase();
  if (s === 'true' || s === '1') return true;
  if (s === 'false' || s === '0') return false;
  throw new RowError(field, `${field} must be true or false, got ${shown(s)}`);
}

/** Longest identifier (trade id, symbol, venue), characters. */
export const MAX_IDENT_CHARS = 200;

// C0 and C1 control characters, DEL, and U+FFFD (what invalid UTF-8 decodes to); lone
// surrogates (from JSON escapes) would be written as U+FFFD.
const LONE_SURROGATE = /\p{Cs}/u;
// eslint-disable-next-line no-control-regex
const NOT_IN_IDENT = /[\u0000-\u001f\u007f-\u009f\ufffd]/;

/**
 * A non-empty identifier of at most {@link MAX_IDENT_CHARS} characters, without control
 * characters: ids are keys (an over-long one exceeds the index row limit; a replaced byte
 * could make two ids collide).
 */
export function ident(raw: string | undefined, field: string): string {
  const s = (raw ?? '').trim();
  if (s === '') throw new RowError(field, `${field} is empty`);
  if (s.length > MAX_IDENT_CHARS) throw new RowError(field, `${field} is ${s.length} characters long (at most ${MAX_IDENT_CHARS})`);
  if (NOT_IN_IDENT.test(s) || LONE_SURROGATE.test(s)) throw new RowError(field, `${field} contains control characters or invalid text: ${shown(s)}`);
  return s;
}

/** The market of a row: the flag / file name market, or a clear error when neither names one. */
export function requireMarket(market: string | null, layout: string): string {
  if (market === null) {
    throw new RowError('market', `no market for ${layout} rows: pass --market exchange:SYMBOL (e.g. binance:BTCUSDT) or keep the exchange's file name`);
  }
  return market;
}
