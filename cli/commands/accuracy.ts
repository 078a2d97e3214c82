import { createReadStream } from 'node:fs';
import { Command } from 'commander';
import { parse } from 'csv-parse';
import { LiqmapError } from '../../base/index.js';
import { backtest, parseModelParams, type ModelEvent, type RealizedLiquidation } from '../../engine/index.js';

async function* rows(file: string): AsyncGenerator<Record<string, string>> {
  const parser = createReadStream(file).pipe(parse({ columns: true, skip_empty_lines: true }));
  for await (const r of parser) yield r as Record<string, string>;
}

function duration(text: string): number {
  const m = /^(\d+)(m|h|d)$/.exec(text);
  if (!m) throw new LiqmapError('INPUT_INVALID', `--horizon must look like 30m, 24h or 7d, got "${text}"`);
  return Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd'];
}

/**
 * `liqmap accuracy`: backtests the model on multi-venue candle, funding and liquidation CSVs
 * (the layouts of ../shared/data) without a database — the model sees each venue's candles and
 * funding up to each prediction time, and its clusters are scored against the liquidations
 * that followed, next to the naive baseline.
 */
export function accuracyCommand(): Command {
  return new Command('accuracy')
    .description('backtest predicted clusters against realized liquidations from candle/funding/liquidation CSVs')
    .requiredOption('--candles <file>', 'candles CSV: timestamp,venue,coin,o,h,l,c,v')
    .requiredOption('--liquidations <file>', 'liquidations CSV: timestamp,venue,coin,side,size_usd,price')
    .option('--funding <file>', 'funding CSV: timestamp,venue,coin,funding_rate')
    .requiredOption('--venue <venue>', 'venue, e.g. okx or hyperliquid')
    .requiredOption('--coin <coin>', 'coin, e.g. ETH')
    .option('--candle-venue <venue>', "take candles and funding from another venue (when the liquidations' venue has no candles for their period)")
    .option('--horizon <d>', 'count liquidations this long after each prediction (30m, 24h, 7d)', '24h')
    .option('--bucket <seconds>', 'model time bucket, seconds (the candle interval)', '3600')
    .option('--json', 'print JSON')
    .action(async (f: { candles: string; liquidations: string; funding?: string; venue: string; candleVenue?: string; coin: string; horizon: string; bucket: string; json?: boolean }) => {
      const horizonMs = duration(f.horizon);
      const of = (venue: string) => (r: Record<string, string>) => r.venue?.toLowerCase() === venue.toLowerCase() && r.coin?.toUpperCase() === f.coin.toUpperCase();
      const mine = of(f.venue);
      const priceSource = of(f.candleVenue ?? f.venue);
      const realized: RealizedLiquidation[] = [];
      for await (const r of rows(f.liquidations)) {
        if (!mine(r)) continue;
        const side = r.side?.toLowerCase();
        realized.push({ t: Date.parse(r.timestamp!), price: Number(r.price), notional: Number(r.size_usd), side: side === 'buy' ? 'buy' : side === 'sell' ? 'sell' : null });
      }
      if (realized.length === 0) throw new LiqmapError('INPUT_INVALID', `no liquidations for ${f.venue} ${f.coin} in ${f.liquidations}`);
      const lastLiq = Math.max(...realized.map((r) => r.t));
      const events: ModelEvent[] = [];
      for await (const r of rows(f.candles)) {
        if (!priceSource(r)) continue;
        const ts = Date.parse(r.timestamp!);
        if (ts > lastLiq) continue;
        events.push({ kind: 'candle', ts: ts * 1000, open: r.o!, high: r.h!, low: r.l!, close: r.c!, volume: r.v ?? null });
      }
      if (f.funding) {
        for await (const r of rows(f.funding)) {
          const ts = Date.parse(r.timestamp!);
          if (priceSource(r) && ts <= lastLiq) events.push({ kind: 'funding', ts: ts * 1000, rate: r.funding_rate! });
        }
      }
      if (events.length === 0) throw new LiqmapError('INPUT_INVALID', `no candles for ${f.candleVenue ?? f.venue} ${f.coin} in ${f.candles}`);
      const lastCandle = Math.max(...events.filter((e) => e.kind === 'candle').map((e) => e.ts / 1000));
      if (lastCandle < Math.min(...realized.map((r) => r.t)) - horizonMs) {
        throw new LiqmapError('INPUT_INVALID', `${f.candleVenue ?? f.venue} ${f.coin} candles end ${new Date(lastCandle).toISOString()}, before the liquidations start: pass --candle-venue with a venue that covers them`);
      }
      events.sort((a, b) => a.ts - b.ts);
      const params = parseModelParams({ timeBucketSeconds: Number(f.bucket) });
      const firstLiq = Math.min(...realized.map((r) => r.t));
      const score = backtest(events, realized, { params, horizonMs });
      const out = { venue: f.venue, coin: f.coin, horizon: f.horizon, from: new Date(firstLiq).toISOString(), to: new Date(lastLiq).toISOString(), liquidations: realized.length, ...score };
      if (f.json) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      else {
        process.stdout.write(
          `${f.venue} ${f.coin}: ${score.predictions} predictions scored over ${realized.length} liquidations (${out.from} → ${out.to}), horizon ${f.horizon}\n` +
            `  model hit share    ${(100 * score.hitShare).toFixed(1)}% of realized notional inside predicted clusters\n` +
            `  baseline hit share ${(100 * score.baselineHitShare).toFixed(1)}% (equally wide bands at the clusters' mean distance)\n` +
            `  lift               ${score.lift === null ? 'n/a' : score.lift.toFixed(2)}×   coverage ${(100 * score.coverage).toFixed(1)}% of price\n`,
        );
      }
    });
}
