import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { LiqmapError } from '../../base/index.js';
import { calibrate, modelParamsHash, type CalibrationResult, type ModelParams } from '../../engine/index.js';
import { formatInterval, formatWalkForward } from '../backtest/index.js';
import { backtestOptions, prepareBacktest, type BacktestFlags } from './accuracy.js';

/** The fitted parameters as a partial set (what a preset stores): the free parameters and the bucket. */
export function presetOf(p: ModelParams): Record<string, unknown> {
  return {
    timeBucketSeconds: p.timeBucketSeconds,
    leverages: p.leverages.map((l) => ({ leverage: l.leverage, weight: Number(l.weight.toPrecision(6)) })),
    positionNotional: p.positionNotional,
    imbalanceWeight: p.imbalanceWeight,
    participation: Number(p.participation.toPrecision(6)),
    halfLifeHours: p.halfLifeHours,
  };
}

/** Writes `name → preset` into a JSON object file (the shape of LIQMAP_MODEL_PRESETS), keeping the other names. */
export function savePreset(file: string, name: string, preset: Record<string, unknown>): void {
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(name)) throw new LiqmapError('INPUT_INVALID', `--preset "${name}": preset names are 1–40 letters, digits, _ or -`);
  let all: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      all = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new LiqmapError('INPUT_INVALID', `${file}: not a JSON object of presets (${(e as Error).message})`, { cause: e });
    }
  }
  all[name] = preset;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(Object.fromEntries(Object.entries(all).sort(([a], [b]) => a.localeCompare(b))), null, 2)}\n`);
}

function q20(r: CalibrationResult, which: 'fitted' | 'start', w: 'train' | 'test') {
  return r[which][w].capture.figures.find((f) => Math.abs(f.q - 0.2) < 1e-9)!;
}

/**
 * `liqmap calibrate`: fits the model's free parameters (leverage mix, imbalance weight,
 * half-life, position notional; participation in closed form) on the training window of a
 * venue's realized liquidations and scores them on the following window, next to the default
 * parameters on the same windows. Optionally stores the fitted set as a named preset.
 */
export function calibrateCommand(): Command {
  return backtestOptions(new Command('calibrate').description('fit the model parameters walk-forward on realized liquidations (CSV) and report in- and out-of-sample scores'))
    .option('--rounds <n>', 'coordinate-search rounds', '2')
    .option('--preset <name>', 'store the fitted parameters under this name in --presets-file')
    .option('--presets-file <file>', 'JSON object of name → parameters (the shape of LIQMAP_MODEL_PRESETS)', 'presets/model-presets.json')
    .action(async (f: BacktestFlags & { rounds: string; preset?: string; presetsFile: string }) => {
      const p = await prepareBacktest(f);
      const rounds = Number(f.rounds);
      if (!Number.isInteger(rounds) || rounds < 1 || rounds > 10) throw new LiqmapError('INPUT_INVALID', `--rounds must be a whole number 1..10, got "${f.rounds}"`);
      const started = performance.now();
      const r = calibrate(p.buckets, p.data.realized, {
        base: p.params,
        horizonMs: p.horizonMs,
        semantics: p.semantics,
        folds: p.folds,
        trainFraction: p.trainFraction,
        rounds,
        boot: p.boot,
        onEvaluation: (n, best) => {
          if (!f.json && process.stderr.isTTY) process.stderr.write(`\r  ${n} evaluations, best training capture ${(100 * best).toFixed(1)}%   `);
        },
      });
      const seconds = (performance.now() - started) / 1000;
      if (!f.json && process.stderr.isTTY) process.stderr.write('\n');
      const preset = presetOf(r.params);
      if (f.preset) savePreset(f.presetsFile, f.preset, preset);
      const out = {
        venue: f.venue,
        coin: f.coin,
        horizon: f.horizon,
        liquidations: p.data.realized.length,
        split: new Date(r.split).toISOString(),
        folds: r.folds.map((x) => ({ from: new Date(x.from).toISOString(), paramsHash: modelParamsHash(x.params), params: presetOf(x.params), startObjective: x.startObjective, fittedObjective: x.fittedObjective, evaluations: x.evaluations })),
        evaluations: r.evaluations,
        seconds,
        paramsHash: modelParamsHash(r.params),
        params: preset,
        overfit: r.overfit,
        fitted: r.fitted,
        start: r.start,
      };
      if (f.json) {
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        return;
      }
      const row = (label: string, which: 'fitted' | 'start') =>
        `  ${label.padEnd(10)} in sample ${formatInterval(q20(r, which, 'train').model, 'pct')}   out of sample ${formatInterval(q20(r, which, 'test').model, 'pct')} (lift ${formatInterval(q20(r, which, 'test').modelLift, 'ratio')})`;
      process.stdout.write(
        `${f.venue} ${f.coin}: calibrated walk-forward on ${p.data.realized.length} liquidations, ${r.folds.length} fold${r.folds.length === 1 ? '' : 's'} fitted on everything before each (out of sample from ${out.split}; ${r.evaluations} evaluations, ${seconds.toFixed(1)} s)\n` +
          r.folds.map((x) => `  fold from ${new Date(x.from).toISOString()}: fitted hash ${modelParamsHash(x.params)}, training objective ${(100 * x.startObjective).toFixed(1)}% → ${(100 * x.fittedObjective).toFixed(1)}% (${x.evaluations} evaluations)\n`).join('') +
          `  fitted parameters (the last fold's, stored by --preset; hash ${out.paramsHash}): ${JSON.stringify(preset)}\n` +
          `  traversed-range capture at q = 20%:\n${row('fitted', 'fitted')}\n${row('default', 'start')}\n` +
          `  out of sample vs in sample: ${r.overfit === null ? 'n/a' : r.overfit ? 'OVERFIT (out of sample below in sample beyond its interval)' : 'within the interval'}\n` +
          `  distance baseline out of sample: ${formatInterval(q20(r, 'fitted', 'test').distance, 'pct')}\n` +
          `fitted, in detail:\n${formatWalkForward(r.fitted)}\n` +
          (f.preset ? `saved as preset "${f.preset}" in ${f.presetsFile}\n` : ''),
      );
    });
}
