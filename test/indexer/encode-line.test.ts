import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkEventColumns, EventRows, type CanonicalEvent } from '../../db/index.js';
import { binanceAggTrades, type LineContext } from '../../indexer/sources/index.js';

/**
 * The aggTrades fast path (Format.encodeLine) against the path every other line takes
 * (parseLine, the column checks, the row encoder), line by line: a line the fast path takes
 * must give the same COPY bytes, times, origin and ranges; a line it declines must leave the
 * batch untouched (the pipeline then quarantines or stores it as before).
 */

const MARKETS = ['binance:BTCUSDT', 'binance:1000PEPEUSDT', null, 'Not A Market'];

/** What the ingest does with a line without the fast path (indexer/ingest-member.ts). */
function normalPath(line: string, ctx: LineContext, rows: EventRows): 'stored' | 'skipped' | 'refused' {
  if (line.length === 0 || (line.length < 3 && line.trim() === '')) return 'skipped';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000\ufffd]/.test(line)) return 'refused';
  let events: CanonicalEvent[];
  try {
    events = binanceAggTrades.parseLine(line, ctx);
  } catch {
    return 'refused';
  }
  if (events.some((e) => checkEventColumns(e) !== null)) return 'refused';
  const origin = rows.addOrigin(ctx.line, line);
  for (const e of events) rows.add(e, origin);
  return 'stored';
}

/** Everything a batch holds of its rows, for comparing two batches. */
function contents(rows: EventRows) {
  return {
    size: rows.size,
    kinds: rows.kinds().map((k) => {
      const at = Array.from({ length: k.count }, (_, i) => ({ start: k.start(i), ts: k.ts(i), origin: rows.origin(k.origin(i)), key: k.keyOf(i) }));
      return { kind: k.kind, bytes: k.data.subarray().toString('hex'), at, touched: k.touched() };
    }),
    touched: rows.touched(),
    months: rows.months(),
    origin0: rows.origin(0),
  };
}

/** Runs `lines` through both paths into two batches; returns what the fast path took. */
function both(lines: readonly string[], market: string | null) {
  const fast = new EventRows();
  const normal = new EventRows();
  const took: boolean[] = [];
  const outcomes: string[] = [];
  lines.forEach((line, i) => {
    const ctx = { fileName: 'BTCUSDT-aggTrades-2024-01-01.csv', market, line: i + 1 };
    const sizeBefore = fast.size;
    const originsBefore = fast.origin(0) === null ? 0 : 1;
    const t = binanceAggTrades.encodeLine!(line, ctx, fast) === true;
    took.push(t);
    if (!t) {
      // Declined: nothing written; the line takes the normal path in the fast batch too.
      expect(fast.size).toBe(sizeBefore);
      if (originsBefore === 0) expect(fast.origin(0)).toBeNull();
      normalPath(line, ctx, fast);
    }
    outcomes.push(normalPath(line, ctx, normal));
  });
  return { fast, normal, took, outcomes };
}

const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
const nonZero = fc.constantFrom(...'123456789');

/**
 * Plain unsigned decimals around every bound the readers have: 1e-18 and 1e-19 (18 or 19
 * places to the first digit), 1e14/1e15/1e20/1e21 (15, 16, 21, 22 digits), leading zeros,
 * zero itself, 30 and 31 places, 32/33 (the readers' own fast check) and 64/65 characters.
 */
const decimal = fc.oneof(
  fc.tuple(fc.constantFrom('', '0', '00'), nonZero, digits(0, 6), fc.option(digits(1, 12), { nil: undefined })).map(([z, d, rest, frac]) => `${z}${d}${rest}${frac === undefined ? '' : `.${frac}`}`),
  fc.tuple(fc.constantFrom('', '0'), nonZero, fc.integer({ min: 13, max: 22 }).chain((n) => digits(n, n)), fc.option(digits(1, 4), { nil: undefined })).map(([z, d, rest, frac]) => `${z}${d}${rest}${frac === undefined ? '' : `.${frac}`}`),
  fc.tuple(fc.constantFrom('0', '00', '000'), fc.integer({ min: 14, max: 21 }), nonZero, digits(0, 12)).map(([z, zeros, d, rest]) => `${z}.${'0'.repeat(zeros)}${d}${rest}`),
  fc.tuple(fc.constantFrom('0', '00'), fc.option(digits(1, 4).map((f) => f.replace(/[1-9]/g, '0')), { nil: undefined })).map(([z, f]) => (f === undefined ? z : `${z}.${f}`)),
  fc.tuple(nonZero, digits(0, 3), digits(25, 32)).map(([d, i, f]) => `${d}${i}.${f}`),
  fc.tuple(fc.constantFrom('', '0', '0000000000000000000000000000'), nonZero, digits(0, 14), digits(28, 31)).map(([z, d, i, f]) => `${z}${d}${i}.${f}`),
);

