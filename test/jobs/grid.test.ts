import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchWriter, readHeatmapRows, readHeatmapWindow, type CanonicalEvent, type HeatmapRow } from '../../db/index.js';
import { modelParamsHash } from '../../engine/index.js';
import { computeMarket, effectiveParams } from '../../jobs/index.js';
import { binRows } from '../../api/levels/heatmap.js';
import { commonStep } from '../../engine/index.js';
import { createTestStore, type TestStore } from '../_setup/store.js';

const DAY = 86_400_000;
const D2024 = Date.UTC(2024, 4, 1);
const D2020 = Date.UTC(2020, 1, 22);

/** A day of trades every 20 s and open interest every 5 min around `level`. */
function day(market: string, startMs: number, level: number, hours = 24): CanonicalEvent[] {
  const out: CanonicalEvent[] = [];
  for (let s = 0; s < hours * 3600; s += 20) {
    const p = level * (1 + 0.004 * Math.sin(s / 4000) + 0.001 * Math.sin(s / 300));
    const ts = (startMs + s * 1000) * 1000;
    out.push({ kind: 'trade', market, ts, tradeId: `${startMs}-${s}`, price: p.toFixed(1), qty: ((s % 13) / 10 + 0.1).toFixed(3), side: s % 40 === 0 ? 'sell' : 'buy' });
    if (s % 300 === 0) out.push({ kind: 'open_interest', market, ts, oiQty: (80_000 + 20 * Math.sin(s / 2000)).toFixed(3), oiValue: null });
  }
  return out;
}

describe('the price grid does not depend on data far outside the window', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await createTestStore();
    const w = new BatchWriter(t.store);
    await w.write({ events: day('binance:GRIDONLY', D2024, 60_000) });
    // The same day, in a database that also holds two hours of 2020 at $9.7k.
    await w.write({ events: [...day('binance:GRIDOLD', D2020, 9_700, 2), ...day('binance:GRIDOLD', D2024, 60_000)] });
    // Two days at different price levels: the second day's grid is finer.
    await w.write({ events: [...day('binance:GRIDTWO', D2024, 60_000), ...day('binance:GRIDTWO', D2024 + DAY, 30_000)] });
  });
  afterAll(async () => {
    await t.drop();
  });

  it('gives the same day the same levels with the same parameters whether or not the database holds 2020', { timeout: 180_000 }, async () => {
    const hash = modelParamsHash(await effectiveParams(t.store, 'binance:GRIDONLY'));
    expect(modelParamsHash(await effectiveParams(t.store, 'binance:GRIDOLD'))).toBe(hash);
    await computeMarket(t.store, { market: 'binance:GRIDONLY' });
    await computeMarket(t.store, { market: 'binance:GRIDOLD' });
    const only = await readHeatmapRows(t.store, 'binance:GRIDONLY', hash, D2024, D2024 + DAY);
    const withOld = await readHeatmapRows(t.store, 'binance:GRIDOLD', hash, D2024, D2024 + DAY);
    expect(only.length).toBe(1440);
    expect(withOld.length).toBe(1440);
    expect(withOld[0]!.priceStep).toBe(20); // 60,000 × 0.05% → 30 → 20, not 2020's 2
    let worst = 0;
    let cells = 0;
    only.forEach((o, i) => {
      const r = withOld[i]!;
      expect([r.t, r.priceStep, r.longLo, r.shortLo]).toEqual([o.t, o.priceStep, o.longLo, o.shortLo]);
      const total = [...o.long, ...o.short].reduce((a, b) => a + b, 0);
      o.long.forEach((v, j) => {
        cells++;
        worst = Math.max(worst, Math.abs(v - (r.long[j] ?? 0)) / total);
      });
    });
    expect(cells).toBeGreaterThan(10_000);
    expect(worst).toBeLessThan(1e-9);
  });

  it('reads a heatmap window across a step change binned by price, every quote of notional in its row', { timeout: 180_000 }, async () => {
    const hash = modelParamsHash(await effectiveParams(t.store, 'binance:GRIDTWO'));
    await computeMarket(t.store, { market: 'binance:GRIDTWO' });
    const all = await readHeatmapRows(t.store, 'binance:GRIDTWO', hash, D2024, D2024 + 2 * DAY);
    expect(new Set(all.map((r) => r.priceStep))).toEqual(new Set([20, 10]));
    // Display rows of 100 quote over 20,000..80,000, one column per 6 hours.
    const step = 20;
    const k = 5;
    const j0 = 20_000 / (k * step);
    const nRows = 60_000 / (k * step);
    const rows = await readHeatmapWindow(t.store, { market: 'binance:GRIDTWO', paramsHash: hash, fromMs: D2024, toMs: D2024 + 2 * DAY, stepMs: 6 * 3_600_000, priceLo: 20_000, priceHi: 80_000, layer: 'liquidations' });
    const m = binRows(rows, j0, nRows, k, step);
    expect(m.times.length).toBe(8);
    rows.forEach((r, i) => {
      const persisted = all.find((x) => x.t === r.t)!;
      // Each persisted cell, by price, lands in the display row holding its price range.
      const expected = new Array<number>(nRows).fill(0);
      addByPrice(expected, persisted, 20_000, 100);
      const got = m.long.slice(i * nRows, (i + 1) * nRows);
      const sum = expected.reduce((a, b) => a + b, 0);
      expect(sum).toBeGreaterThan(0);
      expected.forEach((v, j) => expect(Math.abs(got[j]! - v)).toBeLessThan(1e-9 * sum));
    });
  });
});

describe('display rows over rows of different grid steps', () => {
  it('draws on a common multiple of the steps, every model bucket in the row holding its price range', () => {
    expect(commonStep([2, 5])).toBe(10);
    expect(commonStep([20, 10])).toBe(20);
    expect(commonStep([0.0002, 0.0005, 0.0001])).toBe(0.001);
    expect(commonStep([1])).toBe(1);
    const row = (priceStep: number, aLo: number, a: number[]) => ({ t: 0, price: 100, priceStep, aLo, a, bLo: 0, b: [] });
    // Step 2: [4, 6) and [8, 10) land in [0, 10); [10, 12) in [10, 20). Step 5: [5, 10) and [10, 15).
    const m = binRows([row(2, 2, [1, 0, 3, 7]), row(5, 1, [11, 13])], 0, 2, 1, 10);
    expect(m.long).toEqual([4, 7, 11, 13]);
    expect(m.priceBucket).toBe(10);
  });
});

/** Bins a row's long cells into `width`-quote rows from `lo` by splitting each cell's [a, b) by overlap. */
function addByPrice(out: number[], r: HeatmapRow, lo: number, width: number): void {
  r.long.forEach((v, x) => {
    const a = (r.longLo + x) * r.priceStep;
    const b = a + r.priceStep;
    for (let j = 0; j < out.length; j++) {
      const overlap = Math.max(0, Math.min(b, lo + (j + 1) * width) - Math.max(a, lo + j * width));
      out[j]! += (v * overlap) / r.priceStep;
    }
  });
}
