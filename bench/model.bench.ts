import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { aggregateBuckets, createModelState, parseModelParams, referenceReplay, runModel, stepModel, type ModelEvent } from '../engine/index.js';
import { simulateMarket } from '../indexer/index.js';
import { alternate, spread, spreadText, ROUNDS } from './alternate.js';
import type { BenchFigure } from './types.js';

function modelEvents(hours: number, tradesPerMinute: number): ModelEvent[] {
  const out: ModelEvent[] = [];
  for (const e of simulateMarket({ days: hours / 24, tradesPerMinute })) {
    if (e.kind === 'trade') out.push({ kind: 'trade', ts: e.ts, price: e.price, qty: e.qty, side: e.side });
    else if (e.kind === 'open_interest') out.push({ kind: 'open_interest', ts: e.ts, oiQty: e.oiQty });
    else if (e.kind === 'funding') out.push({ kind: 'funding', ts: e.ts, rate: e.rate });
  }
  return out;
}

/** A day of a busy market through bucket aggregation and the model, `ROUNDS` times (its events local, so freed on return). */
function atScale(params: ReturnType<typeof parseModelParams>): { daySecs: ReturnType<typeof spread>; bucketCount: number; dayEvents: number } {
  const day = modelEvents(24, Number(process.env.BENCH_MODEL_DAY_TPM ?? 1200));
  const dayRuns: number[] = [];
  let bucketCount = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    const buckets = aggregateBuckets(day, params.timeBucketSeconds);
    runModel(params, buckets);
    bucketCount = buckets.length;
    dayRuns.push((performance.now() - t) / 1000);
  }
  return { daySecs: spread(dayRuns), bucketCount, dayEvents: day.length };
}