const MIN_MS = Date.UTC(2009, 0, 1);
const MAX_MS = Date.UTC(2100, 0, 1);
/** Times in ms and µs, at and past the 2009–2100 edges, and other digit counts. */
const time = fc.oneof(
  fc.integer({ min: MIN_MS - 2, max: MIN_MS + 2 }).map(String),
  fc.integer({ min: MAX_MS - 2, max: MAX_MS + 2 }).map(String),
  fc.integer({ min: MIN_MS, max: MAX_MS }).map(String),
  fc.integer({ min: MIN_MS, max: MAX_MS }).chain((ms) => fc.integer({ min: 0, max: 999 }).map((us) => String(ms * 1000 + us))),
  fc.constantFrom(String(MIN_MS * 1000 - 1), String(MIN_MS * 1000), String(MAX_MS * 1000), String(MAX_MS * 1000 + 1)),
  digits(1, 19),
);

/** A line in the archives' spelling (the fast path's domain), with its fields around their edges. */
const commonLine = fc
  .record({ id: digits(1, 33), price: decimal, qty: decimal, first: digits(1, 12), last: digits(1, 12), time, flag: fc.constantFrom('true', 'false'), cr: fc.constantFrom('', '', '\r') })
  .map((r) => `${r.id},${r.price},${r.qty},${r.first},${r.last},${r.time},${r.flag}${r.cr}`);

/** Characters that make a line odd in one place or another. */
const ODD = [',', '.', '-', '+', ' ', 'e', 'E', 'x', '\r', '\t', '\u0000', '\ufffd', 'é', '0', '9', 'T', 'F', '"'];

/** A common line with one to three characters inserted, replaced or removed. */
const oddLine = fc
  .tuple(commonLine, fc.array(fc.tuple(fc.constantFrom('insert', 'replace', 'remove'), fc.nat(), fc.constantFrom(...ODD)), { minLength: 1, maxLength: 3 }))
  .map(([line, edits]) => {
    let s = line;
    for (const [op, at, c] of edits) {
      const i = at % (s.length + 1);
      s = op === 'insert' ? s.slice(0, i) + c + s.slice(i) : op === 'replace' ? s.slice(0, i) + c + s.slice(i + 1) : s.slice(0, i) + s.slice(i + 1);
    }
    return s;
  });

describe('binance-agg-trades encodeLine', () => {
  it('writes the bytes, times, origins and ranges of parseLine + the row encoder, and takes every line of the common spelling that path stores', () => {
    fc.assert(
      fc.property(fc.array(commonLine, { minLength: 1, maxLength: 40 }), fc.constantFrom(...MARKETS), (lines, market) => {
        const { fast, normal, took, outcomes } = both(lines, market);
        expect(contents(fast)).toEqual(contents(normal));
        // The fast path's domain: every such line the normal path stores (none it refuses).
        expect(took).toEqual(outcomes.map((o) => o === 'stored'));
      }),
      { numRuns: 400 },
    );
  });

  it('declines odd lines without writing, so they take parseLine (quarantine unchanged)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(oddLine, commonLine), { minLength: 1, maxLength: 40 }), fc.constantFrom(...MARKETS), (lines, market) => {
        const { fast, normal, took, outcomes } = both(lines, market);
        expect(contents(fast)).toEqual(contents(normal));
        // Whatever the fast path took, the normal path would have stored.
        took.forEach((t, i) => t && expect(outcomes[i]).toBe('stored'));
      }),
      { numRuns: 400 },
    );
  });

  it('takes the archive spellings and declines the others', () => {
    const ctx = { fileName: 'BTCUSDT-aggTrades-2024-01-01.csv', market: 'binance:BTCUSDT', line: 1 };
    const take = (line: string, market: string | null = ctx.market) => binanceAggTrades.encodeLine!(line, { ...ctx, market }, new EventRows());
    expect(take('26129,42000.10,0.500,26130,26131,1704067200000,true')).toBe(true);
    expect(take('26129,42000.10,0.000,26130,26131,1704067200000123,false\r')).toBe(true);
    for (const odd of [
      'agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker',
      '26129,42000.10,0.500,26130,26131,1704067200000,TRUE',
      '26129,42000.10,0.500,26130,26131,1704067200000000000,true', // ns: parseLine reads it
      '26129,1.2E-5,0.500,26130,26131,1704067200000,true', // scientific: parseLine converts it
      '26129,.5,0.500,26130,26131,1704067200000,true',
      '26129,42000.10,0.500,26130,26131,1704067200000,true,extra',
      '26129,42000.10,0.500,,26131,1704067200000,true',
      ' 26129,42000.10,0.500,26130,26131,1704067200000,true',
      '26129,0,0.500,26130,26131,1704067200000,true', // a zero price is quarantined by parseLine
      '26129,42000.10,-0.500,26130,26131,1704067200000,true',
      '26129,42000.10,0.500,26130,26131,1104537599999,true', // 2004: out of range
      '',
    ]) {
      expect([odd, take(odd)]).toEqual([odd, false]);
    }
    expect(take('26129,42000.10,0.500,26130,26131,1704067200000,true', null)).toBe(false);
    expect(take('26129,42000.10,0.500,26130,26131,1704067200000,true', 'Not A Market')).toBe(false);
  });
});
