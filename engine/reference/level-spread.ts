import { RD, rd } from './decimal.js';
import { referencePriceIndex } from './grid.js';

/**
 * The level-spread prior, written again for checking (shares nothing with engine/model's): each
 * leverage's levels spread over price buckets by a normal of σ = spread × the leverage's margin
 * distance (close / (leverage × step), half up to whole buckets, at least 1), truncated at ⌈3σ⌉
 * buckets and renormalised; a long's mass above the close's bucket (a short's below) dropped.
 * On the snapshot's numbers, cell by cell through maps: simple, not fast.
 */
export function referenceSpreadSide(byLeverage: ReadonlyMap<number, ReadonlyMap<number, number>>, long: boolean, close: RD, step: RD, spread: number): { levels: Map<number, number>; byLeverage: Map<number, Map<number, number>> } {
  const at = referencePriceIndex(close, step);
  const layers = new Map<number, Map<number, number>>();
  const levels = new Map<number, number>();
  for (const [lev, cells] of byLeverage) {
    const margin = RD.max(1, close.div(rd(lev).mul(step)).add('0.5').floor()).toNumber();
    const weights = normalWeights(spread * margin);
    const k = (weights.length - 1) / 2;
    const out = new Map<number, number>();
    for (const [i, v] of cells) {
      for (let d = -k; d <= k; d++) {
        const j = i + d;
        if (long ? j > at : j < at) continue;
        out.set(j, (out.get(j) ?? 0) + v * weights[d + k]!);
      }
    }
    layers.set(lev, out);
    for (const [j, v] of out) levels.set(j, (levels.get(j) ?? 0) + v);
  }
  return { levels, byLeverage: layers };
}

/** P(d − ½ ≤ X < d + ½) for X ~ N(0, σ²), d = −⌈3σ⌉..⌈3σ⌉, divided by their sum. */
function normalWeights(sigma: number): number[] {
  const k = Math.ceil(3 * sigma);
  const phi = (x: number) => 0.5 + 0.5 * erf(x / (sigma * Math.SQRT2));
  const w: number[] = [];
  for (let d = -k; d <= k; d++) w.push(phi(d + 0.5) - phi(d - 0.5));
  const total = w.reduce((s, x) => s + x, 0);
  return w.map((x) => x / total);
}

/**
 * erf(x) = 2/√π · e^{−x²} · Σ 2ⁿ x^{2n+1} / (1·3·5···(2n+1)): every term positive, so no
 * cancellation at any x; 1 beyond 6 (erfc(6) ≈ 2e-17).
 */
function erf(x: number): number {
  const a = Math.abs(x);
  if (a >= 6) return Math.sign(x);
  let term = a;
  let sum = a;
  for (let n = 1; term > 1e-18 * sum; n++) {
    term *= (2 * a * a) / (2 * n + 1);
    sum += term;
  }
  return (Math.sign(x) * 2 * Math.exp(-a * a) * sum) / Math.sqrt(Math.PI);
}