/** Bybit ETHUSDT's hourly candles and funding over a year (../shared/data), or null when absent. */
function yearOfHourlyEth(): ModelEvent[] | null {
  const dir = path.resolve(process.cwd(), '../shared/data');
  const candles = path.join(dir, 'candles-1h-multivenue-2025-03-to-2026-03.csv');
  const funding = path.join(dir, 'funding-multivenue-2025-03-to-2026-03.csv');
  if (!existsSync(candles) || !existsSync(funding)) return null;
  const rows = (f: string) => readFileSync(f, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')).filter((c) => c[1] === 'bybit' && c[2] === 'ETH');
  const out: ModelEvent[] = [];
  for (const c of rows(candles)) out.push({ kind: 'candle', ts: Date.parse(c[0]!) * 1000, open: c[3]!, high: c[4]!, low: c[5]!, close: c[6]!, volume: c[7]! });
  for (const c of rows(funding)) out.push({ kind: 'funding', ts: Date.parse(c[0]!) * 1000, rate: c[3]! });
  return out.sort((a, b) => a.ts - b.ts);
}

/**
 * The entry-price and leverage priors (issue 11: entrySpreadPoints 5, leverageSpread 0.4) against
 * the defaults on a year of hourly Bybit ETH candles with funding, model steps only, alternated:
 * the priors open 15× the cohorts a bucket and every hourly bucket prunes.
 */
async function priorsCost(): Promise<BenchFigure | null> {
  const events = yearOfHourlyEth();
  if (!events) return null;
  const steps = (extra: object) => {
    const params = parseModelParams({ timeBucketSeconds: 3600, ...extra });
    const buckets = aggregateBuckets(events, params.timeBucketSeconds);
    const state = createModelState(params);
    const t = performance.now();
    for (const b of buckets) stepModel(state, b);
    return Promise.resolve({ secs: (performance.now() - t) / 1000, buckets: buckets.length, cohorts: state.cohorts.size });
  };
  const r = await alternate({ ours: () => steps({ entrySpreadPoints: 5, leverageSpread: 0.4 }), theirs: () => steps({}) }, (x) => x.secs);
  const ours = spread(r.ours.map((x) => x.secs));
  const theirs = spread(r.theirs.map((x) => x.secs));
  return {
    name: `model with the entry-price and leverage priors, a year of hourly Bybit ETH (${r.ours[0]!.buckets.toLocaleString('en')} buckets; lower is better, target ≤ 3)`,
    value: Number(ours.median.toFixed(2)),
    unit: 's',
    baseline: Number(theirs.median.toFixed(2)),
    baselineName: 'default parameters, same buckets',
    ratio: r.ratios.median,
    ratios: r.ratios,
    note: `priors ${spreadText(ours)} s, defaults ${spreadText(theirs)} s (min/median/max of ${ROUNDS}); cohorts standing at the end ${r.ours[0]!.cohorts} vs ${r.theirs[0]!.cohorts}`,
  };
}

/**
 * The fast model's hot loop (bucket aggregation + model steps, one core) next to the reference
 * engine replaying the same events, alternately three times; then the fast path at scale (a
 * busy day), and the model's cost over 1, 7 and 30 days of minute buckets, whose per-day cost
 * should not grow with the cohorts standing (target: 30 days within 35× one day).
 */
export async function run(): Promise<BenchFigure[]> {
  const params = parseModelParams({});
  // Small enough for the exact reference engine to finish in seconds.
  const small = modelEvents(Number(process.env.BENCH_MODEL_HOURS ?? 12), 60);
  const timed = async (f: () => number) => {
    const t = performance.now();
    const n = f();
    return { secs: (performance.now() - t) / 1000, n };
  };
  const r = await alternate(
    { ours: () => timed(() => runModel(params, aggregateBuckets(small, params.timeBucketSeconds)).snapshots.length), theirs: () => timed(() => referenceReplay(small, params).length) },
    (x) => 1 / x.secs,
  );
  if (r.ours.some((o, i) => o.n !== r.theirs[i]!.n)) throw new Error('bench: fast and reference disagree on bucket count');
  const fastRate = spread(r.ours.map((x) => small.length / x.secs));
  const refRate = spread(r.theirs.map((x) => small.length / x.secs));
  // And the fast path alone at scale: a day of a busy market (its 3M events gone before the
  // growth runs: a heap held by the bench, not the model, made their collections 1.8× slower).
  const { daySecs, bucketCount, dayEvents } = atScale(params);
  // Growth with history: model steps only (buckets aggregated beforehand), 1 / 7 / 30 days.
  const tpm = Number(process.env.BENCH_MODEL_SPAN_TPM ?? 20);
  const spanBuckets = new Map<number, ReturnType<typeof aggregateBuckets>>();
  for (const d of [1, 7, 30]) spanBuckets.set(d, aggregateBuckets(modelEvents(24 * d, tpm), params.timeBucketSeconds));
  // Stepped one bucket at a time, snapshots dropped (runModel keeps 43,200 of them for 30 days).
  // Cohorts standing and cells per snapshot at the end: pruning bounds the first; the second
  // (the snapshot each bucket builds) follows the price range the standing positions cover.
  const standing = new Map<number, { cohorts: number; cells: number }>();
  const stepSecs = (d: number) => {
    const state = createModelState(params);
    const t = performance.now();
    let last: ReturnType<typeof stepModel> | null = null;
    for (const b of spanBuckets.get(d)!) last = stepModel(state, b);
    const secs = (performance.now() - t) / 1000;
    standing.set(d, { cohorts: state.cohorts.size, cells: last ? last.long.size + last.short.size : 0 });
    return secs;
  };
  const growth: { d1: number; d7: number; d30: number }[] = [];
  for (let i = 0; i < ROUNDS; i++) growth.push({ d1: stepSecs(1), d7: stepSecs(7), d30: stepSecs(30) });
  const g = (k: 'd1' | 'd7' | 'd30') => spread(growth.map((x) => x[k]));
  const ratio30 = spread(growth.map((x) => x.d30 / x.d1));
  const priors = await priorsCost();
  return [
    {
      name: `model hot loop, ${small.length.toLocaleString('en')} events (${r.ours[0]!.n} one-minute buckets), one core`,
      value: Math.round(fastRate.median),
      unit: 'events/s',
      baseline: Math.round(refRate.median),
      baselineName: 'reference engine (exact decimals, one position per bucket/side/leverage), same events',
      ratio: r.ratios.median,
      ratios: r.ratios,
    },
    {
      name: `model hot loop at scale: one day, ${dayEvents.toLocaleString('en')} events → ${bucketCount} buckets (wall seconds; lower is better)`,
      value: Number(daySecs.median.toFixed(2)),
      unit: 's',
      baseline: 86_400,
      baselineName: 'the day it covers',
      ratio: daySecs.median / 86_400,
      note: `min/median/max ${spreadText(daySecs)} s over ${ROUNDS} runs`,
    },
    {
      name: `model steps over 30 days vs one day (${tpm} trades/min, minute buckets; lower is better, target ≤ 35)`,
      value: Number(g('d30').median.toFixed(2)),
      unit: 's',
      baseline: Number(g('d1').median.toFixed(3)),
      baselineName: 'one day',
      ratio: ratio30.median,
      ratios: ratio30,
      note: `1 / 7 / 30 days: ${g('d1').median.toFixed(2)} / ${g('d7').median.toFixed(2)} / ${g('d30').median.toFixed(2)} s (medians of ${ROUNDS}); 7 days = ${(g('d7').median / g('d1').median).toFixed(1)}× one day; cohorts standing at the end ${[1, 7, 30].map((d) => standing.get(d)!.cohorts).join(' / ')}, level cells per snapshot ${[1, 7, 30].map((d) => standing.get(d)!.cells).join(' / ')}`,
    },
    ...(priors ? [priors] : []),
  ];
}
