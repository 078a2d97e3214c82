import { performance } from 'node:perf_hooks';
import { readHeatmapRows, type HeatmapRow } from '../../db/index.js';
import type { ServedGrid } from '../../engine/index.js';
import { PART_CARRY_MS } from '../../jobs/index.js';
import type { ApiContext } from '../context.js';
import type { AggregateRef } from './aggregate.js';
import { checkServed, type CheckResult, type ServedForCheck } from './check.js';
import { ensureResults, type ResultsRef } from './results.js';

/** Relative tolerance of a summed cell, of its column's total (float sums in another order). */
export const SUM_TOLERANCE = 1e-9;

/** A check of an aggregate: each part's own cells against the reference engine, and the sum. */
export interface AggregateCheckResult extends CheckResult {
  readonly parts: readonly { readonly market: string; readonly check: CheckResult }[];
  readonly sum: SumVerdict;
}

/** The sum stage: the served cells against the parts' own rows re-summed here. */
export interface SumVerdict {
  readonly ok: boolean;
  readonly compared: string;
  readonly valuesCompared: number;
  readonly mismatches: number;
  readonly maxAbsDiff: number;
  readonly maxRelDiff: number;
  readonly tolerance: number;
  readonly firstMismatch: null;
  readonly from: number;
  readonly to: number;
  readonly buckets: number;
  readonly ms: number;
}

/**
 * Checks an aggregate's served grid: every part's own persisted cells over the same window (from
 * `ownCells`) by the reference engine of that market, and the sum — the parts' own rows (not the
 * moved rows the workers persisted) re-summed here, column by column, by the documented
 * convention (row standing at the end of the bucket, reference price from the first part present,
 * each bucket moved by P_ref / P_part to its midpoint and binned straight into the served rows)
 * and compared with the served cells. OK when every part and the sum are; PENDING while a part's
 * check is.
 */
export async function checkAggregate(ctx: ApiContext, agg: AggregateRef, served: ServedGrid, ownCells: (own: ResultsRef) => Promise<ServedForCheck>): Promise<AggregateCheckResult> {
  const t0 = performance.now();
  const own = await Promise.all(agg.parts.map((p) => ensureResults(ctx, p.market, agg.partial)));
  const parts = await Promise.all(own.map(async (ref) => ({ market: ref.market, check: await checkServed(ctx, ref, await ownCells(ref)) })));
  const sum = await checkSum(ctx, agg, own, served);
  const checks = parts.map((p) => p.check);
  const status = checks.some((c) => c.status === 'FAILED') ? 'FAILED' : checks.some((c) => c.status === 'PENDING') ? 'PENDING' : 'DONE';
  const ok = status === 'DONE' ? sum.ok && checks.every((c) => c.ok === true) : null;
  return {
    id: null,
    status,
    engine: 'aggregate',
    ok,
    fault: checks.find((c) => c.fault)?.fault ?? null,
    aggregation: null,
    model: null,
    cellsCompared: sum.valuesCompared + checks.reduce((a, c) => a + (c.cellsCompared ?? 0), 0),
    maxRelDiff: Math.max(sum.maxRelDiff, ...checks.map((c) => c.maxRelDiff ?? 0)),
    tolerance: SUM_TOLERANCE,
    elapsedMs: performance.now() - t0,
    error: checks.find((c) => c.error)?.error ?? null,
    parts,
    sum,
  };
}

async function checkSum(ctx: ApiContext, agg: AggregateRef, own: readonly ResultsRef[], served: ServedGrid): Promise<SumVerdict> {
  const t0 = performance.now();
  const n = served.prices.length;
  const first = served.times[0] ?? 0;
  const last = served.times.at(-1) ?? 0;
  const W = agg.widthMs;
  const rows = await Promise.all(own.map((r) => readHeatmapRows(ctx.store, r.market, r.paramsHash, first - PART_CARRY_MS - W, last + W)));
  const lo = served.prices[0] ?? 0;
  let maxAbs = 0;
  let maxRel = 0;
  let mismatches = 0;
  let compared = 0;
  served.times.forEach((t, i) => {
    // Each part's own row standing at the end of the aggregate bucket [t, t + W).
    const present: HeatmapRow[] = [];
    own.forEach((ref, p) => {
      let pick: HeatmapRow | undefined;
      for (const r of rows[p]!) if (r.t + ref.widthMs <= t + W) pick = r;
      if (pick && t + W - (pick.t + ref.widthMs) < PART_CARRY_MS) present.push(pick);
    });
    const long = new Array<number>(n).fill(0);
    const short = new Array<number>(n).fill(0);
    const refPrice = present[0]?.price ?? 0;
    for (const r of present) {
      const ratio = refPrice / r.price;
      const add = (out: number[], base: number, values: readonly number[]) =>
        values.forEach((v, x) => {
          const j = Math.floor(((base + x + 0.5) * r.priceStep * ratio - lo) / served.priceBucket + 1e-9);
          if (j >= 0 && j < n) out[j]! += v;
        });
      if (served.layer === 'liquidations') {
        add(long, r.longLo, r.long);
        add(short, r.shortLo, r.short);
      } else {
        add(long, r.oiLo, r.oiLong);
        add(short, r.oiLo, r.oiShort);
      }
    }
    const total = long.reduce((a, b) => a + b, 0) + short.reduce((a, b) => a + b, 0);
    for (let j = 0; j < n; j++) {
      for (const [mine, theirs] of [[long[j]!, served.long[i * n + j] ?? 0], [short[j]!, served.short[i * n + j] ?? 0]] as const) {
        compared++;
        const abs = Math.abs(mine - theirs);
        const rel = total > 0 ? abs / total : abs > 0 ? Infinity : 0;
        maxAbs = Math.max(maxAbs, abs);
        maxRel = Math.max(maxRel, rel);
        if (rel > SUM_TOLERANCE) mismatches++;
      }
    }
  });
  return {
    ok: mismatches === 0,
    compared: `every served cell against the ${own.length} parts' own persisted rows re-summed by the aggregation convention`,
    valuesCompared: compared,
    mismatches,
    maxAbsDiff: maxAbs,
    maxRelDiff: maxRel,
    tolerance: SUM_TOLERANCE,
    firstMismatch: null,
    from: first * 1000,
    to: (last + W) * 1000,
    buckets: served.times.length,
    ms: performance.now() - t0,
  };
}
