import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../_setup/cli.js';
import { SHARED_DATA } from '../_setup/store.js';

describe.skipIf(!SHARED_DATA)('liqmap accuracy on the real liquidations in ../shared/data', () => {
  it('scores the model against realized OKX liquidations next to the baseline', () => {
    const d = (f: string) => path.join(SHARED_DATA!, f);
    const r = runCli(['accuracy', '--candles', d('candles-1h-multivenue-2025-03-to-2026-03.csv'), '--funding', d('funding-multivenue-2025-03-to-2026-03.csv'), '--liquidations', d('liquidations-okx-hyperliquid.csv'), '--venue', 'okx', '--coin', 'ETH', '--horizon', '24h', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.liquidations).toBe(1632);
    expect(out.predictions).toBeGreaterThan(0);
    expect(out.hitShare).toBeGreaterThanOrEqual(0);
    expect(out.hitShare).toBeLessThanOrEqual(1);
    expect(out).toHaveProperty('baselineHitShare');
    expect(out.buckets).toBeGreaterThan(2000); // OKX candles from 2025-12-05, hourly
  });

  it('refuses a venue whose candles end before its liquidations, saying what to pass', () => {
    const d = (f: string) => path.join(SHARED_DATA!, f);
    const r = runCli(['accuracy', '--candles', d('candles-1h-multivenue-2025-03-to-2026-03.csv'), '--liquidations', d('liquidations-okx-hyperliquid.csv'), '--venue', 'hyperliquid', '--coin', 'BTC']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--candle-venue/);
  });
});
