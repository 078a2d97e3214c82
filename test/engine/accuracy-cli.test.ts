import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelParamsHash, parseModelParams } from '../../engine/index.js';
import { withMarketBrackets } from '../../jobs/index.js';
import { runCli } from '../_setup/cli.js';
import { SHARED_DATA } from '../_setup/store.js';

const d = (f: string) => path.join(SHARED_DATA!, f);
const files = ['--candles', 'candles-1h-multivenue-2025-03-to-2026-03.csv', '--funding', 'funding-multivenue-2025-03-to-2026-03.csv', '--liquidations', 'liquidations-okx-hyperliquid.csv'].map((x, i) => (i % 2 ? d(x) : x));

describe.skipIf(!SHARED_DATA)('liqmap accuracy and calibrate on the real liquidations in ../shared/data', () => {
  it('scores the model against realized OKX liquidations: hit share, traversed-range capture and amounts, with intervals', () => {
    const r = runCli(['accuracy', ...files, '--venue', 'okx', '--coin', 'ETH', '--horizon', '1h', '--resamples', '200', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.liquidations).toBe(1632);
    expect(out.buckets).toBeGreaterThan(2000); // OKX candles from 2025-12-05, hourly
    expect(out.hitShare).toBeGreaterThanOrEqual(0);
    expect(out).toHaveProperty('baselineHitShare');
    expect(out.fair.semantics).toBe('bankruptcy'); // OKX reports the bankruptcy price
    expect(out.fair.sided).toBe(true);
    for (const w of [out.fair.train, out.fair.test]) {
      expect(w.capture.predictions).toBeGreaterThan(0);
      expect(w.capture.liquidations).toBeGreaterThan(0);
      expect(w.capture.figures.map((f: { q: number }) => f.q)).toEqual([0.1, 0.2, 0.3]);
      for (const f of w.capture.figures) {
        expect(f.model.low).toBeLessThanOrEqual(f.model.value);
        expect(f.model.high).toBeGreaterThanOrEqual(f.model.value);
        expect(f.modelLift.value).toBeCloseTo(f.model.value / f.q, 9);
        expect(f.distance.value).toBeGreaterThanOrEqual(0);
      }
      expect(w.amounts.samples).toBeGreaterThan(0);
    }
    expect(out.fair.train.to).toBe(out.fair.test.from);
  });

  it('calibrates walk-forward on Hyperliquid (no sides; Bybit candles) and stores the preset', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'liqmap-cal-'));
    try {
      const file = path.join(dir, 'presets.json');
      const r = runCli(['calibrate', ...files, '--venue', 'hyperliquid', '--coin', 'BTC', '--candle-venue', 'bybit', '--rounds', '1', '--resamples', '100', '--preset', 'hl-test', '--presets-file', file, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.fitted.sided).toBe(false);
      expect(out.fitted.semantics).toBe('liquidation');
      expect(out.evaluations).toBeGreaterThan(10);
      expect(typeof out.overfit === 'boolean' || out.overfit === null).toBe(true);
      expect(out.fitted.train.capture.figures[1].model.value).toBeGreaterThanOrEqual(out.start.train.capture.figures[1].model.value - 1e-12);
      // Hyperliquid allows BTC at most 40×: the fitted mix has no 50× or 100× traders.
      for (const l of out.params.leverages) expect(l.leverage).toBeLessThanOrEqual(40);
      const saved = JSON.parse(readFileSync(file, 'utf8'));
      expect(parseModelParams(saved['hl-test'])).toMatchObject({ halfLifeHours: out.params.halfLifeHours, timeBucketSeconds: 3600 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("scores a market under its own parameter set, the one its stored results are computed with (brackets, leverage cap)", () => {
    const r = runCli(['accuracy', ...files, '--venue', 'hyperliquid', '--coin', 'ETH', '--candle-venue', 'binance', '--resamples', '0', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const own = modelParamsHash(parseModelParams(withMarketBrackets('hyperliquid:ETH', { timeBucketSeconds: 3600 })));
    expect(JSON.parse(r.stdout).paramsHash).toBe(own);
    expect(own).not.toBe(modelParamsHash(parseModelParams({ timeBucketSeconds: 3600 })));
  });

  it('reads the side column as liqmap ingest does (long/short, B/A), and names the line of a side it cannot read', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'liqmap-sides-'));
    try {
      const [header, ...rows] = readFileSync(d('liquidations-okx-hyperliquid.csv'), 'utf8').trim().split('\n');
      const okx = rows.filter((l) => l.includes(',okx,ETH,'));
      // The liquidated position instead of the forced order: a forced sell liquidates a long.
      const renamed = okx.map((l) => l.replace(',sell,', ',long,').replace(',buy,', ',short,'));
      expect(renamed).not.toEqual(okx);
      const write = (name: string, lines: string[]) => {
        const f = path.join(dir, name);
        writeFileSync(f, [header, ...lines].join('\n') + '\n');
        return f;
      };
      const score = (f: string) => runCli(['accuracy', '--candles', d('candles-1h-multivenue-2025-03-to-2026-03.csv'), '--liquidations', f, '--venue', 'okx', '--coin', 'ETH', '--folds', '2', '--resamples', '0', '--json']);
      const a = score(write('a.csv', okx));
      const b = score(write('b.csv', renamed));
      expect(a.code, a.stderr).toBe(0);
      expect(b.stdout).toBe(a.stdout);
      const bad = write('bad.csv', [okx[0]!, okx[1]!.replace(/,(buy|sell),/, ',sideways,')]);
      const r = score(bad);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe(`liqmap: INPUT_INVALID: ${bad}:3: side must be buy, sell, long, short, B, A or S, got "sideways"`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a venue whose candles end before its liquidations, saying what to pass', () => {
    const r = runCli(['accuracy', '--candles', d('candles-1h-multivenue-2025-03-to-2026-03.csv'), '--liquidations', d('liquidations-okx-hyperliquid.csv'), '--venue', 'hyperliquid', '--coin', 'BTC']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--candle-venue/);
  });
});
