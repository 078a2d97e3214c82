import { describe, expect, it } from 'vitest';
import { parseConfig, isLiqmapError } from '../../base/index.js';
import { runCli } from '../_setup/cli.js';

describe('configuration', () => {
  it('defaults to the embedded database, in-process jobs and port 4000', () => {
    const c = parseConfig({});
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.REDIS_URL).toBeUndefined();
    expect(c.PORT).toBe(4000);
    expect(c.LIQMAP_DATA_DIR).toBe('./.liqmap');
  });

  it('names every bad variable and why', () => {
    let err: unknown;
    try {
      parseConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', API_KEY: 'short' });
    } catch (e) {
      err = e;
    }
    expect(isLiqmapError(err, 'CONFIG_INVALID')).toBe(true);
    const msg = (err as Error).message;
    expect(msg).toMatch(/PORT: /);
    expect(msg).toMatch(/DATABASE_URL: must be a postgres/);
    expect(msg).toMatch(/API_KEY: must be at least 16/);
  });

  it('stops the CLI at start-up with one line naming the variable', () => {
    const r = runCli(['migrate'], { LOG_LEVEL: 'loud' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('liqmap:'))).toEqual([expect.stringMatching(/^liqmap: CONFIG_INVALID: .*LOG_LEVEL/)]);
  });
});
