import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../_setup/cli.js';

/** The part of semver this test uses (the package ships no types of its own). */
const semver = createRequire(import.meta.url)('semver') as {
  minVersion(range: string): { version: string } | null;
  satisfies(version: string, range: string, options?: { includePrerelease?: boolean }): boolean;
};

const read = (f: string) => readFileSync(path.join(ROOT, f), 'utf8');

describe('one Node version across the project', () => {
  const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
  const oldest = semver.minVersion(engines)!.version;

  it('the Dockerfile runs the major that `engines` starts at', () => {
    const froms = [...read('Dockerfile').matchAll(/^FROM\s+node:(\d+)/gm)].map((m) => m[1]);
    expect(froms.length).toBeGreaterThan(0);
    for (const major of froms) expect(major).toBe(oldest.split('.')[0]);
  });

  it('every locked package runs on the oldest Node that `engines` accepts', () => {
    // A dependency that needs a newer Node (several of graphql-tools' need 22) is pinned by
    // `overrides` to a release that still supports it; this fails when one slips back in.
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { engines?: { node?: string } | string[] }> };
    const refusing = Object.entries(lock.packages)
      .filter(([name, p]) => name !== '' && p.engines && !Array.isArray(p.engines) && p.engines.node)
      .filter(([, p]) => !semver.satisfies(oldest, (p.engines as { node: string }).node, { includePrerelease: true }))
      .map(([name, p]) => `${name} (node ${(p.engines as { node: string }).node})`);
    expect(refusing, `engines.node ${engines} starts at ${oldest}`).toEqual([]);
  });
});
