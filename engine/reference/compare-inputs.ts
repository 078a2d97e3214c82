import { rd, type Exact, type RD } from './decimal.js';
import type { BucketInput } from './types.js';


/** A bucket input value the aggregation and the exact re-derivation disagree on. */
export interface InputMismatch {
  /** Bucket start, epoch ms. */
  readonly t: number;
  /** Which value, e.g. `trades.vwap`, `openInterest`, `liquidations.long` (`bucket` when one side has no such bucket). */
  readonly field: string;
  /** The aggregation's value (null: absent). */
  readonly aggregated: number | null;
  /** The exact value, decimal text (null: absent). */
  readonly exact: string | null;
}

/** The aggregation stage's verdict. */
export interface InputAgreement {
  readonly ok: boolean;
  readonly bucketsCompared: number;
  readonly valuesCompared: number;
  /** Largest |aggregated − exact| / |exact| seen. */
  readonly maxRelDiff: number;
  /** Relative tolerance per value (the aggregation rounds exact sums to float8 once). */
  readonly tolerance: number;
  /** The first mismatch in time order, null when none. */
  readonly firstMismatch: InputMismatch | null;
  /** How many values disagree. */
  readonly mismatches: number;
}

const GROUPS = {
  trades: ['open', 'high', 'low', 'close', 'vwap', 'buy', 'sell'],
  candle: ['open', 'high', 'low', 'close', 'volume'],
} as const;

/**
 * Compares the bucket inputs an aggregation produced (floats) with their exact re-derivation,
 * bucket by bucket and value by value. Force orders absent and force orders summing to zero are
 * the same; anything else present on one side only is a mismatch.
 */
export function compareBucketInputs(aggregated: readonly BucketInput<number>[], exact: readonly BucketInput<RD>[], tolerance = 1e-12): InputAgreement {
  const byT = new Map<number, { a?: BucketInput<number>; e?: BucketInput<RD> }>();
  for (const a of aggregated) byT.set(a.t, { a });
  for (const e of exact) byT.set(e.t, { ...byT.get(e.t), e });
  let values = 0;
  let maxRel = 0;
  let mismatches = 0;
  let first: InputMismatch | null = null;
  const miss = (m: InputMismatch) => {
    mismatches++;
    if (!first || m.t < first.t) first = m;
  };
  const value = (t: number, field: string, a: number | null | undefined, e: Exact | null | undefined) => {
    values++;
    if (a == null && e == null) return;
    if (a == null || e == null) return miss({ t, field, aggregated: a ?? null, exact: e == null ? null : rd(e).toString() });
    const x = rd(e);
    const d = rd(a).sub(x).abs();
    const rel = x.isZero() ? (d.isZero() ? 0 : Infinity) : d.div(x.abs()).toNumber();
    if (rel > maxRel) maxRel = rel;
    if (rel > tolerance) miss({ t, field, aggregated: a, exact: x.toString() });
  };
  const ts = [...byT.keys()].sort((x, y) => x - y);
  for (const t of ts) {
    const { a, e } = byT.get(t)!;
    for (const [group, fields] of Object.entries(GROUPS) as [keyof typeof GROUPS, readonly string[]][]) {
      const ga = a?.[group] as Record<string, number> | null | undefined;
      const ge = e?.[group] as Record<string, RD> | null | undefined;
      if (!ga && !ge) continue;
      if (!ga || !ge) {
        values++;
        miss({ t, field: group, aggregated: ga ? (ga.close ?? null) : null, exact: ge ? (ge.close?.toString() ?? null) : null });
        continue;
      }
      for (const f of fields) value(t, `${group}.${f}`, ga[f], ge[f]);
    }
    value(t, 'openInterest', a?.openInterest, e?.openInterest);
    value(t, 'funding', a?.funding, e?.funding);
    value(t, 'mark', a?.mark, e?.mark);
    value(t, 'liquidations.long', a?.liquidations?.long ?? 0, e?.liquidations?.long ?? 0);
    value(t, 'liquidations.short', a?.liquidations?.short ?? 0, e?.liquidations?.short ?? 0);
  }
  return { ok: mismatches === 0, bucketsCompared: ts.length, valuesCompared: values, maxRelDiff: maxRel, tolerance, firstMismatch: first, mismatches };
}
