import { DenseLevels } from './dense-levels.js';
import { priceIndex } from './price-grid.js';

/**
 * The level-spread prior (`levelSpread`): a snapshot's levels of each leverage layer are spread
 * by a Gaussian over price buckets whose standard deviation is `levelSpread` × that layer's
 * margin distance (price / leverage, in whole buckets, at least one). Real positions' entries,
 * leverages and added margin vary, so a sharp level overstates what the model knows; spreading
 * in proportion to the margin keeps high-leverage levels tight and low-leverage ones broad.
 * Mass that lands beyond the price's bucket (the side already crossed) is dropped. Only served
 * levels are spread: the cohort state, its checkpoints and a resume stay sharp.
 */

/** Kernels by `spread|margin buckets`: a handful per market (the margin moves with the price). */
const kernels = new Map<string, Float64Array>();

/**
 * Weights of offsets −K..K buckets (K = ⌈3σ⌉): the normal mass of each bucket [d − ½, d + ½),
 * renormalised over the truncated window so a level's notional is conserved.
 */
export function spreadKernel(sigma: number): Float64Array {
  const k = Math.ceil(3 * sigma);
  const w = new Float64Array(2 * k + 1);
  const cdf = (x: number) => 0.5 * (1 + erf(x / (sigma * Math.SQRT2)));
  let sum = 0;
  for (let d = -k; d <= k; d++) sum += w[d + k] = cdf(d + 0.5) - cdf(d - 0.5);
  for (let i = 0; i < w.length; i++) w[i]! /= sum;
  return w;
}

function kernelFor(spread: number, margin: number): Float64Array {
  const key = `${spread}|${margin}`;
  let w = kernels.get(key);
  if (!w) {
    if (kernels.size > 4096) kernels.clear();
    w = spreadKernel(spread * margin);
    kernels.set(key, w);
  }
  return w;
}

/** The layer's margin distance in whole price buckets (half up, at least 1). */
export function marginBuckets(price: number, leverage: number, step: number): number {
  return Math.max(1, Math.floor(price / (leverage * step) + 0.5 + 1e-9));
}

/**
 * One side's layers spread, and their sum as the side's levels. `long`: levels below the price
 * (mass above the price's bucket is dropped); else above it.
 */
export function spreadSide(byLeverage: ReadonlyMap<number, DenseLevels>, long: boolean, price: number, step: number, spread: number): { levels: DenseLevels; byLeverage: Map<number, DenseLevels> } {
  const at = priceIndex(price, step);
  const out = new Map<number, DenseLevels>();
  let lo = Infinity;
  let hi = -Infinity;
  for (const [lev, layer] of byLeverage) {
    if (layer.size === 0) {
      out.set(lev, DenseLevels.EMPTY);
      continue;
    }
    const w = kernelFor(spread, marginBuckets(price, lev, step));
    const k = (w.length - 1) >> 1;
    const from = long ? layer.lo - k : Math.max(at, layer.lo - k);
    const to = long ? Math.min(at, layer.lo + layer.cells.length - 1 + k) : layer.lo + layer.cells.length - 1 + k;
    if (from > to) {
      out.set(lev, DenseLevels.EMPTY);
      continue;
    }
    const cells = new Float64Array(to - from + 1);
    const src = layer.cells;
    for (let x = 0; x < src.length; x++) {
      const v = src[x]!;
      if (v === 0) continue;
      // Target bucket of offset d is layer.lo + x + d; only the part inside from..to is kept.
      const base = layer.lo + x - k - from;
      const d0 = Math.max(0, -base);
      const d1 = Math.min(w.length - 1, cells.length - 1 - base);
      for (let d = d0; d <= d1; d++) cells[base + d]! += v * w[d]!;
    }
    out.set(lev, DenseLevels.of(from, cells));
    if (from < lo) lo = from;
    if (to > hi) hi = to;
  }
  if (!(lo <= hi)) return { levels: DenseLevels.EMPTY, byLeverage: out };
  const total = new Float64Array(hi - lo + 1);
  for (const layer of out.values()) {
    const off = layer.lo - lo;
    for (let x = 0; x < layer.cells.length; x++) total[off + x]! += layer.cells[x]!;
  }
  return { levels: DenseLevels.of(lo, total), byLeverage: out };
}

/**
 * erf to ~1e-15: its Taylor series below 3 (terms at most e⁹, so ~1e-12 absolute at worst),
 * erfc's continued fraction (Lentz) above, ±1 beyond 6 (erfc(6) ≈ 2e-17).
 */
function erf(x: number): number {
  const a = Math.abs(x);
  const sign = x < 0 ? -1 : 1;
  if (a >= 6) return sign;
  if (a < 3) {
    let term = a;
    let sum = a;
    const x2 = a * a;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const t = term / (2 * n + 1);
      sum += t;
      if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
    }
    return (sign * 2 * sum) / Math.sqrt(Math.PI);
  }
  // erfc(a) = e^{−a²}/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + …)))).
  const tiny = 1e-300;
  let f = a;
  let c = a;
  let d = 0;
  for (let n = 1; n < 300; n++) {
    const an = n / 2;
    d = a + an * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = a + an / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return sign * (1 - Math.exp(-a * a) / (Math.sqrt(Math.PI) * f));
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
    const cells = new Float64Array(hi - lo + 1);
    for (const [i, v] of m) cells[i - lo] = v;
    dense.set(lev, DenseLevels.of(lo, cells));
  }
  return new Map(spreadSide(dense, long, price, step, spread).levels);
}
