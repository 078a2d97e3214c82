import type { ReferenceSnapshot } from './types.js';

/** How far a fast result is from the reference. */
export interface Agreement {
  /** maxAbsDiff ≤ tolerance × the reference's total notional. */
  readonly ok: boolean;
  /** Largest absolute difference of one cell, quote. */
  readonly maxAbsDiff: number;
  /** maxAbsDiff relative to the reference's total notional of that snapshot. */
  readonly maxRelDiff: number;
  readonly cellsCompared: number;
  readonly tolerance: number;
}

/**
 * Compares snapshots cell by cell (long, short, open-interest maps of every bucket, matched by
 * time). A missing snapshot or cell counts as zero.
 */
export function compareSnapshots(fast: readonly ReferenceSnapshot[], reference: readonly ReferenceSnapshot[], tolerance = 1e-9): Agreement {
  const byT = new Map(fast.map((s) => [s.t, s]));
  let maxAbs = 0;
  let maxRel = 0;
  let cells = 0;
  let ok = fast.length === reference.length;
  for (const r of reference) {
    const f = byT.get(r.t);
    // At least one quote unit: a snapshot whose levels were all removed compares absolutely.
    const total = Math.max(1, sum(r.long) + sum(r.short) + sum(r.oiLong) + sum(r.oiShort));
    for (const key of ['long', 'short', 'oiLong', 'oiShort'] as const) {
      const a = f?.[key] ?? new Map<number, number>();
      const b = r[key];
      for (const k of new Set([...a.keys(), ...b.keys()])) {
        const d = Math.abs((a.get(k) ?? 0) - (b.get(k) ?? 0));
        cells++;
        if (d > maxAbs) maxAbs = d;
        const rel = d / total;
        if (rel > maxRel) maxRel = rel;
        if (rel > tolerance) ok = false;
      }
    }
  }
  return { ok, maxAbsDiff: maxAbs, maxRelDiff: maxRel, cellsCompared: cells, tolerance };
}

function sum(m: ReadonlyMap<number, number>): number {
  let s = 0;
  for (const v of m.values()) s += v;
  return s;
}
