import { describe, expect, it } from 'vitest';
import { alternate, spread, spreadText } from '../../bench/alternate.js';
import { BEGIN, END, benchSection, replaceBenchSection } from '../../bench/readme-section.js';

describe('bench alternation and the README section', () => {
  it('runs the sides alternately and reports each round’s ratio as min/median/max', async () => {
    const order: string[] = [];
    let i = 0;
    const r = await alternate(
      {
        ours: async () => (order.push('ours'), [10, 30, 20][i]!),
        theirs: async () => (order.push('theirs'), [10, 10, 10][i++]!),
      },
      (x) => x,
      3,
    );
    expect(order).toEqual(['ours', 'theirs', 'ours', 'theirs', 'ours', 'theirs']);
    expect(r.ratios).toEqual({ min: 1, median: 2, max: 3 });
    expect(spread([4, 1, 3, 2])).toEqual({ min: 1, median: 2.5, max: 4 });
  });

  it('prints a ratio far below 1 with significant digits, not as 0.00, and a missing one as n/a', () => {
    expect(spreadText({ min: 1.3e-5, median: 0.5, max: NaN })).toBe('0.000013/0.50/n/a');
  });

  it('writes the run between the markers, with date, load, settings and note, keeping the rest of the README', () => {
    const run = {
      started: new Date(Date.UTC(2026, 11, 2, 4, 0)),
      finished: new Date(Date.UTC(2026, 11, 2, 4, 30)),
      load: [3.25, 4.5] as const,
      command: 'npm run bench -- api',
      settings: { BENCH_ROUNDS: '1' },
      note: 'Shared machine.',
      failures: [{ bench: 'live', why: 'capture unreadable' }],
    };
    const section = benchSection(
      [
        { name: 'API x', value: 1234.5, unit: 'req/s', baseline: 1000, ratio: 1.2, ratios: { min: 1.1, median: 1.2, max: 1.3 }, baselineName: 'PostGraphile' },
        { name: 'day', value: 1.15, unit: 's', baseline: 86_400, ratio: 1.15 / 86_400, baselineName: 'the day' },
      ],
      run,
    );
    expect(section).toContain('2026-12-02 04:00 UTC');
    expect(section).toContain('(`BENCH_ROUNDS=1 npm run bench -- api`)');
    expect(section).toContain('load average 3.3 at the start and 4.5 at the end. Shared machine.');
    expect(section).toContain('| API x | 1,235 req/s | PostGraphile: 1,000 req/s | 1.10/1.20/1.30 |');
    expect(section).toContain('| day | 1.15 s | the day: 86,400 s | 0.000013 |');
    expect(section).toContain('The live bench failed in this run (no figures): capture unreadable');
    const readme = '# x\n\n## Benchmarks\n\nIntro.\n\n## Development\n\nrest\n';
    const once = replaceBenchSection(readme, section);
    expect(once).toContain(`Intro.\n\n${BEGIN}`);
    expect(once).toContain(`${END}\n\n## Development\n\nrest\n`);
    const twice = replaceBenchSection(once, section.replace('API x', 'API y'));
    expect(twice).not.toContain('API x');
    expect(twice.split(BEGIN)).toHaveLength(2);
  });
});
