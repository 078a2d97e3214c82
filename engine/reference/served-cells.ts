import { RD } from './decimal.js';
import type { ReferenceSnapshot } from './types.js';

/** Served heatmap cells: columns (model buckets) × display price rows, row-major, long and short. */
export interface ServedGrid {
  /** Which maps of a snapshot the cells show: pending liquidations, or open notional by entry. */
  readonly layer: 'liquidations' | 'openInterest';
  /** Column times (bucket starts), epoch ms. */
  readonly times: readonly number[];
  /** Lower edge of each display row, quote, ascending, `priceBucket` apart. */
  readonly prices: readonly number[];
  readonly priceBucket: number;
  /** `long[i × prices.length + j]`: column i, row j, quote. */
  readonly long: readonly number[];
  readonly short: readonly number[];
}

/** A served cluster (what the response says), to be compared with the reference's levels in its range. */
export interface ServedCluster {
  readonly side: 'long' | 'short';
  readonly priceLow: number;
  readonly priceHigh: number;
  readonly notional: number;
  readonly shareOfSide: number;
  readonly leverageComposition: readonly { readonly leverage: number; readonly notional: number }[];
}

/** The first served value that disagrees with the reference. */
export interface CellMismatch {
  /** Bucket start of the column, epoch ms. */
  readonly t: number;
  /** `long`/`short` cell, or a cluster's `notional`, `shareOfSide`, `leverage N×`, or `grid`/`column`. */
  readonly what: string;
  readonly priceLow: number | null;
  readonly priceHigh: number | null;
  readonly served: number | null;
  readonly reference: number | null;
}

/** The model stage's verdict on served cells. */
export interface CellAgreement {
  readonly ok: boolean;
  readonly cellsCompared: number;
  readonly maxAbsDiff: number;
  /** Largest difference relative to its column's reference total (cluster values: to the side's total). */
  readonly maxRelDiff: number;
  readonly tolerance: number;
  readonly mismatches: number;
  readonly firstMismatch: CellMismatch | null;
}

/**
 * Levels the served rows keep: within ±50% of the bucket's price (what is persisted). Cells of
 * the reference outside it are neither served nor compared.
 */
export const SERVED_WINDOW = new RD('0.5');

function windowed(s: ReferenceSnapshot, m: ReadonlyMap<number, number>): [number, number][] {
  const step = new RD(s.priceStep);
  const price = new RD(s.price);
  const lo = price.mul(RD.sub(1, SERVED_WINDOW)).div(step).floor().toNumber();
  const hi = price.mul(RD.add(1, SERVED_WINDOW)).div(step).ceil().toNumber();
  return [...m].filter(([k]) => k >= lo && k <= hi);
}

/**
 * Compares served heatmap cells with the reference's snapshots at the same times, binned the
 * same way: a reference price bucket [i·step, (i+1)·step) falls in the display row whose range
 * holds its lower edge (decimals, so a bucket on a row edge cannot fall either way by float
 * noise). Each cell agrees when |served − reference| ≤ tolerance × max(1, the column's
 * reference total). A column missing on either side is a mismatch.
 */
