import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { z } from 'zod';
import { LiqmapError } from '../../base/index.js';
import { simulateCascade } from '../../engine/index.js';

const num = z.union([z.string(), z.number()]).transform(String).refine((s) => /^\d+(\.\d+)?$/.test(s.trim()), 'must be a non-negative decimal');
const levelsSchema = z.array(z.object({ price: num, notional: num, side: z.enum(['long', 'short']) }));

/** `liqmap cascade`: the engine's cascade simulation on levels from a JSON file. */
export function cascadeCommand(): Command {
  return new Command('cascade')
    .description('simulate a liquidation cascade: shock the price, liquidate crossed levels, move price by the forced flow, repeat')
    .requiredOption('--levels <file>', 'JSON file: [{"price":"98","notional":"2000000","side":"long"}, …] (notional in quote)')
    .requiredOption('--price <p>', 'price before the shock, quote')
    .requiredOption('--shock-to <p>', 'price the shock moves to, quote')
    .requiredOption('--depth-per-percent <n>', 'quote notional that moves price by 1% (linear depth)')
    .option('--json', 'print JSON (numbers as decimal strings)')
    .action((flags: { levels: string; price: string; shockTo: string; depthPerPercent: string; json?: boolean }) => {
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(flags.levels, 'utf8'));
      } catch (e) {
        throw new LiqmapError('INPUT_INVALID', `${flags.levels}: cannot read levels (${(e as Error).message})`, { file: flags.levels }, e);
      }
      const parsed = levelsSchema.safeParse(raw);
      if (!parsed.success) {
        const i = parsed.error.issues[0]!;
        throw new LiqmapError('INPUT_INVALID', `${flags.levels}: level ${i.path.join('.')}: ${i.message}`);
      }
      const r = simulateCascade({ levels: parsed.data, price: flags.price, shockTo: flags.shockTo, depth: { kind: 'linear', perPercent: flags.depthPerPercent } });
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
        return;
      }
      for (const w of r.waves) {
        process.stdout.write(`wave ${w.wave}: swept ${w.fromPrice} → ${w.toPrice}, ${w.levels} level(s), ${w.liquidatedNotional} liquidated, price after ${w.priceAfter}\n`);
      }
      process.stdout.write(`final price ${r.finalPrice}, liquidated ${r.liquidatedNotional}\n`);
    });
}
