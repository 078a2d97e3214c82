import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../_setup/cli.js';

/** The README's Architecture table names folders: each must exist in the tree. */
describe('README architecture table', () => {
  it('names only folders (and subfolders) that exist', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('| folder | what it is |'), readme.indexOf('\n## CLI'));
    const missing: string[] = [];
    let checked = 0;
    for (const row of table.split('\n').slice(2)) {
      const cells = row.split('|').map((c) => c.trim());
      const tops = [...(cells[1] ?? '').matchAll(/`([a-z_-]+)\/`/g)].map((m) => m[1]!);
      for (const top of tops) {
        checked++;
        if (!existsSync(path.join(ROOT, top))) missing.push(`${top}/`);
        // Subfolders named in the description, e.g. `margin/` or `dialects/<backend>/`.
        for (const m of (cells[2] ?? '').matchAll(/`([a-z_-]+)\/(?:<[a-z]+>\/?)?[^`]*`/g)) {
          const sub = m[1]!;
          checked++;
          if (![top, ...tops].some((t) => existsSync(path.join(ROOT, t, sub))) && !existsSync(path.join(ROOT, sub))) missing.push(`${top}/${sub}/`);
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(missing).toEqual([]);
  });
});