export function compareServedGrid(served: ServedGrid, reference: readonly ReferenceSnapshot[], tolerance = 1e-9): CellAgreement {
  const byT = new Map(reference.map((s) => [s.t, s]));
  const n = served.prices.length;
  const rowOf = (() => {
    if (n === 0) return () => -1;
    const bucket = new RD(served.priceBucket);
    const j0 = new RD(served.prices[0]!).div(bucket).toDecimalPlaces(0, RD.ROUND_HALF_UP);
    return (idx: number, step: RD) => step.mul(idx).div(bucket).floor().sub(j0).toNumber();
  })();
  let cells = 0;
  let maxAbs = 0;
  let maxRel = 0;
  let mismatches = 0;
  let first: CellMismatch | null = null;
  const miss = (m: CellMismatch) => {
    mismatches++;
    first ??= m;
  };
  served.times.forEach((t, i) => {
    const s = byT.get(t);
    if (!s) return miss({ t, what: 'column', priceLow: null, priceHigh: null, served: null, reference: null });
    const step = new RD(s.priceStep);
    const ref = { long: new Array<number>(n).fill(0), short: new Array<number>(n).fill(0) };
    let total = 0;
    for (const side of ['long', 'short'] as const) {
      const m = served.layer === 'liquidations' ? s[side] : side === 'long' ? s.oiLong : s.oiShort;
      for (const [idx, v] of windowed(s, m)) {
        total += v;
        const j = rowOf(idx, step);
        if (j >= 0 && j < n) ref[side][j]! += v;
      }
    }
    const scale = Math.max(1, total);
    for (let j = 0; j < n; j++) {
      for (const side of ['long', 'short'] as const) {
        const a = served[side][i * n + j] ?? 0;
        const b = ref[side][j]!;
        const d = Math.abs(a - b);
        cells++;
        if (d > maxAbs) maxAbs = d;
        if (d / scale > maxRel) maxRel = d / scale;
        if (d > tolerance * scale) miss({ t, what: side, priceLow: served.prices[j]!, priceHigh: Number((served.prices[j]! + served.priceBucket).toPrecision(12)), served: a, reference: b });
      }
    }
  });
  return { ok: mismatches === 0, cellsCompared: cells, maxAbsDiff: maxAbs, maxRelDiff: maxRel, tolerance, mismatches, firstMismatch: first };
}

/**
 * Compares served clusters with the reference's levels at their time: each cluster's notional is
 * the reference's pending notional of its side in [priceLow, priceHigh) (whole price buckets),
 * its share of the side that notional over the side's total, and its leverage composition the
 * same sum per leverage. Which ranges are clusters (the peak finding) is not re-derived.
 */
export function compareServedClusters(t: number, served: readonly ServedCluster[], reference: ReferenceSnapshot | undefined, tolerance = 1e-9): CellAgreement {
  let cells = 0;
  let maxAbs = 0;
  let maxRel = 0;
  let mismatches = 0;
  let first: CellMismatch | null = null;
  if (!reference) return { ok: served.length === 0, cellsCompared: 0, maxAbsDiff: 0, maxRelDiff: 0, tolerance, mismatches: served.length ? 1 : 0, firstMismatch: served.length ? { t, what: 'column', priceLow: null, priceHigh: null, served: null, reference: null } : null };
  const step = new RD(reference.priceStep);
  for (const c of served) {
    const lo = new RD(c.priceLow);
    const hi = new RD(c.priceHigh);
    const inRange = (idx: number) => step.mul(idx).gte(lo.sub(step.mul('1e-9'))) && step.mul(idx + 1).lte(hi.add(step.mul('1e-9')));
    const sum = (m: ReadonlyMap<number, number>) => [...m].reduce((acc, [idx, v]) => (inRange(idx) ? acc + v : acc), 0);
    const side = c.side === 'long' ? reference.long : reference.short;
    const sideTotal = [...side.values()].reduce((a, b) => a + b, 0);
    const scale = Math.max(1, sideTotal);
    const notional = sum(side);
    const byLev = c.side === 'long' ? reference.longByLeverage : reference.shortByLeverage;
    const values: [string, number, number, number][] = [
      ['notional', c.notional, notional, scale],
      ['shareOfSide', c.shareOfSide, sideTotal > 0 ? notional / sideTotal : 0, 1],
      ...[...byLev].map(([lev, m]): [string, number, number, number] => [`leverage ${lev}×`, c.leverageComposition.find((x) => x.leverage === lev)?.notional ?? 0, sum(m), scale]),
    ];
    for (const [what, a, b, sc] of values) {
      const d = Math.abs(a - b);
      cells++;
      if (d > maxAbs) maxAbs = d;
      if (d / sc > maxRel) maxRel = d / sc;
      if (d > tolerance * sc) {
        mismatches++;
        first ??= { t, what: `${c.side} cluster ${what}`, priceLow: c.priceLow, priceHigh: c.priceHigh, served: a, reference: b };
      }
    }
  }
  return { ok: mismatches === 0, cellsCompared: cells, maxAbsDiff: maxAbs, maxRelDiff: maxRel, tolerance, mismatches, firstMismatch: first };
}
