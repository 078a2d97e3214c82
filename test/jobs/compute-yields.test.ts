import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchWriter, readHeatmapRows, type CanonicalEvent } from '../../db/index.js';
import { modelParamsHash } from '../../engine/index.js';
import { computeMarket, effectiveParams } from '../../jobs/index.js';
import { createTestStore, type TestStore } from '../_setup/store.js';

const D2024 = Date.UTC(2024, 4, 1);

/** Two days of trades every 20 s and open interest every 5 min, rising (so every bucket opens cohorts). */
function days(market: string): CanonicalEvent[] {
  const out: CanonicalEvent[] = [];
  for (let s = 0; s < 2 * 24 * 3600; s += 20) {
    const p = 60_000 * (1 + 0.01 * Math.sin(s / 4000) + 0.002 * Math.sin(s / 300));
    const ts = (D2024 + s * 1000) * 1000;
    out.push({ kind: 'trade', market, ts, tradeId: `y-${s}`, price: p.toFixed(1), qty: ((s % 13) / 10 + 0.1).toFixed(3), side: s % 40 === 0 ? 'sell' : 'buy' });
    if (s % 300 === 0) out.push({ kind: 'open_interest', market, ts, oiQty: (80_000 + s / 100).toFixed(3), oiValue: null });
  }
  return out;
}

describe('a compute chunk shares the event loop', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await createTestStore();
    await new BatchWriter(t.store).write({ events: days('binance:YIELDS') });
  });
  afterAll(async () => {
    await t.drop();
  });

  it('gives timers a turn while a long piece computes (an inline worker keeps its lock)', { timeout: 300_000 }, async () => {
    // Many cohorts per bucket (20 leverages × 3 × 11 entry prices) make the two days long; coarse
    // price buckets keep the rows, and so the commit, small. They are one piece (pieceBuckets 2,880):
    // with pieces of the default size, the awaits between pieces alone would pass the bound.
    const leverages = Array.from({ length: 20 }, (_, i) => ({ leverage: 2 + 2 * i, weight: 1 }));
    const params = { entrySpreadPoints: 11, leverageSpread: 0.5, leverages, priceBucketFraction: 0.01 };
    let last = performance.now();
    let maxGap = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
    }, 5);
    const started = performance.now();
    try {
      await computeMarket(t.store, { market: 'binance:YIELDS', params, pieceBuckets: 2880 });
    } finally {
      clearInterval(timer);
    }
    const took = performance.now() - started;
    const rows = await readHeatmapRows(t.store, 'binance:YIELDS', modelParamsHash(await effectiveParams(t.store, 'binance:YIELDS', params)), 0, Date.now());
    expect(rows.length).toBe(2880);
    // Without the yield the longest gap is the whole chunk's compute.
    expect(took, `compute ${took.toFixed(0)} ms`).toBeGreaterThan(1_000);
    expect(maxGap, `longest event-loop gap ${maxGap.toFixed(0)} ms of ${took.toFixed(0)} ms`).toBeLessThan(Math.min(1_000, took / 3));
  });
});
