/**
 * Encoding of canonical values as COPY CSV fields. Hand-written rather than a CSV library:
 * the fields are numbers, decimal strings and short ids, so only the rare text field needs
 * quoting, and this runs once per column per row on the ingest hot path.
 */

const NEEDS_QUOTES = /[",\n\r]/;

/** A CSV field for COPY: `null` becomes the empty unquoted field (SQL NULL). */
export function csvField(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  if (v === '') return '""';
  return NEEDS_QUOTES.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

let cachedSecond = Number.NaN;
let cachedPrefix = '';

/**
 * Epoch microseconds → `YYYY-MM-DDTHH:MM:SS.ffffff+00`. Sources are time-ordered, so the
 * date-and-second prefix is cached: one `toISOString` per distinct second, not per row.
 */
export function timestampText(us: number): string {
  const sec = Math.floor(us / 1_000_000);
  if (sec !== cachedSecond) {
    cachedSecond = sec;
    cachedPrefix = new Date(sec * 1000).toISOString().slice(0, 19);
  }
  const frac = us - sec * 1_000_000;
  return `${cachedPrefix}.${String(frac).padStart(6, '0')}+00`;
}

/** Epoch microseconds → `Date` (millisecond precision; for Kysely parameters). */
export function usToDate(us: number): Date {
  return new Date(Math.floor(us / 1000));
}
