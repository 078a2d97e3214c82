import { describe, expect, it } from 'vitest';
import { aggregateBuckets, createModelState, DenseLevels, parseModelParams, runModel, SharedCells, stepModel, type LevelSnapshot, type ModelEvent } from '../../engine/index.js';
import { simulateMarket } from '../../indexer/index.js';

const asMap = (m: ReadonlyMap<number, number>) => new Map([...m]);

describe('dense snapshot levels', () => {
  it('read as the dense ranges they were built from, trimmed, scaled, zero cells absent, ascending', () => {
    // Buckets 8..16 from lo = 8 (a zero cell at each end, one inside); an all-zero range; one cell.
    const a = { lo: 8, cells: SharedCells.from([0, -1, 0, 0, 2, 0, 0, 4, 0]), from: 8, to: 16 };
    const b = { lo: 0, cells: new SharedCells(4), from: 0, to: 3 };
    const c = { lo: -5, cells: SharedCells.from([7, 0, 1, 7]), from: -4, to: -3 };
    const [da, db, dc] = DenseLevels.scaledRanges([a, b, c], 0.5) as [DenseLevels, DenseLevels, DenseLevels];
    expect([...da]).toEqual([[9, -0.5], [12, 1], [15, 2]]);
    expect([da.lo, da.cells.length]).toEqual([9, 7]);
    expect(da.size).toBe(3);
    expect([da.get(12), da.get(10), da.get(8), da.get(16), da.has(15), da.has(11)]).toEqual([1, undefined, undefined, undefined, true, false]);
    expect([...da.keys()]).toEqual([9, 12, 15]);
    expect([...da.values()]).toEqual([-0.5, 1, 2]);
    const seen: [number, number][] = [];
    da.forEach((v, k) => seen.push([k, v]));
    expect(seen).toEqual([...da.entries()]);
    expect([db.size, [...db]]).toEqual([0, []]);
    // Only a range's from..to is read.
    expect([...dc]).toEqual([[-3, 0.5]]);
  });

  it('reads each cell as the state value times the scale, the number a multiplied copy holds, whatever the read', () => {
    // A scale whose products round (0.1 is not a binary fraction), a cell whose product underflows to 0.
    const src = [0, 3, 0.7, 5e-324, 0, -5.5, 1 / 3, 0];
    const k = 0.1;
    const cells = SharedCells.from(src);
    const [d] = DenseLevels.scaledRanges([{ lo: 100, cells, from: 100, to: 107 }], k) as [DenseLevels];
    const want = src.slice(1, 7).map((x) => x * k);
    expect(d.lo).toBe(101);
    expect(d.cells).toEqual(want);
    const nonZero = want.map((v, i) => [101 + i, v] as const).filter(([, v]) => v !== 0);
    expect([...d.entries()]).toEqual(nonZero);
    const seen: [number, number][] = [];
    d.forEach((v, i) => seen.push([i, v]));
    expect(seen).toEqual(nonZero);
    expect([...d.values()]).toEqual(nonZero.map(([, v]) => v));
    for (const [i, v] of nonZero) expect(Object.is(d.get(i), v)).toBe(true);
    expect([d.get(104), d.has(104), d.get(100), d.get(107)]).toEqual([undefined, false, undefined, undefined]);
    expect(d.size).toBe(nonZero.length);
    // The state's cells are shared, copied on write: a later change to them is not in the snapshot.
    cells.add(2, 9);
    cells.set(3, 1);
    expect([d.get(102), d.get(103), cells.get(2), cells.get(3)]).toEqual([0.7 * k, undefined, 9.7, 1]);
  });

  it("a simulated market's snapshots hold the state's levels times its scale, and the leverage layers add up to the totals", () => {
    // Sharp levels: the served snapshot is then the state's own (levelSpread has its own test).
    const params = parseModelParams({ levelSpread: 0 });
    const events: ModelEvent[] = [];
    for (const e of simulateMarket({ days: 0.25, tradesPerMinute: 30 })) {
      if (e.kind === 'trade') events.push({ kind: 'trade', ts: e.ts, price: e.price, qty: e.qty, side: e.side });
      else if (e.kind === 'open_interest') events.push({ kind: 'open_interest', ts: e.ts, oiQty: e.oiQty });
    }
    const state = createModelState(params);
    let checked = 0;
    for (const b of aggregateBuckets(events, params.timeBucketSeconds)) {
      const s = stepModel(state, b);
      const scaled = (m: readonly [number, number][]) => new Map(m.filter(([, v]) => v !== 0).map(([i, v]) => [i, v * state.scale]));
      const [long, short] = [state.long.toJson(), state.short.toJson()];
      expect(asMap(s.long)).toEqual(scaled(long.levels));
      expect(asMap(s.short)).toEqual(scaled(short.levels));
      expect(asMap(s.oiLong)).toEqual(scaled(long.oi));
      expect(asMap(s.oiShort)).toEqual(scaled(short.oi));
      for (const [side, byLev] of [[s.long, s.longByLeverage], [s.short, s.shortByLeverage]] as const) {
        const sum = new Map<number, number>();
        for (const m of byLev.values()) m.forEach((v, i) => sum.set(i, (sum.get(i) ?? 0) + v));
        for (const [i, v] of side) expect(sum.get(i) ?? 0).toBeCloseTo(v, 6);
        checked += side.size;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it("keeps a snapshot's cells on the JS heap: a run's kept snapshots hold no array buffers", () => {
    // Typed-array cells live outside the heap: a month of minute snapshots (each dropped a bucket
    // later) made V8 mark-compact the whole heap every ~1,300 buckets for the external memory alone.
    const params = parseModelParams({});
    const events: ModelEvent[] = [];
    for (const e of simulateMarket({ days: 0.5, tradesPerMinute: 30 })) {
      if (e.kind === 'trade') events.push({ kind: 'trade', ts: e.ts, price: e.price, qty: e.qty, side: e.side });
      else if (e.kind === 'open_interest') events.push({ kind: 'open_interest', ts: e.ts, oiQty: e.oiQty });
    }
    const buckets = aggregateBuckets(events, params.timeBucketSeconds);
    const before = process.memoryUsage().arrayBuffers;
    const { snapshots } = runModel(params, buckets);
    const grown = process.memoryUsage().arrayBuffers - before;
    const layers = (s: LevelSnapshot) => [s.long, s.short, s.oiLong, s.oiShort, ...s.longByLeverage.values(), ...s.shortByLeverage.values()] as DenseLevels[];
    const cellBytes = 8 * snapshots.reduce((n, s) => n + layers(s).reduce((m, d) => m + d.cells.length, 0), 0);
    expect(cellBytes).toBeGreaterThan(4e6);
    // What array buffers the run holds are the state's own windows (and ones not collected yet).
    expect(grown).toBeLessThan(cellBytes / 4);
  });
});
