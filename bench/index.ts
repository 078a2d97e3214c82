import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ratioText, spreadText } from './alternate.js';
import { benchSection, replaceBenchSection } from './readme-section.js';
import type { BenchFigure } from './types.js';

/**
 * `npm run bench`: runs every `bench/*.bench.ts` (or the ones named on the command line) and
 * prints each figure next to its same-run baseline, as a ratio (min/median/max over alternated
 * rounds where the bench alternates). `--readme` (or BENCH_README=1) writes the run's table,
 * with its date, load average, BENCH_* settings and BENCH_NOTE, into the README's Benchmarks section.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const all = ['ingest', 'model', 'accuracy', 'jobs', 'api', 'live', 'dashboard'];
const args = process.argv.slice(2);
const writeReadme = args.includes('--readme') || process.env.BENCH_README === '1';
const named = args.filter((a) => !a.startsWith('--'));
const wanted = named.length > 0 ? named : all;
const results: BenchFigure[] = [];
const failures: { bench: string; why: string }[] = [];
const started = new Date();
const loadBefore = loadavg()[0]!;
for (const name of wanted) {
  const file = path.join(here, `${name}.bench.ts`);
  if (!existsSync(file)) continue;
  process.stderr.write(`running ${name} bench…\n`);
  const mod = (await import(pathToFileURL(file).href)) as { run: () => Promise<BenchFigure[]> };
  // A bench that fails is reported (and fails the command) without losing the others' figures.
  let figures: BenchFigure[] = [];
  try {
    figures = await mod.run();
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    failures.push({ bench: name, why: why.split('\n')[0]!.slice(0, 300) });
    process.exitCode = 1;
    process.stderr.write(`${name} bench failed: ${e instanceof Error ? (e.stack ?? why) : why}\n`);
  }
  for (const f of figures) {
    results.push(f);
    const ratio = `ratio ${ratioText(f.ratio)}${f.ratios ? ` (min/median/max ${spreadText(f.ratios)})` : ''}`;
    process.stdout.write(`${f.name}\n  ${f.value.toLocaleString('en')} ${f.unit} vs ${f.baseline.toLocaleString('en')} ${f.unit} (${f.baselineName ?? 'baseline'}) → ${ratio}${f.note ? `; ${f.note}` : ''}\n`);
  }
}
const settings = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => /^BENCH_(?!README$|JSON$|NOTE$|CACHE_DIR$)/.test(e[0]) && e[1] !== undefined).sort(([a], [b]) => a.localeCompare(b)));
const command = `npm run bench${named.length > 0 ? ` -- ${named.join(' ')}` : ''}`;
const run = { started, finished: new Date(), load: [loadBefore, loadavg()[0]!] as const, command, settings, note: process.env.BENCH_NOTE, failures };
const section = benchSection(results, run);
process.stdout.write(`\n${section}\n`);
if (writeReadme) {
  const readme = path.join(here, '..', 'README.md');
  writeFileSync(readme, replaceBenchSection(readFileSync(readme, 'utf8'), section));
  process.stderr.write(`README.md: Benchmarks section rewritten from this run\n`);
}
if (process.env.BENCH_JSON) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
