import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../../base/index.js';

const COMPOSE = readFileSync(path.resolve(import.meta.dirname, '../../docker-compose.yml'), 'utf8');

/**
 * Compose's variable interpolation (the subset the file may use): `$$`, `${V}`, `${V:-d}`,
 * `${V-d}`, `${V:?e}`, `${V?e}`; a required variable that is missing stops `docker compose up`.
 */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}/g, (all, name: string | undefined, colon: string, op: string, arg: string) => {
    if (all === '$$') return '$';
    const v = env[name!];
    const missing = v === undefined || (colon === ':' && v === '');
    if (op === '?' && missing) throw new Error(`required variable ${name} is missing a value: ${arg}`);
    if (op === '-' && missing) return arg;
    return v ?? '';
  });
}

interface Service {
  readonly build?: unknown;
  readonly environment?: Record<string, string>;
}
const services = (env: Record<string, string>) => (parse(interpolate(COMPOSE, env), { merge: true }) as { services: Record<string, Service> }).services;

describe('docker-compose.yml ships no API key', () => {
  it('refuses to start the stack without API_KEY (unset or empty): no default, no literal key', () => {
    expect(() => services({})).toThrow(/required variable API_KEY/);
    expect(() => services({ API_KEY: '' })).toThrow(/required variable API_KEY/);
    // Every mention of API_KEY is the required form; a default (`:-`, `-`) would be a known key.
    const uses = [...COMPOSE.matchAll(/\$\{API_KEY([^}]*)\}/g)].map((m) => m[1]!);
    expect(uses.length).toBeGreaterThan(0);
    for (const u of uses) expect(u).toMatch(/^:\?/);
    const raw = parse(COMPOSE, { merge: true }) as { services: Record<string, Service> };
    for (const [name, s] of Object.entries(raw.services)) {
      const v = s.environment?.API_KEY;
      if (v !== undefined) expect(v, `service ${name}`).toMatch(/^\$\{API_KEY:\?[^}]+\}$/);
    }
  });

  it('hands the key given to every liqmap service, and the API accepts it', () => {
    const key = 'k'.repeat(24);
    const s = services({ API_KEY: key });
    const liqmap = Object.entries(s).filter(([, v]) => v.build !== undefined);
    expect(liqmap.map(([n]) => n)).toContain('api');
    for (const [name, v] of liqmap) expect(v.environment?.API_KEY, `service ${name}`).toBe(key);
    expect(parseConfig(s.api!.environment!).API_KEY).toBe(key);
  });
});
