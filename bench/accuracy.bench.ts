import { existsSync } from 'node:fs';
import path from 'node:path';
import { aggregateBuckets, backtest, calibrate, parseModelParams, splitTime, traceBacktest, venuePriceSemantics, walkForwardScore, type MarketBucket, type RealizedLiquidation, type ModelEvent } from '../engine/index.js';
import { loadBacktestCsv } from '../cli/backtest/index.js';
import { ROUNDS, spread } from './alternate.js';
import type { BenchFigure } from './types.js';

const DATA = process.env.LIQMAP_DATA ?? path.resolve(import.meta.dirname, '../../shared/data');
const H = 3_600_000;


/**
 * The fair backtest and the calibration on the largest venue-coin of ../shared/data
 * (Hyperliquid DOGE liquidations, 12 days, on Binance hourly candles): the walk-forward score's
 * scored predictions per second next to the earlier hit-share backtest's over the same events
 * (both run the model over every bucket), and one calibration's wall time next to one model
 * evaluation; each side run alternately ROUNDS times (3 unless BENCH_ROUNDS).
 */
export async function run(): Promise<BenchFigure[]> {
  const liq = path.join(DATA, 'liquidations-okx-hyperliquid.csv');
  if (!existsSync(liq)) {
    process.stderr.write(`accuracy bench skipped: ${liq} not found (set LIQMAP_DATA)\n`);
    return [];
  }
  const data = await loadBacktestCsv(
    { candles: path.join(DATA, 'candles-1h-multivenue-2025-03-to-2026-03.csv'), funding: path.join(DATA, 'funding-multivenue-2025-03-to-2026-03.csv'), liquidations: liq, venue: 'hyperliquid', coin: 'DOGE', candleVenue: 'binance' },
    H,
  );
  const params = parseModelParams({ timeBucketSeconds: 3600 });
  const buckets: MarketBucket[] = aggregateBuckets(data.events, 3600);
  const realized: RealizedLiquidation[] = data.realized;
  const events: ModelEvent[] = data.events;
  const semantics = venuePriceSemantics('hyperliquid');
  const split = splitTime(realized, H, 0.5);
  const fairRates: number[] = [];
  const legacyRates: number[] = [];
  const calSecs: number[] = [];
  const evalSecs: number[] = [];
  let predictions = 0;
  let legacyPredictions = 0;
  let evaluations = 0;
  for (let i = 0; i < ROUNDS; i++) {
    let t = performance.now();
    const trace = traceBacktest(buckets, realized, { params, horizonMs: H, semantics, warmupMs: Infinity });
    const wf = walkForwardScore(trace, split);
    predictions = wf.train.capture.predictions + wf.test.capture.predictions;
    fairRates.push(predictions / ((performance.now() - t) / 1000));
    t = performance.now();
    const legacy = backtest(events, realized, { params, horizonMs: H });
    legacyRates.push(legacy.predictions / ((performance.now() - t) / 1000));
    legacyPredictions = legacy.predictions;
    t = performance.now();
    // The single split (2 folds), against one evaluation on its training window: the ratio keeps its meaning across the walk-forward's fold count.
    const cal = calibrate(buckets, realized, { base: params, horizonMs: H, semantics, rounds: 1, boot: { resamples: 200 }, folds: 2 });
    calSecs.push((performance.now() - t) / 1000);
    evaluations = cal.evaluations;
    t = performance.now();
    traceBacktest(buckets.filter((b) => b.t + H <= split), realized.filter((l) => l.t <= split), { params, horizonMs: H, semantics });
    evalSecs.push((performance.now() - t) / 1000);
  }
  const fr = spread(fairRates.map((f, i) => f / legacyRates[i]!));
  const cr = spread(calSecs.map((c, i) => c / evalSecs[i]!));
  return [
    {
      name: `fair backtest (model run over all ${buckets.length} hourly buckets, traversed-range capture, amounts, walk-forward intervals): ${predictions} scored predictions, Hyperliquid DOGE`,
      value: Number(spread(fairRates).median.toPrecision(3)),
      unit: 'predictions/s',
      baseline: Number(spread(legacyRates).median.toPrecision(3)),
      baselineName: `hit-share backtest over the same events (same model run, clusters per bucket), ${legacyPredictions} scored predictions`,
      ratio: fr.median,
      ratios: fr,
      note: `${ROUNDS} alternated rounds`,
    },
    {
      name: `calibration, one coordinate-search round (${evaluations} evaluations), Hyperliquid DOGE (wall seconds; lower is better)`,
      value: Number(spread(calSecs).median.toFixed(2)),
      unit: 's',
      baseline: Number(spread(evalSecs).median.toFixed(3)),
      baselineName: 'one model evaluation on the training window',
      ratio: cr.median,
      ratios: cr,
      note: `${ROUNDS} alternated rounds; target: a few minutes`,
    },
  ];
}
