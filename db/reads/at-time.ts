import { sql, type RawBuilder } from 'kysely';
import { timestampText } from '../copy-csv.js';

/**
 * A time for a statement: epoch ms as a bound timestamptz (µs, rounded: ms from `extract(epoch)`
 * carry float noise), or a timestamptz SQL expression as is (a column of the caller's statement).
 */
export function atSql(at: number | RawBuilder<unknown>): RawBuilder<unknown> {
  return typeof at === 'number' ? sql`${timestampText(Math.round(at * 1000))}::text::timestamptz` : at;
}
