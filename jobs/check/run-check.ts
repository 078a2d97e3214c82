import { performance } from 'node:perf_hooks';
import { compareBucketInputs, compareServedClusters, compareServedGrid, exactBucketInputs, referenceModel, type BucketPart, type CellAgreement, type ReferenceSnapshot } from '../../engine/index.js';
import type { CheckLoader, CheckSpec, CheckVerdict, StageVerdict } from './check-spec.js';

/** Relative tolerance of a served cell (of its column's reference total). */
export const CELL_TOLERANCE = 1e-9;
/** Relative tolerance of a stored bucket input (the aggregation rounds an exact value to float8 once). */
export const INPUT_TOLERANCE = 1e-12;
/** Bucket inputs read per page while replaying. */
const PAGE_BUCKETS = 20_000;

/**
 * The estimated check of served cells, in two stages that name their own faults:
 * 1. aggregation: the bucket inputs stored with the results for the checked window, against
 *    their exact re-derivation from the raw events (reference code, decimals), value by value;
 * 2. model: the reference engine replays the stored bucket inputs from the results' first bucket
 *    to the newest served one, and its snapshots at the served times, binned as the API binned
 *    them, are compared with the served cells one by one.
 */
export async function runEstimatedCheck(loader: CheckLoader, spec: CheckSpec): Promise<CheckVerdict> {
  const started = performance.now();
  const width = spec.params.timeBucketSeconds * 1000;
  const aggregation = await aggregationStage(loader, spec, width);
  const model = await modelStage(loader, spec, width);
  const fault = !aggregation.ok ? 'AGGREGATION' : !model.ok ? 'MODEL' : null;
  return { engine: 'estimated', ok: fault === null, fault, aggregation, model, elapsedMs: performance.now() - started };
}

async function aggregationStage(loader: CheckLoader, spec: CheckSpec, width: number): Promise<StageVerdict> {
  const t0 = performance.now();
  const from = Math.floor(spec.window.fromMs / width) * width;
  const to = Math.ceil(spec.window.toMs / width) * width;
  // Pages of whole buckets, at least an hour: a busy day of trades never sits in memory at once.
  const page = Math.max(width, Math.ceil(3_600_000 / width) * width);
  let values = 0;
  let buckets = 0;
  let mismatches = 0;
  let maxRel = 0;
  let first: StageVerdict['firstMismatch'] = null;
  let events = 0;
  for (let a = from; a < to; a += page) {
    const b = Math.min(a + page, to);
    const raw = await loader.events(spec.market, a, b);
    events += raw.length;
    const stored = await loader.bucketInputs(spec.market, spec.paramsHash, width, a, b);
    const v = compareBucketInputs(stored, exactBucketInputs(raw, spec.params.timeBucketSeconds), INPUT_TOLERANCE);
    values += v.valuesCompared;
    buckets += v.bucketsCompared;
    mismatches += v.mismatches;
    maxRel = Math.max(maxRel, v.maxRelDiff);
    if (!first && v.firstMismatch) {
      const m = v.firstMismatch;
      first = { t: m.t, what: m.field, priceLow: null, priceHigh: null, served: m.aggregated, reference: m.exact };
    }
  }
  return {
    ok: mismatches === 0,
    compared: `every value of the ${buckets} bucket inputs stored for the window (trade OHLC, VWAP, taker volumes, candle, open interest, funding, mark, force orders) against their exact re-derivation from ${events} raw events`,
    valuesCompared: values,
    mismatches,
    maxAbsDiff: null,
    maxRelDiff: maxRel,
    tolerance: INPUT_TOLERANCE,
    firstMismatch: first,
    fromMs: from,
    toMs: to,
    buckets,
    ms: performance.now() - t0,
  };
}

async function modelStage(loader: CheckLoader, spec: CheckSpec, width: number): Promise<StageVerdict> {
  const t0 = performance.now();
  const start = (await loader.firstBucket(spec.market, spec.paramsHash, width)) ?? spec.window.fromMs;
  const end = spec.untilT + width;
  const inputs: BucketPart[] = [];
  for (let a = start; a < end; a += PAGE_BUCKETS * width) inputs.push(...(await loader.bucketInputs(spec.market, spec.paramsHash, width, a, Math.min(a + PAGE_BUCKETS * width, end))));
  const served = spec.served;
  const wanted = new Set(served.kind === 'grid' ? served.grid.times : [served.t]);
  const layers = served.kind === 'clusters' ? (['levels', 'leverage'] as const) : served.grid.layer === 'liquidations' ? (['levels'] as const) : (['openInterest'] as const);
  const snaps: ReferenceSnapshot[] = referenceModel(inputs, spec.params, { emit: (t) => wanted.has(t), untilT: spec.untilT, layers });
  let a: CellAgreement;
  let compared: string;
  if (served.kind === 'grid') {
    const g = served.grid;
    a = compareServedGrid(g, snaps, CELL_TOLERANCE);
    compared = `${g.times.length} columns × ${g.prices.length} price rows × long and short ${g.layer === 'liquidations' ? 'pending liquidation' : 'open'} notional, the served cells against the reference's snapshot at each column's time binned into the same rows`;
  } else {
    a = compareServedClusters(served.t, served.clusters, snaps[0], CELL_TOLERANCE);
    compared = `${served.clusters.length} served clusters (notional, share of side, leverage composition) against the reference's levels in each cluster's price range`;
  }
  const m = a.firstMismatch;
  return {
    ok: a.ok,
    compared,
    valuesCompared: a.cellsCompared,
    mismatches: a.mismatches,
    maxAbsDiff: a.maxAbsDiff,
    maxRelDiff: a.maxRelDiff,
    tolerance: a.tolerance,
    firstMismatch: m && { t: m.t, what: m.what, priceLow: m.priceLow, priceHigh: m.priceHigh, served: m.served, reference: m.reference === null ? null : String(m.reference) },
    fromMs: start,
    toMs: end,
    buckets: inputs.length,
    ms: performance.now() - t0,
  };
}
