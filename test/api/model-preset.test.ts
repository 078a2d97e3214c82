import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { partialParams } from '../../api/levels/model-args.js';
import { parseConfig } from '../../base/index.js';
import { modelParamsHash, parseModelParams } from '../../engine/index.js';

const file = path.resolve(import.meta.dirname, '../../presets/model-presets.json');

describe('model: { preset } names a parameter set of the server', () => {
  const presets = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>;

  it('the calibrated presets file (written by liqmap calibrate) is a valid LIQMAP_MODEL_PRESETS', () => {
    const config = parseConfig({ LIQMAP_MODEL_PRESETS: JSON.stringify(presets) });
    expect(Object.keys(config.LIQMAP_MODEL_PRESETS).length).toBeGreaterThan(0);
    for (const name of Object.keys(presets)) expect(name).toMatch(/^[a-z]+-[a-z]+-calibrated$/);
  });

  it('fills in the preset, lets other fields override it, and hashes like the preset itself', () => {
    const [name, set] = Object.entries(presets)[0]!;
    const p = partialParams({ preset: name }, null, presets);
    expect(modelParamsHash(parseModelParams(p))).toBe(modelParamsHash(parseModelParams(set)));
    const o = partialParams({ preset: name, halfLifeHours: 7 }, 60, presets);
    expect(o.halfLifeHours).toBe(7);
    expect(o.timeBucketSeconds).toBe(60);
    expect(o.leverages).toEqual(set.leverages);
  });

  it('refuses an unknown preset naming the ones there are', () => {
    expect(() => partialParams({ preset: 'nope' }, null, { a: {}, b: {} })).toThrow(/model.preset "nope" is not a preset of this server \(presets: a, b\)/);
    expect(() => partialParams({ preset: 'nope' }, null, {})).toThrow(/LIQMAP_MODEL_PRESETS is empty/);
    expect(() => partialParams({ preset: 'constructor' }, null, {})).toThrow(/not a preset/);
  });
});
