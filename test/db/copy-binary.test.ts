import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COPY_BINARY_HEADER, COPY_BINARY_TRAILER, CopyRowBuffer } from '../../db/copy-binary.js';
import type { Store } from '../../db/index.js';
import { CopyRejectedError } from '../../db/store.js';
import { createPgliteTestStore, createTestStore, type TestStore } from '../_setup/store.js';

/** Decimals as sources print them: scales, zeros, signs, lengths around the base-10000 groups. */
const DECIMALS = [
  '0', '-0', '0.0', '0.00000000', '5', '5.', '.5', '-.5', '-0.5', '1.2300', '10000', '9999.9999', '10000.00010',
  '0.0001', '0.00001', '0.000000000000000001', '42000.1', '123456789012345678901234567890.123456789012345678', '-987654321.000',
  '1' + '0'.repeat(200) + '.' + '0'.repeat(99) + '1',
];

/** Texts and times at the edges of the encodings (times: every safe integer of µs, years 1684–2255). */
const TEXTS = ['', 'agg:1', 'binance:BTCUSDT', 'Ünïcödé 币安 🚀', 'x'.repeat(300), 'a,b"c\n'];
const TIMES_US = [0, -1, 946_684_800_000_000, 946_684_799_999_999, 1_704_067_200_123_456, -9_007_199_254_740_991, 9_007_199_254_740_991];

function suite(name: string, open: () => Promise<{ store: Store; close: () => Promise<void> }>) {
  describe(`binary COPY rows on ${name}`, () => {
    let store: Store;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ store, close } = await open());
    });
    afterAll(async () => close());

    it('stores every decimal exactly as its text would be stored (scale and trailing zeros kept)', async () => {
      const out = new CopyRowBuffer(16);
      DECIMALS.forEach((d, i) => {
        out.startRow(2);
        out.int4(i);
        out.numeric(d);
      });
      const rows = await store.rawTransaction(async (tx) => {
        await tx.query('create temp table bin_num (i int, v numeric) on commit drop');
        await tx.copyInBinary('bin_num', ['i', 'v'], [COPY_BINARY_HEADER, out.subarray(), COPY_BINARY_TRAILER]);
        return tx.query<{ i: number; v: string; expected: string }>(
          `select i, v::text as v, (array[${DECIMALS.map((_, k) => `$${k + 1}::numeric::text`).join(', ')}])[i + 1] as expected from bin_num order by i`,
          DECIMALS,
        );
      });
      expect(rows).toHaveLength(DECIMALS.length);
      for (const r of rows) expect(r.v, DECIMALS[r.i]).toBe(r.expected);
    });

    it('stores texts, times, integers, booleans and NULLs as sent', async () => {
      const out = new CopyRowBuffer(16);
      const cases = TEXTS.flatMap((t, i) => TIMES_US.map((us, j) => ({ t, us, n: i * 100 + j, b: (i + j) % 3 === 0 ? null : (i + j) % 3 === 1 })));
      for (const c of cases) {
        out.startRow(5);
        out.text(c.t);
        out.timestamptz(c.us);
        out.int8(c.n * 1_000_000_007);
        out.bool(c.b);
        out.text(null);
      }
      const rows = await store.rawTransaction(async (tx) => {
        await tx.query('create temp table bin_misc (t text, ts timestamptz, n bigint, b boolean, z text) on commit drop');
        await tx.copyInBinary('bin_misc', ['t', 'ts', 'n', 'b', 'z'], [COPY_BINARY_HEADER, out.subarray(), COPY_BINARY_TRAILER]);
        return tx.query<{ t: string; us: string; n: string; b: boolean | null; z: string | null }>(
          `select t, (extract(epoch from ts) * 1000000)::bigint::text as us, n::text as n, b, z from bin_misc order by bin_misc.n`,
        );
      });
      expect(rows.map((r) => ({ t: r.t, us: Number(r.us), n: Number(r.n) / 1_000_000_007, b: r.b, z: r.z }))).toEqual(
        [...cases].sort((a, b) => a.n - b.n).map((c) => ({ t: c.t, us: c.us, n: c.n, b: c.b, z: null })),
      );
    });

    it('makes the server refuse a row whose decimal is not a plain one (the batch writer then bisects it out)', async () => {
      for (const bad of ['1e5', 'abc', '', '-', '.', '1.2.3', 'NaN', '+1']) {
        const out = new CopyRowBuffer(16);
        out.startRow(1);
        out.numeric(bad);
        const err = await store
          .rawTransaction(async (tx) => {
            await tx.query('create temp table bin_bad (v numeric) on commit drop');
            await tx.copyInBinary('bin_bad', ['v'], [COPY_BINARY_HEADER, out.subarray(), COPY_BINARY_TRAILER]);
            return tx.query('select v::text from bin_bad');
          })
          .then(
            (rows) => rows,
            (e: unknown) => e,
          );
        expect(err, bad).toBeInstanceOf(CopyRejectedError);
      }
    });
  });
}

suite('Postgres', async () => {
  const t: TestStore = await createTestStore();
  return { store: t.store, close: () => t.drop() };
});

suite('PGlite', async () => {
  const store = await createPgliteTestStore();
  return { store, close: () => store.close() };
});
