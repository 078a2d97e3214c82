import { describe, expect, it } from 'vitest';
import { DenseLevels, SharedCells } from '../../engine/index.js';

/** A small deterministic generator (the cases must be the same each run). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('shared cells (copy on write)', () => {
  it('keeps every snapshot as it was when taken while the cells keep changing, across chunk edges', () => {
    const n = 300; // several 64-cell chunks
    const rnd = lcg(7);
    const cells = new SharedCells(n);
    const plain = new Array<number>(n).fill(0);
    const taken: { d: DenseLevels; want: [number, number][] }[] = [];
    for (let step = 0; step < 400; step++) {
      // A few writes a step, as a model bucket makes: adds, sets, zeroing, a set to the value held.
      for (let w = 0; w < 1 + Math.floor(rnd() * 6); w++) {
        const i = Math.floor(rnd() * n);
        const r = rnd();
        if (r < 0.6) {
          const v = Math.round(rnd() * 100) / 8 - 4;
          cells.add(i, v);
          plain[i] = plain[i]! + v;
        } else if (r < 0.8) {
          cells.set(i, 0);
          plain[i] = 0;
        } else {
          cells.set(i, plain[i]!);
        }
      }
      expect(Array.from({ length: n }, (_, i) => cells.get(i))).toEqual(plain);
      // A range from anywhere to anywhere (its first cell inside a chunk), scaled.
      const a = Math.floor(rnd() * n);
      const b = Math.min(n - 1, a + Math.floor(rnd() * 150));
      const k = 0.5 + rnd();
      const [d] = DenseLevels.scaledRanges([{ lo: 1000, cells, from: 1000 + a, to: 1000 + b }], k) as [DenseLevels];
      const want: [number, number][] = [];
      for (let i = a; i <= b; i++) if (plain[i]! * k !== 0) want.push([1000 + i, plain[i]! * k]);
      taken.push({ d, want });
    }
    // Every snapshot, read after all the later writes, holds the cells of its own step.
    for (const { d, want } of taken) {
      expect([...d]).toEqual(want);
      const seen: [number, number][] = [];
      d.forEach((v, i) => seen.push([i, v]));
      expect(seen).toEqual(want);
      expect(d.size).toBe(want.length);
      for (const [i, v] of want) expect(d.get(i)).toBe(v);
    }
  });

  it('leaves a snapshot as taken through a set to the value held and two adds to one cell after it', () => {
    const cells = SharedCells.from([1, 2, 3]);
    const [before] = DenseLevels.scaledRanges([{ lo: 0, cells, from: 0, to: 2 }], 1) as [DenseLevels];
    cells.set(1, 2);
    cells.add(0, 1);
    cells.add(0, 1);
    expect([...before]).toEqual([[0, 1], [1, 2], [2, 3]]);
    expect([cells.get(0), cells.get(1), cells.get(2)]).toEqual([3, 2, 3]);
  });
});
