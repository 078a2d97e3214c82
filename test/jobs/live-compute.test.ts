import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchWriter, marketDataState, readHeatmapRows, type CanonicalEvent } from '../../db/index.js';
import { modelParamsHash } from '../../engine/index.js';
import { computeMarket, effectiveParams } from '../../jobs/index.js';
import { createTestStore, type TestStore } from '../_setup/store.js';

const T0 = Date.UTC(2024, 7, 8, 10) * 1000;

/** Trades every second over `[fromS, toS)` s after T0 (a live market's minute buckets filling). */
function trades(market: string, fromS: number, toS: number): CanonicalEvent[] {
  const out: CanonicalEvent[] = [];
  for (let i = fromS; i < toS; i++) {
    out.push({ kind: 'trade', market, ts: T0 + i * 1e6, tradeId: String(i), price: (60_000 + 40 * Math.sin(i / 30)).toFixed(1), qty: ((i % 7) / 10 + 0.1).toFixed(3), side: i % 3 === 0 ? 'sell' : 'buy' });
  }
  return out;
}

describe('live compute: one round per trigger, later batches coalesced into the next', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await createTestStore();
  });
  afterAll(async () => {
    await t.drop();
  });

  it('`once` returns after the round it started although batches land during it; the next run extends the open bucket; results equal one compute of all the data', async () => {
    const M = 'binance:LIVE';
    const w = new BatchWriter(t.store);
    await w.write({ events: trades(M, 0, 600) });
    // Every committed chunk of the round lets another batch of the open minute land.
    let landed = 0;
    const during = async () => {
      await w.write({ events: trades(M, 600 + landed * 5, 605 + landed * 5) });
      landed++;
    };
    const before = (await marketDataState(t.store, M))!.version;
    const first = await computeMarket(t.store, { market: M, once: true }, during);
    expect(landed).toBeGreaterThan(0);
    // One round: the data version it computed is the one it started from, not the newest.
    expect(first.dataVersion).toBe(before);
    expect((await marketDataState(t.store, M))!.version).toBeGreaterThan(before);
    // The next trigger computes only what landed since: the open bucket, not the whole range.
    const n = landed;
    const second = await computeMarket(t.store, { market: M, once: true });
    expect(second.buckets).toBeLessThanOrEqual(2);
    expect(second.dataVersion).toBe((await marketDataState(t.store, M))!.version);
    // More trades of the open minute: only that bucket is rolled back and recomputed, from the
    // checkpoint before it.
    const end = 605 + (n - 1) * 5;
    await w.write({ events: trades(M, end, end + 20) });
    const third = await computeMarket(t.store, { market: M, once: true });
    expect([third.buckets, third.rolledBack]).toEqual([1, 1]);

    const F = 'binance:FILE';
    await w.write({ events: trades(F, 0, end + 20) });
    await computeMarket(t.store, { market: F });
    const hash = modelParamsHash(await effectiveParams(t.store, M));
    expect(modelParamsHash(await effectiveParams(t.store, F))).toBe(hash);
    const strip = (rows: Awaited<ReturnType<typeof readHeatmapRows>>) => rows.map(({ dataVersion: _v, ...r }) => r);
    const live = strip(await readHeatmapRows(t.store, M, hash, 0, Date.now()));
    expect(live.length).toBe(11);
    expect(live).toEqual(strip(await readHeatmapRows(t.store, F, hash, 0, Date.now())));
  }, 60_000);

  it('a batch into the still-open bucket recomputes that bucket alone, not the chunk it was first computed in', async () => {
    const M = 'binance:OPEN';
    const w = new BatchWriter(t.store);
    // Ten closed minutes and half of the eleventh, computed in one round (one day-sized chunk).
    await w.write({ events: trades(M, 0, 630) });
    const first = await computeMarket(t.store, { market: M, once: true });
    expect(first.buckets).toBe(11);
    // Live batches into the open minute: each recomputes one bucket from the checkpoint before it.
    for (let k = 0; k < 3; k++) {
      await w.write({ events: trades(M, 630 + k * 10, 640 + k * 10) });
      const next = await computeMarket(t.store, { market: M, once: true });
      expect([next.buckets, next.rolledBack]).toEqual([1, 1]);
    }
    // A batch that opens a new minute: the minute it closed and the new one, nothing before.
    await w.write({ events: trades(M, 660, 670) });
    const opened = await computeMarket(t.store, { market: M, once: true });
    expect(opened.buckets).toBeLessThanOrEqual(2);

    const F = 'binance:OPENFILE';
    await w.write({ events: trades(F, 0, 670) });
    await computeMarket(t.store, { market: F });
    const hash = modelParamsHash(await effectiveParams(t.store, M));
    const strip = (rows: Awaited<ReturnType<typeof readHeatmapRows>>) => rows.map(({ dataVersion: _v, ...r }) => r);
    const live = strip(await readHeatmapRows(t.store, M, hash, 0, Date.now()));
    expect(live.length).toBe(12);
    expect(live).toEqual(strip(await readHeatmapRows(t.store, F, hash, 0, Date.now())));
  }, 60_000);
});
