import { RD, rd } from './decimal.js';
import { referencePriceIndex } from './grid.js';

/**
 * The level-spread prior, written again for checking (shares nothing with engine/model's): each
 * leverage's levels spread over price buckets by a quadratic B-spline, three boxes of the odd
 * width w whose variance (w² − 1) / 4 is nearest σ², σ = spread × the leverage's margin distance
 * (close / (leverage × step), half up to whole buckets, at least 1); a long's mass above the
 * close's bucket (a short's below) dropped. On the snapshot's numbers, cell by cell through
 * maps, with the kernel's weights written out: simple, not fast.
 */
export function referenceSpreadSide(byLeverage: ReadonlyMap<number, ReadonlyMap<number, number>>, long: boolean, close: RD, step: RD, spread: number): { levels: Map<number, number>; byLeverage: Map<number, Map<number, number>> } {
  const at = referencePriceIndex(close, step);
  const layers = new Map<number, Map<number, number>>();
  const levels = new Map<number, number>();
  for (const [lev, cells] of byLeverage) {
    const margin = RD.max(1, close.div(rd(lev).mul(step)).add('0.5').floor()).toNumber();
    const weights = bSplineWeights(oddWidth(spread * margin));
    const k = (weights.length - 1) / 2;
    // Accumulated in an array over the reach of the layer's levels (a map per term is too slow
    // for the property test), then kept as a map of the cells on the side's own side of the close.
    const keys = [...cells.keys()];
    const out = new Map<number, number>();
    if (keys.length) {
      const lo = Math.min(...keys) - k;
      const acc = new Float64Array(Math.max(...keys) + k - lo + 1);
      for (const [i, v] of cells) for (let d = -k; d <= k; d++) acc[i + d - lo]! += v * weights[d + k]!;
      acc.forEach((v, x) => {
        const j = lo + x;
        if (v !== 0 && !(long ? j > at : j < at)) out.set(j, v);
      });
    }
    layers.set(lev, out);
    for (const [j, v] of out) levels.set(j, (levels.get(j) ?? 0) + v);
  }
  return { levels, byLeverage: layers };
}

/** Of the odd widths 1, 3, 5, …, the one whose (w² − 1) / 4 is nearest σ² (the smaller on a tie). */
function oddWidth(sigma: number): number {
  let w = 1;
  while (Math.abs(((w + 2) ** 2 - 1) / 4 - sigma * sigma) < Math.abs((w * w - 1) / 4 - sigma * sigma)) w += 2;
  return w;
}

/**
 * Weights of offsets −3h..3h (h = (w − 1) / 2): a box of w ones convolved with itself three
 * times, integer counts (exact: at most w² ≤ 2^53), divided by w³. Memoised by width: the
 * convolution is O(w²) and a market uses a handful of widths.
 */
const weightsByWidth = new Map<number, Float64Array>();
function bSplineWeights(w: number): Float64Array {
  const hit = weightsByWidth.get(w);
  if (hit) return hit;
  let counts = [1];
  for (let pass = 0; pass < 3; pass++) {
    const next = new Array<number>(counts.length + w - 1).fill(0);
    for (let i = 0; i < counts.length; i++) for (let b = 0; b < w; b++) next[i + b]! += counts[i]!;
    counts = next;
  }
  const weights = Float64Array.from(counts, (c) => c / w ** 3);
  weightsByWidth.set(w, weights);
  return weights;
}
