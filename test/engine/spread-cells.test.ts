import { describe, expect, it } from 'vitest';
import { createModelState, parseModelParams, priceIndex, sharpLayers, spreadSide, stepModel } from '../../engine/index.js';
import { demoBuckets } from '../_fixtures/demo-buckets.js';

/**
 * The worst disagreement of served levels with the definition, relative to the definition's
 * largest cell, or Infinity when a cell the definition holds at exactly 0 is served non-zero.
 */
function worst(served: ReadonlyMap<number, number>, defined: ReadonlyMap<number, number>): number {
  let max = 0;
  for (const v of defined.values()) max = Math.max(max, Math.abs(v));
  let err = 0;
  for (const [i, v] of served) {
    const d = defined.get(i);
    if (d === undefined) return Infinity;
    err = Math.max(err, Math.abs(v - d));
  }
  for (const [i, d] of defined) if (!served.has(i)) err = Math.max(err, Math.abs(d));
  return max > 0 ? err / max : err;
}

describe('incremental level spread', () => {
  const buckets = demoBuckets(2);

  // Default params, and both priors on (15 layers a side, many cohorts a bucket, merged every hour).
  for (const extra of [{}, { entrySpreadPoints: 3, leverageSpread: 0.2 }]) {
    it(`serves spreadSide of the sharp levels in every bucket (${JSON.stringify(extra)})`, { timeout: 120_000 }, () => {
      const params = parseModelParams(extra);
      const state = createModelState(params);
      let widthChanges = 0;
      let liquidated = 0;
      let lastLo: number | null = null;
      let cells = 0;
      for (const [n, b] of buckets.entries()) {
        const snap = stepModel(state, b);
        const sharp = sharpLayers(state);
        const step = snap.priceStep;
        const long = spreadSide(sharp.long, true, b.close, step, params.levelSpread);
        const short = spreadSide(sharp.short, false, b.close, step, params.levelSpread);
        const errs = [worst(snap.long, long.levels), worst(snap.short, short.levels)];
        for (const [lev, m] of long.byLeverage) errs.push(worst(snap.longByLeverage.get(lev)!, m));
        for (const [lev, m] of short.byLeverage) errs.push(worst(snap.shortByLeverage.get(lev)!, m));
        expect(Math.max(...errs), `bucket ${n}`).toBeLessThan(1e-9);
        expect([...snap.longByLeverage.keys()]).toEqual([...long.byLeverage.keys()]);
        // The scenario moves the price enough to change the widest layer's boxes, and liquidates.
        const lo = Math.round(b.close / (Math.min(...params.leverages.map((l) => l.leverage)) * step) * params.levelSpread);
        if (lastLo !== null && lo !== lastLo) widthChanges++;
        lastLo = lo;
        liquidated += snap.liquidatedLong + snap.liquidatedShort;
        cells += snap.long.size + snap.short.size;
        expect(priceIndex(b.close, step)).toBeGreaterThanOrEqual(Math.max(...snap.long.keys()));
      }
      expect(widthChanges).toBeGreaterThan(2);
      expect(liquidated).toBeGreaterThan(0);
      expect(cells / buckets.length).toBeGreaterThan(1000);
    });
  }
});
