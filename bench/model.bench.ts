import { aggregateBuckets, parseModelParams, referenceReplay, runModel, type ModelEvent } from '../engine/index.js';
import { simulateMarket } from '../indexer/index.js';
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

/**
 * The fast model's hot loop (bucket aggregation + model steps, one core) next to the reference
 * engine replaying the same events, same run: events per second each.
 */
export async function run(): Promise<BenchFigure[]> {
  const params = parseModelParams({});
  // Small enough for the exact reference engine to finish in seconds.
  const small = modelEvents(Number(process.env.BENCH_MODEL_HOURS ?? 12), 60);
  let t = performance.now();
  const ref = referenceReplay(small, params);
  const refSecs = (performance.now() - t) / 1000;
  t = performance.now();
  const fast = runModel(params, aggregateBuckets(small, params.timeBucketSeconds)).snapshots;
  const fastSecs = (performance.now() - t) / 1000;
  if (fast.length !== ref.length) throw new Error('bench: fast and reference disagree on bucket count');
  // And the fast path alone at scale: a day of a busy market.
  const day = modelEvents(24, 1200);
  t = performance.now();
  const buckets = aggregateBuckets(day, params.timeBucketSeconds);
  runModel(params, buckets);
  const daySecs = (performance.now() - t) / 1000;
  return [
    {
      name: `model hot loop, ${small.length.toLocaleString('en')} events (${fast.length} one-minute buckets), one core`,
      value: Math.round(small.length / fastSecs),
      unit: 'events/s',
      baseline: Math.round(small.length / refSecs),
      baselineName: 'reference engine (exact decimals, one position per bucket/side/leverage), same events',
      ratio: refSecs / fastSecs,
    },
    {
      name: `model hot loop at scale: one day, ${day.length.toLocaleString('en')} events → ${buckets.length} buckets`,
      value: Math.round(day.length / daySecs),
      unit: 'events/s',
      baseline: Math.round(small.length / refSecs),
      baselineName: 'reference engine rate above',
      ratio: (day.length / daySecs) / (small.length / refSecs),
      note: `${daySecs.toFixed(2)} s wall`,
    },
  ];
}
