import type { CanonicalEvent } from './events.js';
import { MARKET_ID_RULE, isMarketId } from './market-id.js';

/** Why an event cannot be stored: the field (event property) and what its column refuses. */
export interface ColumnViolation {
  readonly field: string;
  readonly reason: string;
}

/**
 * Longest text of a key column, in UTF-8 bytes. A btree index row holds at most 2704 bytes
 * (one third of an 8 KiB page); a trade or liquidation key is market + time + this text, so
 * 1024 bytes keeps every key well inside the limit.
 */
export const MAX_KEY_TEXT_BYTES = 1024;

/** With the `u` flag a surrogate pair is one code point: only lone surrogates match. */
const LONE_SURROGATE = /\p{Cs}/u;
const INT32_MAX = 2_147_483_647;
/** `numeric` takes at most 131,072 digits before the point and 16,383 after it. */
const NUMERIC_MAX_INT_DIGITS = 131_072;
const NUMERIC_MAX_FRACTION_DIGITS = 16_383;
const NUMERIC = /^-?\d+(?:\.\d+)?$/;
/** 0001-01-01 and 9999-12-31 in epoch µs: the range `timestampText` writes in ISO form. */
const MIN_TS_US = -62_135_596_800_000_000;
const MAX_TS_US = 253_402_214_400_000_000 - 1;

// NUL or any surrogate: one cheap scan; only a hit takes the precise checks below.
// eslint-disable-next-line no-control-regex
const SUSPECT_TEXT = /[\u0000\ud800-\udfff]/;

function textProblem(v: string, maxBytes: number): string | null {
  // The characters text columns refuse (NUL) or would silently change (lone surrogates become
  // U+FFFD in UTF-8, so two different ids could collide).
  if (SUSPECT_TEXT.test(v)) {
    if (v.includes('\u0000')) return 'contains a NUL byte, which a text column cannot store';
    if (LONE_SURROGATE.test(v)) return 'contains a lone UTF-16 surrogate (not valid Unicode)';
  }
  if (v.length * 3 > maxBytes && Buffer.byteLength(v) > maxBytes) return `is longer than ${maxBytes} bytes`;
  return null;
}

function numericProblem(v: string): string | null {
  if (v.length < 40 && NUMERIC.test(v)) return null;
  if (!NUMERIC.test(v)) return `is not a plain decimal number: "${v.slice(0, 40)}"`;
  const dot = v.indexOf('.');
  const intDigits = (dot < 0 ? v.length : dot) - (v.startsWith('-') ? 1 : 0);
  if (intDigits > NUMERIC_MAX_INT_DIGITS) return `has ${intDigits} digits before the point (numeric takes ${NUMERIC_MAX_INT_DIGITS})`;
  if (dot >= 0 && v.length - dot - 1 > NUMERIC_MAX_FRACTION_DIGITS) return `has more than ${NUMERIC_MAX_FRACTION_DIGITS} digits after the point`;
  return null;
}

function int32Problem(v: number): string | null {
  return Number.isInteger(v) && v >= 0 && v <= INT32_MAX ? null : `must be a whole number from 0 to ${INT32_MAX}, got ${v}`;
}

// Module-level, not closures inside checkEventColumns: it runs once per row (~15% of the
// ingest's CPU went to re-creating them).
function num(field: string, v: string | null): ColumnViolation | null {
  if (v === null) return null;
  const p = numericProblem(v);
  return p ? { field, reason: `${field} ${p}` } : null;
}

function text(field: string, v: string): ColumnViolation | null {
  const p = textProblem(v, MAX_KEY_TEXT_BYTES);
  return p ? { field, reason: `${field} ${p}` } : null;
}

let lastGoodMarket = '';

/**
 * Checks an event against what its table's columns accept — text without NUL bytes and within
 * the index-row limit, numbers `numeric` can parse, int32 columns in range, times `timestamptz`
 * takes — and the market id pattern. Sources validate their fields' meaning (ranges, units);
 * this is the last check before COPY, so a row the database would refuse is quarantined with
 * its reason instead of failing the batch. Returns null when the event can be stored.
 */
export function checkEventColumns(e: CanonicalEvent): ColumnViolation | null {
  if (e.market !== lastGoodMarket) {
    if (!isMarketId(e.market)) return { field: 'market', reason: `market "${e.market.slice(0, 80)}" is not a market id: expected ${MARKET_ID_RULE}` };
    lastGoodMarket = e.market;
  }
  if (!Number.isSafeInteger(e.ts) || e.ts < MIN_TS_US || e.ts > MAX_TS_US) return { field: 'ts', reason: `time ${e.ts} µs is outside the years 1–9999` };
  switch (e.kind) {
    case 'trade':
      return text('tradeId', e.tradeId) ?? num('price', e.price) ?? num('qty', e.qty);
    case 'funding':
      if (e.intervalHours !== null && !(Number.isFinite(e.intervalHours) && e.intervalHours > 0 && e.intervalHours <= 1e6)) {
        return { field: 'intervalHours', reason: `intervalHours must be a positive finite number, got ${e.intervalHours}` };
      }
      return num('rate', e.rate) ?? num('markPrice', e.markPrice);
    case 'liquidation':
      return text('key', e.key) ?? num('price', e.price) ?? num('qty', e.qty) ?? num('notional', e.notional);
    case 'open_interest':
      return num('oiQty', e.oiQty) ?? num('oiValue', e.oiValue);
    case 'mark_price':
      return num('markPrice', e.markPrice) ?? num('indexPrice', e.indexPrice) ?? num('fundingRate', e.fundingRate);
    case 'candle': {
      const interval = int32Problem(e.intervalS);
      if (interval || e.intervalS === 0) return { field: 'intervalS', reason: `intervalS ${interval ?? 'must be positive'}` };
      if (e.tradeCount !== null) {
        const count = int32Problem(e.tradeCount);
        if (count) return { field: 'tradeCount', reason: `tradeCount ${count}` };
      }
      return (
        num('open', e.open) ?? num('high', e.high) ?? num('low', e.low) ?? num('close', e.close) ?? num('volume', e.volume) ?? num('quoteVolume', e.quoteVolume)
      );
    }
  }
}
