import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createModelState, deserializeModelState, parseModelParams, serializeModelState, stepModel, type LevelSnapshot } from '../../engine/index.js';
import { demoBuckets } from '../_fixtures/demo-buckets.js';

const hashOf = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * Everything a snapshot holds, as plain entries (exact numbers), hashed: two days of the default
 * level-spread snapshots as text do not fit a test worker's heap.
 */
const plain = (s: LevelSnapshot): string =>
  hashOf(JSON.stringify([s.t, s.priceStep, s.liquidatedLong, s.liquidatedShort, [...s.long], [...s.short], [...s.oiLong], [...s.oiShort], [...s.longByLeverage].map(([l, m]) => [l, [...m]]), [...s.shortByLeverage].map(([l, m]) => [l, [...m]])]));

describe('model state checkpoints', () => {
  // Both priors on: many cohorts per bucket, merged every hour, so the index is busy.
  const params = parseModelParams({ entrySpreadPoints: 3, leverageSpread: 0.2 });
  const buckets = demoBuckets(2);

  it('a run resumed from a serialised state continues bit for bit as the uninterrupted run', { timeout: 180_000 }, () => {
    const whole = createModelState(params);
    const expected = buckets.map((b) => plain(stepModel(whole, b)));
    // Cut after a prune, just before one, after a funding print and near the end.
    for (const cut of [61, 479, 481, buckets.length - 5]) {
      let s = createModelState(params);
      for (const b of buckets.slice(0, cut)) stepModel(s, b);
      s = deserializeModelState(serializeModelState(s));
      const resumed = buckets.slice(cut).map((b) => plain(stepModel(s, b)));
      const first = resumed.findIndex((r, i) => r !== expected[cut + i]);
      expect(first, `cut at ${cut}: first differing bucket`).toBe(-1);
    }
  });
});
