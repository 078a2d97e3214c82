/**
 * `npm run accuracy:report`: regenerates docs/accuracy.md, its plots (docs/accuracy/*.png), the
 * calibrated presets (presets/model-presets.json) and the README's measured-accuracy table from
 * `liqmap accuracy` and `liqmap calibrate` run over every venue-coin with realized liquidations
 * in ../shared/data (or LIQMAP_DATA). Nothing in those files is typed by hand.
 */
import { createReadStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse';
import { aggregatePooledCapture, backtest, calibrate, DEFAULT_FOLDS, modelParamsHash, rollingWalkForwardScore, splitTime, traceBacktest, walkForwardScore, type BacktestTrace, type CaptureFigure, type FoldFit, type Interval, type ModelParams, type WalkForwardScore } from '../engine/index.js';
import { formatInterval } from '../cli/backtest/index.js';
import { prepareBacktest, type BacktestFlags } from '../cli/commands/accuracy.js';
import { presetOf, savePreset } from '../cli/commands/calibrate.js';
import { linePlot, type Series } from './line-plot.js';
import { keptSettings, runTrials, trialsSection, type TrialInput } from './signal-trials.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const DATA = process.env.LIQMAP_DATA ?? path.resolve(ROOT, '../shared/data');
const CANDLES = path.join(DATA, 'candles-1h-multivenue-2025-03-to-2026-03.csv');
const FUNDING = path.join(DATA, 'funding-multivenue-2025-03-to-2026-03.csv');
const LIQUIDATIONS = path.join(DATA, 'liquidations-okx-hyperliquid.csv');
const HORIZON = '1h';
const PREFERRED_CANDLE_VENUES = ['binance', 'bybit', 'okx'];
/** Coordinate-search rounds of each calibration (LIQMAP_CALIBRATION_ROUNDS; default 2, as `liqmap calibrate`). */
const ROUNDS = Number(process.env.LIQMAP_CALIBRATION_ROUNDS ?? 2);
/** Walk-forward folds (LIQMAP_FOLDS; default DEFAULT_FOLDS, as `liqmap accuracy`/`calibrate`; 2 = the single split at half). */
const FOLDS = Number(process.env.LIQMAP_FOLDS ?? DEFAULT_FOLDS);
const CURVE_QS = Array.from({ length: 20 }, (_, i) => (i + 1) / 20);

async function spans(file: string): Promise<Map<string, { first: number; last: number; n: number }>> {
  const out = new Map<string, { first: number; last: number; n: number }>();
  const parser = createReadStream(file).pipe(parse({ columns: true, skip_empty_lines: true }));
  for await (const r of parser as AsyncIterable<Record<string, string>>) {
    const k = `${r.venue!.toLowerCase()} ${r.coin!.toUpperCase()}`;
    const t = Date.parse(r.timestamp!);
    const s = out.get(k);
    if (!s) out.set(k, { first: t, last: t, n: 1 });
    else {
      s.first = Math.min(s.first, t);
      s.last = Math.max(s.last, t);
      s.n++;
    }
  }
  return out;
}

const pct = (i: Interval | null | undefined) => formatInterval(i, 'pct');
const ratio = (i: Interval | null | undefined) => formatInterval(i, 'ratio');
const rho = (i: Interval | null | undefined) => formatInterval(i, 'rho');
const at = (w: WalkForwardScore, win: 'train' | 'test', q: number): CaptureFigure | undefined => w[win].capture.figures.find((f) => Math.abs(f.q - q) < 1e-9);
const day = (t: number) => new Date(t).toISOString().slice(0, 16).replace('T', ' ');

interface PairResult {
  venue: string;
  coin: string;
  candleVenue: string;
  liquidations: number;
  from: number;
  to: number;
  def: WalkForwardScore;
  fit: WalkForwardScore;
  params: ModelParams;
  /** Every fold's calibrated parameters. */
  fits: readonly FoldFit[];
  overfit: boolean | null;
  seconds: number;
  evaluations: number;
  legacy: ReturnType<typeof backtest>;
  plots: { capture: string; amounts: string };
  trial: TrialInput;
  /** Buckets of the covered period with an open-interest snapshot, and with a taker buy/sell split (trades). */
  withOi: number;
  withTakerSplit: number;
}

/** The pooled out-of-sample capture curve: each fold's predictions from its own trace, ranked by its own baseline. */
function captureCurve(traces: readonly BacktestTrace[], s: WalkForwardScore): { model: [number, number][]; distance: [number, number][] } {
  const c = aggregatePooledCapture(s.folds.map((f, i) => ({ records: traces[i]!.records.filter((r) => r.t >= f.from && r.t < f.to), baseline: f.baseline })), CURVE_QS, { resamples: 0 });
  return { model: [[0, 0], ...c.figures.map((f): [number, number] => [f.q, f.model.value ?? 0])], distance: [[0, 0], ...c.figures.map((f): [number, number] => [f.q, f.distance?.value ?? 0])] };
}

async function scorePair(venue: string, coin: string, candleVenue: string): Promise<PairResult> {
  const flags: BacktestFlags = { candles: CANDLES, funding: FUNDING, liquidations: LIQUIDATIONS, venue, coin, candleVenue: candleVenue === venue ? undefined : candleVenue, horizon: HORIZON, bucket: '3600', folds: String(FOLDS), trainFraction: '0.5', seed: '1', resamples: '1000' };
  const p = await prepareBacktest(flags);
  const traceOf = (params: ModelParams) => traceBacktest(p.buckets, p.data.realized, { params, horizonMs: p.horizonMs, semantics: p.semantics });
  const defTrace = traceOf(p.params);
  const def = walkForwardScore(defTrace, p.starts, { boot: p.boot, hazard: true });
  const started = performance.now();
  const cal = calibrate(p.buckets, p.data.realized, { base: p.params, horizonMs: p.horizonMs, semantics: p.semantics, folds: p.folds, trainFraction: p.trainFraction, boot: p.boot, rounds: ROUNDS });
  const seconds = (performance.now() - started) / 1000;
  // Each fold by its own calibrated parameters, ranked against the default model's baseline of that fold.
  const fitTraces = cal.folds.map((f) => f.trace);
  const fit = rollingWalkForwardScore(cal.folds.map((f, i) => ({ trace: f.trace, from: f.from, baseline: def.folds[i]!.baseline })), { boot: p.boot, hazard: true });
  // The signal trials keep the single split at half (their rule was fixed on it; see signal-trials.ts).
  const split = splitTime(p.data.realized, p.params.timeBucketSeconds * 1000, 0.5);
  const legacy = backtest(p.data.events, p.data.realized, { params: p.params, horizonMs: 24 * 3_600_000 });

  const covered = p.buckets.filter((b) => b.t >= defTrace.from - 7 * 86_400_000 && b.t < defTrace.to);
  const name = `${venue}-${coin}`.toLowerCase();
  mkdirSync(path.join(ROOT, 'docs/accuracy'), { recursive: true });
  const dc = captureCurve(def.folds.map(() => defTrace), def);
  const fc = captureCurve(fitTraces, fit);
  const capture: Series[] = [
    { points: [[0, 0], [1, 1]], rgb: [150, 150, 150], dashed: true },
    { points: dc.distance, rgb: [230, 120, 20] },
    { points: dc.model, rgb: [40, 90, 200] },
    { points: fc.model, rgb: [20, 160, 60] },
  ];
  writeFileSync(path.join(ROOT, `docs/accuracy/${name}-capture.png`), linePlot(capture, { x: [0, 1], y: [0, 1] }));
  // Predicted crossed (calibrated) vs realized per bucket, both sides summed, each scaled to its
  // maximum: each bucket by the parameters fitted for its fold (before the first, the first fold's).
  const byT = new Map<number, { predicted: number; realized: number }>();
  const foldAt = (t: number) => Math.max(0, fit.folds.findLastIndex((f) => t >= f.from));
  for (const a of fitTraces.flatMap((tr, i) => tr.amounts.filter((x) => foldAt(x.t) === i))) {
    const e = byT.get(a.t) ?? { predicted: 0, realized: 0 };
    e.predicted += a.predicted;
    e.realized += a.realized;
    byT.set(a.t, e);
  }
  const rows = [...byT].sort((a, b) => a[0] - b[0]);
  const maxP = Math.max(1e-12, ...rows.map(([, v]) => v.predicted));
  const maxR = Math.max(1e-12, ...rows.map(([, v]) => v.realized));
  const x0 = rows[0]?.[0] ?? 0;
  const x1 = rows.at(-1)?.[0] ?? 1;
  const amounts: Series[] = [
    ...fit.folds.map((f): Series => ({ points: [[f.from, 0], [f.from, 1]], rgb: [150, 150, 150], dashed: true })),
    { points: rows.map(([t, v]) => [t, v.predicted / maxP]), rgb: [20, 160, 60] },
    { points: rows.map(([t, v]) => [t, v.realized / maxR]), rgb: [200, 40, 40] },
  ];
  writeFileSync(path.join(ROOT, `docs/accuracy/${name}-amounts.png`), linePlot(amounts, { x: [x0, x1 > x0 ? x1 : x0 + 1], y: [0, 1] }));
  return { venue, coin, candleVenue, liquidations: p.data.realized.length, from: p.data.firstLiq, to: p.data.lastLiq, def, fit, params: cal.params, fits: cal.folds, overfit: walkForwardOverfit(fit), seconds, evaluations: cal.evaluations, legacy, plots: { capture: `accuracy/${name}-capture.png`, amounts: `accuracy/${name}-amounts.png` },
    trial: { label: `${venue} ${coin}`, events: p.data.events, buckets: p.buckets, realized: p.data.realized, params: p.params, horizonMs: p.horizonMs, semantics: p.semantics, split, base: defTrace },
    withOi: covered.filter((b) => b.openInterest !== null).length,
    withTakerSplit: covered.filter((b) => b.buyVolume !== b.sellVolume).length,
  };
}

/** Out of sample below in sample beyond its interval (capture at q = 20%). */
function walkForwardOverfit(s: WalkForwardScore): boolean | null {
  const is = at(s, 'train', 0.2)?.model;
  const oos = at(s, 'test', 0.2)?.model;
  return is?.value == null || oos?.value == null || oos.high == null ? null : oos.high < is.value;
}

function beatsDistance(f: CaptureFigure | undefined): boolean | null {
  return f?.modelMinusDistance?.low == null ? null : f.modelMinusDistance.low > 0;
}

/** The model × distance hazard (default parameters) at lift ≥ 2 and above the distance baseline beyond its interval. */
function hazardOk(f: CaptureFigure | undefined): boolean {
  return f?.hazardLift?.value != null && f.hazardLift.value >= 2 && f.hazardMinusDistance?.low != null && f.hazardMinusDistance.low > 0;
}

function pairSection(r: PairResult): string {
  const L: string[] = [];
  const label = r.venue === r.candleVenue ? '' : ` (model on ${r.candleVenue} candles and funding: ${r.venue} has none for the period)`;
  L.push(`### ${r.venue} ${r.coin}`, '');
  L.push(
    `${r.liquidations.toLocaleString('en')} liquidations, ${day(r.from)} → ${day(r.to)} UTC${label}; scored at the **${r.def.semantics} price**${r.def.sided ? '' : ' with both sides pooled (the records carry no side)'}; horizon ${HORIZON}; ${r.def.folds.length + 1} folds (out of sample from ${day(r.def.split)}; fold starts ${r.def.folds.map((f) => day(f.from)).join(', ')}).`,
    '',
  );
  L.push(
    'Folds (q = 20%; each fold scored by the fit made on everything before it, calibrated parameters included):',
    '',
    '| fold | predictions from | fitted on (predictions) | OOS predictions | liquidations | model (default) | model (calibrated) | distance baseline | model − distance | calibrated params hash |',
    '|---|---|---|---|---|---|---|---|---|---|',
  );
  r.def.folds.forEach((f, i) => {
    const d = f.test.figures.find((x) => Math.abs(x.q - 0.2) < 1e-9);
    const c = r.fit.folds[i]?.test.figures.find((x) => Math.abs(x.q - 0.2) < 1e-9);
    L.push(`| ${i + 2} | ${day(f.from)} | ${f.fit.predictions} | ${f.test.predictions} | ${f.test.liquidations} | ${pct(d?.model)} | ${pct(c?.model)} | ${pct(d?.distance)} | ${pct(d?.modelMinusDistance)} | \`${modelParamsHash(r.fits[i]!.params)}\` |`);
  });
  L.push('');
  L.push('| window | predictions | liquidations | in traversed range | q | model (default) | lift | model (calibrated) | lift | distance baseline | lift | know-nothing |', '|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const win of ['train', 'test'] as const) {
    const c = r.def[win].capture;
    for (const q of [0.1, 0.2, 0.3]) {
      const d = at(r.def, win, q);
      const f = at(r.fit, win, q);
      L.push(
        `| ${win === 'train' ? 'in sample (fold 1)' : '**out of sample** (folds pooled)'} | ${c.predictions} | ${c.liquidations} | ${c.insideTraversed === null ? 'n/a' : `${(100 * c.insideTraversed).toFixed(0)}%`} | ${100 * q}% | ${pct(d?.model)} | ${ratio(d?.modelLift)} | ${pct(f?.model)} | ${ratio(f?.modelLift)} | ${pct(d?.distance)} | ${ratio(d?.distanceLift)} | ${100 * q}% |`,
      );
    }
  }
  L.push('');
  L.push('Amount calibration (Spearman rank correlation per hourly bucket and side of the notional the model said the bucket would cross against the realized notional):', '');
  L.push('| window | bucket-sides | liquidations | model (default) | model (calibrated) | \\|return\\| × volume |', '|---|---|---|---|---|---|');
  for (const win of ['train', 'test'] as const) {
    L.push(`| ${win === 'train' ? 'in sample (fold 1)' : 'out of sample (folds pooled)'} | ${r.def[win].amounts.samples} | ${r.def[win].amounts.liquidations} | ${rho(r.def[win].amounts.model)} | ${rho(r.fit[win].amounts.model)} | ${rho(r.def[win].amounts.modelFree)} |`);
  }
  L.push('');
  const b = r.def.baseline;
  L.push(
    `Distance baseline fitted in sample (fold 1; each later fold refits it on everything before it): below the price rate ∝ (d/${b.below.scale.toPrecision(3)})^${b.below.shape}·e^(−d/${b.below.scale.toPrecision(3)}), above ∝ (d/${b.above.scale.toPrecision(3)})^${b.above.shape}·e^(−d/${b.above.scale.toPrecision(3)}) (d = distance as a fraction of the price; ${b.samples} traversed buckets).`,
    '',
  );
  const h = r.def.hazard!;
  const hd = (w: 'train' | 'test') => at(r.def, w, 0.2);
  L.push(
    `Model × distance hazard fitted in sample (fold 1, default parameters; refitted per fold likewise): exposure = (notional^${h.power} / its mean over the range) + ${h.floor}; hazard below ∝ (d/${h.below.scale.toPrecision(3)})^${h.below.shape}·e^(−d/${h.below.scale.toPrecision(3)}), above ∝ (d/${h.above.scale.toPrecision(3)})^${h.above.shape}·e^(−d/${h.above.scale.toPrecision(3)}). Capture at q = 20%: in sample ${pct(hd('train')?.hazard)} (lift ${ratio(hd('train')?.hazardLift)}), out of sample ${pct(hd('test')?.hazard)} (lift ${ratio(hd('test')?.hazardLift)}; hazard − distance ${pct(hd('test')?.hazardMinusDistance)}).`,
    '',
  );
  L.push(
    `Calibrated per fold (${r.evaluations} evaluations over ${r.fits.length} fold${r.fits.length === 1 ? '' : 's'}, warm-started, ${r.seconds.toFixed(1)} s); the last fold's fit, on everything before the last fold, is stored as preset \`${r.venue}-${r.coin.toLowerCase()}-calibrated\` (params hash \`${modelParamsHash(r.params)}\`): leverage mix ${r.params.leverages.map((l) => `${l.leverage}×${(100 * l.weight).toFixed(0)}%`).join(', ')}; imbalance weight ${r.params.imbalanceWeight}; half-life ${r.params.halfLifeHours} h; position notional ${r.params.positionNotional.toLocaleString('en')}; participation ${r.params.participation.toPrecision(3)}. ` +
      `Out of sample vs in sample: ${r.overfit === null ? 'n/a' : r.overfit ? '**overfit** (out-of-sample capture at q = 20% below in sample beyond its interval)' : 'within the interval'}.`,
    '',
  );
  L.push(`Hit share (continuity with the earlier score: predicted clusters, 24 h horizon, all predictions): model ${(100 * r.legacy.hitShare).toFixed(1)}%, naive bands ${(100 * r.legacy.baselineHitShare).toFixed(1)}%, over ${r.legacy.predictions} predictions.`, '');
  L.push(
    `![capture vs q, out of sample](${r.plots.capture}) ![predicted crossed vs realized](${r.plots.amounts})`,
    '',
    `*Left:* out-of-sample capture (y, 0–1) against q (x, 0–1): blue = model with default parameters, green = calibrated, orange = distance baseline, dashed grey = know-nothing (capture = q). *Right:* per hourly bucket over the covered period, realized liquidation notional (red) and the notional the calibrated model said the bucket would cross (green), each scaled to its maximum; each bucket by its fold's calibrated parameters; the dashed lines are the fold starts.`,
    '',
  );
  return L.join('\n');
}

function summaryTable(results: readonly PairResult[]): string {
  const L = [
    '| venue, coin | OOS predictions | OOS liquidations | model capture @20% | lift | calibrated capture @20% | lift | distance baseline @20% | lift | model − distance | model × distance hazard @20% | lift | hazard − distance | lift ≥ 2 and beats distance |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const d = at(r.def, 'test', 0.2);
    const f = at(r.fit, 'test', 0.2);
    const ok = (x: CaptureFigure | undefined) => (x?.modelLift.value != null && x.modelLift.value >= 2 && beatsDistance(x) === true ? 'yes' : 'no');
    L.push(
      `| ${r.venue} ${r.coin} | ${r.def.test.capture.predictions} | ${r.def.test.capture.liquidations} | ${pct(d?.model)} | ${ratio(d?.modelLift)} | ${pct(f?.model)} | ${ratio(f?.modelLift)} | ${pct(d?.distance)} | ${ratio(d?.distanceLift)} | ${pct(d?.modelMinusDistance)} | ${pct(d?.hazard)} | ${ratio(d?.hazardLift)} | ${pct(d?.hazardMinusDistance)} | default ${ok(d)}, calibrated ${ok(f)}, hazard ${hazardOk(d) ? 'yes' : 'no'} |`,
    );
  }
  return L.join('\n');
}

function verdict(results: readonly PairResult[]): string {
  const count = (which: 'def' | 'fit') => results.filter((r) => {
    const x = at(r[which], 'test', 0.2);
    return x?.modelLift.value != null && x.modelLift.value >= 2 && beatsDistance(x) === true;
  }).length;
  const beat = (which: 'def' | 'fit') => results.filter((r) => beatsDistance(at(r[which], 'test', 0.2)) === true).length;
  const below = (which: 'def' | 'fit') => results.filter((r) => {
    const x = at(r[which], 'test', 0.2)?.modelMinusDistance;
    return x?.high != null && x.high < 0;
  }).length;
  const hz = (pick: (x: CaptureFigure) => boolean) => results.filter((r) => { const x = at(r.def, 'test', 0.2); return x !== undefined && pick(x); }).length;
  return (
    `Acceptance target (out of sample, q = 20%: lift ≥ 2 and above the distance baseline beyond its interval) met on ${count('def')} of ${results.length} venue-coin pairs with the default parameters and ${count('fit')} of ${results.length} calibrated. ` +
    `The model is above the distance baseline beyond the interval on ${beat('def')} (default) / ${beat('fit')} (calibrated) pairs and below it beyond the interval on ${below('def')} / ${below('fit')}. ` +
    `The model × distance hazard (default parameters; the model's own figures are those above) meets it on ${hz(hazardOk)} of ${results.length}, is above the distance baseline beyond the interval on ${hz((x) => x.hazardMinusDistance?.low != null && x.hazardMinusDistance.low > 0)} and below it on ${hz((x) => x.hazardMinusDistance?.high != null && x.hazardMinusDistance.high < 0)}. ` +
    (count('def') * 2 > results.length || count('fit') * 2 > results.length || hz(hazardOk) * 2 > results.length ? 'The target is met on most pairs.' : '**The target is not met**: the figures above are what the model reaches on this data.')
  );
}

async function main(): Promise<void> {
  if (!existsSync(LIQUIDATIONS)) {
    process.stderr.write(`accuracy:report: ${LIQUIDATIONS} not found (set LIQMAP_DATA to the shared data folder)\n`);
    process.exitCode = 2;
    return;
  }
  const started = new Date();
  const [liq, candles] = await Promise.all([spans(LIQUIDATIONS), spans(CANDLES)]);
  const results: PairResult[] = [];
  for (const [k, s] of [...liq].sort(([a], [b]) => a.localeCompare(b))) {
    const [venue, coin] = k.split(' ') as [string, string];
    const own = candles.get(k);
    const covers = (c: { first: number; last: number } | undefined) => c !== undefined && c.first <= s.first - 7 * 86_400_000 && c.last >= s.last - 2 * 3_600_000;
    const candleVenue = covers(own) ? venue : PREFERRED_CANDLE_VENUES.find((v) => covers(candles.get(`${v} ${coin}`)));
    if (!candleVenue) {
      process.stderr.write(`skipping ${k}: no venue's candles cover its liquidations\n`);
      continue;
    }
    process.stderr.write(`scoring ${k} (candles: ${candleVenue})…\n`);
    results.push(await scorePair(venue, coin, candleVenue));
  }
  process.stderr.write(`signal trials (${results.length} pairs)…\n`);
  const trials = runTrials(results.map((r) => r.trial), { resamples: 1000, seed: 1 });
  const absent: string[] = [];
  if (results.every((r) => r.withOi === 0)) absent.push('Δ open interest by side from taker flow (an increase with buyer-initiated flow opens more longs; the model does this whenever snapshots exist): none of the scored periods (nor the week before them) has an open-interest snapshot.');
  if (results.every((r) => r.withTakerSplit === 0)) absent.push('minute trades instead of hourly candles (taker side, VWAP, the intra-hour path): the scored periods have hourly candles only; the model reads trades whenever they are stored.');
  const presetsFile = path.join(ROOT, 'presets/model-presets.json');
  for (const r of results) savePreset(presetsFile, `${r.venue}-${r.coin.toLowerCase()}-calibrated`, presetOf(r.params));
  const load = os.loadavg()[0]!.toFixed(1);
  const totalSeconds = results.reduce((s, r) => s + r.seconds, 0);
  const header = [
    '# Measured accuracy',
    '',
    `Generated by \`npm run accuracy:report\` (scripts/accuracy-report.ts) on ${started.toISOString().slice(0, 10)} from \`liqmap accuracy\` and \`liqmap calibrate\` over the realized liquidations in \`../shared/data\` (provenance: its README). Do not edit by hand.`,
    '',
    '**How it is scored.** At every hourly bucket end *t* the model (fed the venue\'s candles and funding up to *t* only) has pending notional per price bucket. Only the price range trading actually traversed in (*t*, *t* + 1 h] can reveal liquidations, so within it the buckets of the matching side (long levels between the low and the price for forced sells, short levels between the price and the high for forced buys; both pooled where records carry no side) are ranked by the model\'s notional, and the **capture at q** is the share of the realized notional in the top q of them (notional-weighted over predictions). A model that knows nothing captures q; lift = capture / q. The **distance baseline** ranks the same buckets by a rate that depends only on the distance from the price (rise-then-fall, fitted by maximum likelihood on the training window); it knows how liquidations fall off with distance, not where positions were opened. The **model × distance hazard** ranks them by the model\'s notional times a fall-off of the same form fitted on the training window with the model\'s notional as the exposure (Poisson likelihood; the exponent on the notional, 0.5 or 1, and a floor of 0.01-10 times the range\'s mean notional, for levels the model never saw, chosen by the training capture at q = 20%): the model says where positions are, the hazard how likely a level at that distance is to liquidate within the horizon. It is a model component fitted on realized liquidations, so it is reported next to the pure model, never instead of it. OKX and Bybit report the bankruptcy price, so they are scored against the model\'s bankruptcy levels; other venues against its liquidation levels. Liquidations reported outside the traversed range (a bankruptcy price can sit beyond the traded low/high) are not scoreable and are counted separately ("in traversed range").',
    '',
    `**Walk-forward (expanding window).** Each venue-coin's liquidations are cut in time into ${FOLDS} folds of equal liquidation count (at hourly bucket boundaries; a fold shorter than the horizon merges into the next). For every fold after the first, the distance baseline, the model × distance hazard and the calibrated parameters are fitted only on what came before the fold (predictions whose horizon ends by its start; for the calibration also the candles and liquidations before it), and the fold is scored with that fit; the model never sees realized liquidations. **Out of sample** pools the predictions of folds 2..${FOLDS}, each scored by its own fold's fit; **in sample** is fold 1 scored by the fit made on it (the fit-window figures of every fold are in the per-pair fold tables). \`--folds 2\` (LIQMAP_FOLDS=2 here) is the earlier single split at half, figure for figure. Intervals are 95% moving-block bootstrap intervals over prediction times (blocks as long as the horizon, 1,000 resamples, seed 1), resampling the pooled predictions in time order, each carrying the figures its own fold's fit gave it. The signal trials below keep the single split at half: their selection rule was fixed on it.`,
    '',
    `Calibration: ${results.length} venue-coin pairs, ${results.reduce((n, r) => n + r.fits.length, 0)} fold fits in ${totalSeconds.toFixed(0)} s of search (up to ${ROUNDS} coordinate-search round${ROUNDS === 1 ? '' : 's'} each; each fold's search warm-started from the previous fold's fit, or the default parameters when those score higher on the new window) (load average ${load} on ${os.cpus().length} cores while generating).`,
    '',
    '## Summary (out of sample, q = 20%)',
    '',
    summaryTable(results),
    '',
    verdict(results),
    '',
    '## Per venue and coin',
    '',
  ].join('\n');
  const tried = trialsSection(trials, results.map((r) => r.trial.label), absent);
  writeFileSync(path.join(ROOT, 'docs/accuracy.md'), `${header}${results.map(pairSection).join('\n')}\n${tried}`);
  // The README's measured-accuracy table, between its markers.
  const readme = path.join(ROOT, 'README.md');
  const text = readFileSync(readme, 'utf8');
  const begin = '<!-- accuracy:begin (generated by npm run accuracy:report) -->';
  const end = '<!-- accuracy:end -->';
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`README.md lacks the ${begin} … ${end} markers`);
  const block = `${begin}\nOut of sample (folds 2..${FOLDS} of a ${FOLDS}-fold expanding walk-forward, pooled), traversed-range capture at q = 20% (know-nothing = 20%), 95% bootstrap intervals, generated ${started.toISOString().slice(0, 10)}; details, in-sample figures, amounts and plots in [docs/accuracy.md](docs/accuracy.md):\n\n${summaryTable(results)}\n\n${verdict(results)}\n\nSignals tried for the model (entry-price, leverage and level-spread priors, funding skew, realized force orders; each scored as a paired out-of-sample gain, kept only beyond its interval): ${keptSettings(trials).length > 0 ? `kept ${keptSettings(trials).join('; ')}` : 'none kept'}; the table is in [docs/accuracy.md](docs/accuracy.md#signals-tried).\n${end}`;
  writeFileSync(readme, text.slice(0, i) + block + text.slice(j + end.length));
  process.stderr.write(`wrote docs/accuracy.md, docs/accuracy/*.png, presets/model-presets.json, README.md (${results.length} pairs)\n`);
}

await main();
