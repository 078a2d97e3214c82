import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchWriter, loadBucketParts, type CanonicalEvent } from '../../db/index.js';
import { createTestStore, type TestStore } from '../_setup/store.js';

const MARKET = 'binance:BTCUSDT';
const T0 = Date.UTC(2024, 0, 1);
const W = 60_000;
const BUCKETS = 130;

/** Three trades a bucket, the first and last on the bucket's edges (ties at one time broken by id). */
function trades(): CanonicalEvent[] {
  const out: CanonicalEvent[] = [];
  for (let i = 0; i < BUCKETS; i++) {
    const t = T0 + i * W;
    const p = 40_000 + ((i * 37) % 101);
    for (const [ms, id, price, qty, side] of [
      [0, 'b', p, '0.5', 'buy'],
      [0, 'a', p + 1, '0.25', 'sell'],
      [W - 1, 'c', p - 3, '1.5', i % 3 === 0 ? null : 'buy'],
    ] as const) {
      out.push({ kind: 'trade', market: MARKET, ts: (t + ms) * 1000, tradeId: `agg:${i}${id}`, price: String(price), qty, side });
    }
  }
  return out;
}

/** The buckets of [fromMs, toMs) computed here from the trades themselves. */
function expected(all: CanonicalEvent[], fromMs: number, toMs: number) {
  const by = new Map<number, Extract<CanonicalEvent, { kind: 'trade' }>[]>();
  for (const e of all) {
    if (e.kind !== 'trade' || e.ts / 1000 < fromMs || e.ts / 1000 >= toMs) continue;
    const t = Math.floor(e.ts / 1000 / W) * W;
    by.set(t, [...(by.get(t) ?? []), e]);
  }
  return [...by]
    .sort((a, b) => a[0] - b[0])
    .map(([t, xs]) => {
      const s = [...xs].sort((a, b) => a.ts - b.ts || (a.tradeId < b.tradeId ? -1 : 1));
      const q = (x: (typeof s)[number]) => Number(x.qty);
      const half = s.filter((x) => x.side === null).reduce((a, x) => a + q(x), 0) / 2;
      return {
        t,
        open: Number(s[0]!.price),
        close: Number(s.at(-1)!.price),
        high: Math.max(...s.map((x) => Number(x.price))),
        low: Math.min(...s.map((x) => Number(x.price))),
        buy: s.filter((x) => x.side === 'buy').reduce((a, x) => a + q(x), 0) + half,
        sell: s.filter((x) => x.side === 'sell').reduce((a, x) => a + q(x), 0) + half,
      };
    });
}

describe('loadBucketParts on Postgres (the trades aggregated in pieces at once)', () => {
  let t: TestStore;
  const all = trades();
  beforeAll(async () => {
    t = await createTestStore();
    await new BatchWriter(t.store).write({ events: all });
  });
  afterAll(async () => t.drop());

  // A range long enough to be split, starting and ending inside a bucket: a piece's edge that
  // fell inside a bucket would return that bucket twice, each with part of its trades.
  for (const [name, fromMs, toMs] of [
    ['whole buckets', T0, T0 + BUCKETS * W],
    ['edges inside buckets', T0 + 30_000, T0 + (BUCKETS - 1) * W + 20_000],
    ['fewer buckets than are split', T0 + 5 * W, T0 + 12 * W],
  ] as const) {
    it(`gives every bucket once, with its own trades (${name})`, async () => {
      const parts = await loadBucketParts(t.store, MARKET, fromMs, toMs, W);
      const got = parts.map((p) => ({ t: p.t, open: p.trades!.open, close: p.trades!.close, high: p.trades!.high, low: p.trades!.low, buy: p.trades!.buy, sell: p.trades!.sell }));
      const want = expected(all, fromMs, toMs);
      expect(got.length).toBe(want.length);
      for (let i = 0; i < want.length; i++) {
        const g = got[i]!;
        const w = want[i]!;
        expect({ ...g, buy: 0, sell: 0 }).toEqual({ ...w, buy: 0, sell: 0 });
        expect(g.buy).toBeCloseTo(w.buy, 12);
        expect(g.sell).toBeCloseTo(w.sell, 12);
      }
    });
  }
});
