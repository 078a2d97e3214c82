import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commonStep, mapLevels } from '../../engine/index.js';

describe('moving a venue\'s levels onto the reference price and a common grid', () => {
  it('puts each bucket whole where its moved midpoint falls (hand-built)', () => {
    const into = new Map<number, number>();
    // Buckets [100, 110) and [110, 120) of a 10-step grid, moved by 1/1.1 onto a 20-step grid:
    // midpoints 105/1.1 = 95.45 → bucket 4 [80, 100), 115/1.1 = 104.5 → bucket 5 [100, 120).
    mapLevels(into, 10, [7, 3], 10, 1 / 1.1, 20);
    expect([...into]).toEqual([
      [4, 7],
      [5, 3],
    ]);
    // At ratio 1 onto a multiple of the step, each lands in the bucket that contains it.
    const same = new Map<number, number>();
    mapLevels(same, 10, [1, 2, 3, 4], 10, 1, 20);
    expect([...same]).toEqual([
      [5, 3],
      [6, 7],
    ]);
  });

  it('conserves notional for any ratio and grid', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e9, noNaN: true }), { maxLength: 200 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.constantFrom(0.5, 1, 2, 5, 10, 20),
        fc.double({ min: 0.9, max: 1.1, noNaN: true }),
        (values, lo, step, ratio) => {
          const into = new Map<number, number>();
          const target = commonStep([step, 20]);
          mapLevels(into, lo, values, step, ratio, target);
          const total = values.reduce((a, b) => a + b, 0);
          const moved = [...into.values()].reduce((a, b) => a + b, 0);
          expect(Math.abs(moved - total)).toBeLessThanOrEqual(1e-9 * Math.max(1, total));
        },
      ),
    );
  });
});
