import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const DIR = path.resolve('api/dashboard');
const html = readFileSync(path.join(DIR, 'index.html'), 'utf8');
const preloads = [...html.matchAll(/<link rel="modulepreload" href="\/dashboard\/([^"]+)"( fetchpriority="low")?>/g)].map((m) => ({ file: m[1]!, low: !!m[2] }));
const modules = readdirSync(DIR, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && e.name.endsWith('.js'))
  .map((e) => path.relative(DIR, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
/** The modules a module imports, transitively (relative imports only: the page has no others). */
function importsOf(file: string, seen = new Set<string>()): Set<string> {
  for (const m of readFileSync(path.join(DIR, file), 'utf8').matchAll(/^import [^;]*? from '(\.[^']+)';/gm)) {
    const dep = path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1]!));
    if (seen.has(dep)) continue;
    seen.add(dep);
    // viridis.js is served by the API from api/render/viridis.ts (no file here, no imports).
    if (dep !== 'viridis.js') importsOf(dep, seen);
  }
  return seen;
}

// The first paint waits for the whole import graph: each module one level deeper is one more
// round trip unless the page preloads it (test/api/dashboard-perf.test.ts times the paint).
describe('the dashboard page preloads its modules', () => {
  it('every module the entry scripts import is preloaded, once', () => {
    const needed = new Set([...importsOf('app.js'), ...importsOf('boot.js')]);
    needed.delete('boot.js'); // an entry script of its own (the picker imports its answer)
    expect(preloads.map((p) => p.file).sort()).toEqual([...needed].sort());
    expect(modules.filter((m) => !['app.js', 'boot.js', ...needed].includes(m))).toEqual([]);
  });

  it("boot.js's imports come first at normal priority; the rest wait behind the API requests", () => {
    const boot = importsOf('boot.js');
    expect(preloads.slice(0, boot.size).every((p) => boot.has(p.file) && !p.low)).toBe(true);
    expect(preloads.slice(boot.size).every((p) => p.low)).toBe(true);
    expect(html.indexOf('src="/dashboard/boot.js"')).toBeLessThan(html.indexOf('src="/dashboard/app.js"'));
  });
});
