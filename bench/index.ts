import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spreadText } from './alternate.js';
import type { BenchFigure } from './types.js';

/**
 * `npm run bench`: runs every `bench/*.bench.ts` (or the ones named on the command line) and
 * prints each figure next to its same-run baseline, as a ratio.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const all = ['ingest', 'model', 'accuracy', 'jobs', 'api', 'live'];
const wanted = process.argv.slice(2).length > 0 ? process.argv.slice(2) : all;
const results: BenchFigure[] = [];
for (const name of wanted) {
  const file = path.join(here, `${name}.bench.ts`);
  if (!existsSync(file)) continue;
  process.stderr.write(`running ${name} bench…\n`);
  const mod = (await import(pathToFileURL(file).href)) as { run: () => Promise<BenchFigure[]> };
  for (const f of await mod.run()) {
    results.push(f);
    const ratio = f.ratios ? `ratio ${f.ratio.toFixed(2)} (min/median/max ${spreadText(f.ratios)})` : `ratio ${f.ratio.toFixed(2)}`;
    process.stdout.write(`${f.name}\n  ${f.value.toLocaleString('en')} ${f.unit} vs ${f.baseline.toLocaleString('en')} ${f.unit} (${f.baselineName ?? 'baseline'}) → ${ratio}${f.note ? `; ${f.note}` : ''}\n`);
  }
}
if (process.env.BENCH_JSON) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
