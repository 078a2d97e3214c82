import { Command } from 'commander';
import { LiqmapError } from '../../base/index.js';
import { aggregateBuckets, backtest, DEFAULT_FOLDS, MAX_FOLDS, modelParamsHash, parseModelParams, traceBacktest, venuePriceSemantics, walkForwardFolds, walkForwardScore, type ModelParams, type WalkForwardScore } from '../../engine/index.js';
import { formatWalkForward, loadBacktestCsv, parseDuration, type BacktestFiles } from '../backtest/index.js';

/** Options shared by `liqmap accuracy` and `liqmap calibrate`. */
export function backtestOptions(c: Command): Command {
  return c
    .requiredOption('--candles <file>', 'candles CSV: timestamp,venue,coin,o,h,l,c,v')
    .requiredOption('--liquidations <file>', 'liquidations CSV: timestamp,venue,coin,side,size_usd,price')
    .option('--funding <file>', 'funding CSV: timestamp,venue,coin,funding_rate')
    .requiredOption('--venue <venue>', 'venue, e.g. okx or hyperliquid (sets the price the records report: bankruptcy for okx/bybit)')
    .requiredOption('--coin <coin>', 'coin, e.g. ETH')
    .option('--candle-venue <venue>', "take candles and funding from another venue (when the liquidations' venue has no candles for their period)")
    .option('--horizon <d>', 'score liquidations this long after each prediction (30m, 1h, 24h): one hourly candle by default, so a day of liquidations still has independent windows', '1h')
    .option('--bucket <seconds>', 'model time bucket, seconds (the candle interval)', '3600')
    .option('--folds <k>', 'expanding walk-forward: the liquidations cut in time into k folds of equal count (none shorter than the horizon); folds 2..k each fitted on everything before it and scored, pooled out of sample. 2 = the single split', String(DEFAULT_FOLDS))
    .option('--train-fraction <f>', 'with --folds 2: share of the liquidations (by count, in time order) before the split', '0.5')
    .option('--seed <n>', 'bootstrap seed (same seed, same intervals)', '1')
    .option('--resamples <n>', 'bootstrap resamples', '1000')
    .option('--json', 'print JSON');
}

/** Parsed options of {@link backtestOptions}. */
export interface BacktestFlags extends BacktestFiles {
  readonly horizon: string;
  readonly bucket: string;
  readonly folds: string;
  readonly trainFraction: string;
  readonly seed: string;
  readonly resamples: string;
  readonly json?: boolean;
}

function positiveInt(text: string, option: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new LiqmapError('INPUT_INVALID', `${option} must be a whole number ≥ 0, got "${text}"`);
  return n;
}

/** Reads the data and the numeric options of a backtest command. */
export async function prepareBacktest(f: BacktestFlags) {
  const horizonMs = parseDuration(f.horizon, '--horizon');
  const trainFraction = Number(f.trainFraction);
  if (!(trainFraction > 0 && trainFraction < 1)) throw new LiqmapError('INPUT_INVALID', `--train-fraction must be between 0 and 1 (exclusive), got "${f.trainFraction}"`);
  const folds = positiveInt(f.folds, '--folds');
  if (folds < 2 || folds > MAX_FOLDS) throw new LiqmapError('INPUT_INVALID', `--folds must be a whole number 2..${MAX_FOLDS}, got "${f.folds}"`);
  if (folds !== 2 && trainFraction !== 0.5) throw new LiqmapError('INPUT_INVALID', `--train-fraction applies to --folds 2 only (the single split); with ${folds} folds each holds 1/${folds} of the liquidations`);
  const bucket = positiveInt(f.bucket, '--bucket');
  const data = await loadBacktestCsv(f, horizonMs);
  // Loaded here, not at start-up: the jobs layer brings BullMQ, which no other command needs at
  // once (every `liqmap` run paid ~0.5 s for it).
  const [{ perpMarket }, { withMarketBrackets }] = await Promise.all([import('../../indexer/index.js'), import('../../jobs/index.js')]);
  // The market's own brackets and leverage cap, as the compute uses them (the positions are the
  // liquidations' venue's, whichever venue's candles the model reads).
  const params = parseModelParams(withMarketBrackets(perpMarket(f.venue, f.coin), { timeBucketSeconds: bucket }));
  return {
    horizonMs,
    trainFraction,
    folds,
    /** The folds' starts (first out-of-sample fold first): they depend on the realized period only. */
    starts: walkForwardFolds(data.realized, params.timeBucketSeconds * 1000, { folds, horizonMs, trainFraction }),
    boot: { seed: positiveInt(f.seed, '--seed'), resamples: positiveInt(f.resamples, '--resamples') },
    semantics: venuePriceSemantics(f.venue),
    data,
    params,
    buckets: aggregateBuckets(data.events, params.timeBucketSeconds),
  };
}

/** The walk-forward fair score of one parameter set. */
export function fairScore(p: Awaited<ReturnType<typeof prepareBacktest>>, params: ModelParams): WalkForwardScore {
  const trace = traceBacktest(p.buckets, p.data.realized, { params, horizonMs: p.horizonMs, semantics: p.semantics });
  return walkForwardScore(trace, p.starts.length > 0 ? p.starts : [0], { boot: p.boot });
}

/**
 * `liqmap accuracy`: backtests the model on multi-venue candle, funding and liquidation CSVs
 * (the layouts of ../shared/data) without a database. The model sees each venue's candles and
 * funding up to each prediction time. Reported: the traversed-range capture at q = 10/20/30%
 * (model, distance-only baseline fitted before each fold, and the know-nothing q), the
 * amount calibration (Spearman of predicted crossed vs realized, next to |return| × volume),
 * in sample and out of sample (folds 2..k of an expanding walk-forward, pooled) with bootstrapped intervals; and, for continuity, the old hit share
 * of the predicted clusters next to its naive bands.
 */
export function accuracyCommand(): Command {
  return backtestOptions(new Command('accuracy').description('score the model against realized liquidations from candle/funding/liquidation CSVs (traversed-range capture, amount calibration, hit share)')).action(
    async (f: BacktestFlags) => {
      const p = await prepareBacktest(f);
      const fair = fairScore(p, p.params);
      const legacy = backtest(p.data.events, p.data.realized, { params: p.params, horizonMs: p.horizonMs });
      const out = { venue: f.venue, coin: f.coin, paramsHash: modelParamsHash(p.params), horizon: f.horizon, from: new Date(p.data.firstLiq).toISOString(), to: new Date(p.data.lastLiq).toISOString(), liquidations: p.data.realized.length, ...legacy, fair };
      if (f.json) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      else {
        process.stdout.write(
          `${f.venue} ${f.coin}: ${p.data.realized.length} liquidations (${out.from} → ${out.to})\n` +
            `${formatWalkForward(fair)}\n` +
            `  hit share (continuity; horizon ${f.horizon}, all predictions): model ${(100 * legacy.hitShare).toFixed(1)}% of realized notional inside predicted clusters, ` +
            `naive bands ${(100 * legacy.baselineHitShare).toFixed(1)}%, lift ${legacy.lift === null ? 'n/a' : `${legacy.lift.toFixed(2)}×`}, coverage ${(100 * legacy.coverage).toFixed(1)}% of price\n`,
        );
      }
    },
  );
}
