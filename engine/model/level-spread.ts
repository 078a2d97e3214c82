import { DenseLevels } from './dense-levels.js';
import { priceIndex } from './price-grid.js';

/**
 * The level-spread prior (`levelSpread`): a snapshot's levels of each leverage layer are spread
 * over price buckets by a quadratic B-spline whose standard deviation is about `levelSpread` ×
 * that layer's margin distance (price / leverage, in whole buckets, at least one). Real
 * positions' entries, leverages and added margin vary, so a sharp level overstates what the
 * model knows; spreading in proportion to the margin keeps high-leverage levels tight and
 * low-leverage ones broad. The B-spline is three box filters of one odd width w (variance
 * (w² − 1) / 4, w the odd width whose variance is nearest σ²): close to a Gaussian of that σ, and applied
 * as three running sums, so its cost per layer is the layer's cells plus 3(w − 1), whatever σ
 * (a Gaussian's weights cost cells × 6σ: 4.7× a day's model at 0.4). Mass that lands beyond the
 * price's bucket (the side already crossed) is dropped. Only served levels are spread: the
 * cohort state, its checkpoints and a resume stay sharp.
 */

/**
 * The odd box width whose three-fold convolution has variance ((w² − 1) / 4) nearest σ², the
 * smaller on a tie: w = 2h + 1 with h < σ ≤ h + 1 (the midpoint of two widths' variances is
 * (w + 1)² / 4), so w is about 2σ.
 */
export function boxWidth(sigma: number): number {
  return 2 * Math.max(0, Math.ceil(sigma) - 1) + 1;
}

/** The layer's margin distance in whole price buckets (half up, at least 1). */
export function marginBuckets(price: number, leverage: number, step: number): number {
  return Math.max(1, Math.floor(price / (leverage * step) + 0.5 + 1e-9));
}

/**
 * One centred box pass of half-width h: to[j] = Σ from[j − h..j + h] (unscaled). A window with
 * no non-zero cell is exactly 0, so the running sum's rounding never leaks into gaps; over
 * non-negative integers whose sums stay under 2⁵³ it is exact (spread-cells.ts relies on it).
 */
export function boxPass(from: Float64Array, to: Float64Array, h: number, n: number): void {
  let sum = 0;
  let live = 0;
  for (let i = 0; i < h && i < n; i++) {
    const v = from[i]!;
    if (v !== 0) {
      sum += v;
      live++;
    }
  }
  for (let j = 0; j < n; j++) {
    const add = j + h;
    if (add < n) {
      const v = from[add]!;
      if (v !== 0) {
        sum += v;
        live++;
      }
    }
    const drop = j - h - 1;
    if (drop >= 0) {
      const v = from[drop]!;
      if (v !== 0) {
        sum -= v;
        live--;
      }
    }
    if (live === 0) sum = 0;
    to[j] = sum > 0 ? sum : 0;
  }
}

let scratchA = new Float64Array(0);
let scratchB = new Float64Array(0);
function scratch(n: number): [Float64Array, Float64Array] {
  if (scratchA.length < n) {
    scratchA = new Float64Array(n * 2);
    scratchB = new Float64Array(n * 2);
  }
  return [scratchA, scratchB];
}

/**
 * One side's layers spread, and their sum as the side's levels. `long`: levels below the price
 * (mass above the price's bucket is dropped); else above it. The definition of the spread: the
 * model serves it this way with buckets of an hour or more, and keeps it in step with the cells
 * with shorter ones (spread-cells.ts, checked against this in test/engine/spread-cells.test.ts).
 */
export function spreadSide(byLeverage: ReadonlyMap<number, DenseLevels>, long: boolean, price: number, step: number, spread: number): { levels: DenseLevels; byLeverage: Map<number, DenseLevels> } {
  const at = priceIndex(price, step);
  const out = new Map<number, DenseLevels>();
  // Each kept layer's cells as built (summed from these: a DenseLevels' `cells` is a copy).
  const kept: { from: number; cells: number[] }[] = [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const [lev, layer] of byLeverage) {
    // A first cell held answers without counting the cells (a pass over the layer).
    if (layer.get(layer.lo) === undefined && layer.size === 0) {
      out.set(lev, DenseLevels.EMPTY);
      continue;
    }
    const w = boxWidth(spread * marginBuckets(price, lev, step));
    const h = (w - 1) >> 1;
    const reach = 3 * h;
    const fullLo = layer.lo - reach;
    const fullHi = layer.lo + layer.length - 1 + reach;
    const from = long ? fullLo : Math.max(at, fullLo);
    const to = long ? Math.min(at, fullHi) : fullHi;
    if (from > to) {
      out.set(lev, DenseLevels.EMPTY);
      continue;
    }
    const n = fullHi - fullLo + 1;
    let cells: number[];
    if (h === 0) {
      cells = new Array<number>(to - from + 1);
      const a = scratch(n)[0];
      layer.copyInto(a, 0);
      for (let i = 0, x = from - fullLo; i < cells.length; i++, x++) cells[i] = a[x]!;
    } else {
      // Two scratch buffers, reused across layers and snapshots; only the kept range is copied out.
      let [a, b] = scratch(n);
      a.fill(0, 0, reach);
      layer.copyInto(a, reach);
      a.fill(0, reach + layer.length, n);
      for (let pass = 0; pass < 3; pass++) {
        boxPass(a, b, h, n);
        [a, b] = [b, a];
      }
      const scale = 1 / (w * w * w);
      cells = new Array<number>(to - from + 1);
      for (let i = 0, x = from - fullLo; i < cells.length; i++, x++) cells[i] = a[x]! * scale;
    }
    out.set(lev, DenseLevels.of(from, cells));
    kept.push({ from, cells });
    if (from < lo) lo = from;
    if (to > hi) hi = to;
  }
  if (!(lo <= hi)) return { levels: DenseLevels.EMPTY, byLeverage: out };
  const total = new Array<number>(hi - lo + 1).fill(0);
  for (const { from, cells } of kept) {
    const off = from - lo;
    for (let x = 0; x < cells.length; x++) total[off + x]! += cells[x]!;
  }
  return { levels: DenseLevels.of(lo, total), byLeverage: out };
}

/** {@link spreadSide} of levels held as maps (price bucket → notional) per leverage. */
export function spreadMaps(byLeverage: ReadonlyMap<number, ReadonlyMap<number, number>>, long: boolean, price: number, step: number, spread: number): Map<number, number> {
  const dense = new Map<number, DenseLevels>();
  for (const [lev, m] of byLeverage) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const i of m.keys()) {
      if (i < lo) lo = i;
      if (i > hi) hi = i;
    }
    if (!(lo <= hi)) continue;
    const cells = new Array<number>(hi - lo + 1).fill(0);
    for (const [i, v] of m) cells[i - lo] = v;
    dense.set(lev, DenseLevels.of(lo, cells));
  }
  return new Map(spreadSide(dense, long, price, step, spread).levels);
}
