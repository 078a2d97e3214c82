import { Command } from 'commander';
import { computedFreshness, marketFreshness } from '../../db/index.js';
import { LiqmapError } from '../../base/index.js';
import { createRuntime } from '../runtime.js';

/** `liqmap jobs`: queues, active and failed jobs, and per-market freshness; `jobs backfill`. */
export function jobsCommand(): Command {
  const cmd = new Command('jobs')
    .description('list queues, active/failed jobs and per-market freshness of computed results')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const rt = await createRuntime();
      try {
        const store = await rt.store({ migrate: false });
        const { createJobRunner } = await import('../../jobs/index.js');
        const runner = await createJobRunner({ config: rt.config, store, logger: rt.logger, mode: 'enqueue-only', logOutages: false });
        try {
          await runner.ping?.();
          const queues = await runner.status();
          const computed = await computedFreshness(store);
          const markets = (await marketFreshness(store)).map((m) => {
            const c = computed.filter((x) => x.market === m.marketId).sort((a, b) => b.lastT - a.lastT)[0];
            return {
              market: m.marketId,
              dataVersion: m.version,
              newestEvent: m.lastEventAt?.toISOString() ?? null,
              newestComputedBucket: c ? new Date(c.lastT).toISOString() : null,
              computedFromVersion: c?.dataVersion ?? null,
              lagSeconds: c && m.lastEventAt ? Math.max(0, (m.lastEventAt.getTime() - c.lastT) / 1000) : null,
            };
          });
          if (flags.json) {
            process.stdout.write(`${JSON.stringify({ backend: runner.kind, queues, markets }, null, 2)}\n`);
            return;
          }
          process.stdout.write(`backend: ${runner.kind}\n`);
          for (const q of queues) {
            process.stdout.write(`queue ${q.name}: ${Object.entries(q.counts).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
            for (const j of q.active) process.stdout.write(`  active ${j.id} ${j.market ?? ''} ${j.progress}%\n`);
            for (const j of q.failed) process.stdout.write(`  failed ${j.id} ${j.market ?? ''} after ${j.attempts} attempt(s): ${j.error ?? ''}\n`);
          }
          for (const m of markets) {
            process.stdout.write(`${m.market.padEnd(28)} newest event ${m.newestEvent ?? '-'}  computed to ${m.newestComputedBucket ?? '-'}  lag ${m.lagSeconds === null ? '-' : `${m.lagSeconds}s`}\n`);
          }
        } finally {
          await runner.close();
        }
      } finally {
        await rt.close();
      }
    });
  cmd
    .command('backfill <market>')
    .description('compute a market over a range as a BullMQ flow (one child job per day, in order), showing progress')
    .requiredOption('--from <iso>', 'range start (ISO-8601)')
    .requiredOption('--to <iso>', 'range end (ISO-8601)')
    .option('--no-wait', 'enqueue and return the flow id')
    .action(async (market: string, flags: { from: string; to: string; wait: boolean }) => {
      const rt = await createRuntime();
      try {
        if (!rt.config.REDIS_URL) throw new LiqmapError('CONFIG_INVALID', 'backfill flows need REDIS_URL (the embedded default computes everything in `liqmap start`)');
        const from = Date.parse(flags.from);
        const to = Date.parse(flags.to);
        if (Number.isNaN(from) || Number.isNaN(to) || to < from) throw new LiqmapError('INPUT_INVALID', '--from and --to must be ISO-8601 times with --from before --to');
        const store = await rt.store({ migrate: false });
        const { createBullmqRunner } = await import('../../jobs/index.js');
        const runner = await createBullmqRunner({ config: rt.config, store, logger: rt.logger, mode: 'enqueue-only', redisUrl: rt.config.REDIS_URL });
        try {
          const id = await runner.backfill(market, from, to);
          process.stdout.write(`backfill flow ${id}\n`);
          while (flags.wait) {
            const p = await runner.backfillProgress(id);
            if (!p) break;
            process.stderr.write(`\r${p.done}/${p.total} days (${p.state})   `);
            if (p.state === 'completed' || p.state === 'failed') break;
            await new Promise((r) => setTimeout(r, 1000));
          }
          if (flags.wait) process.stderr.write('\n');
        } finally {
          await runner.close();
        }
      } finally {
        await rt.close();
      }
    });
  return cmd;
}
