import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { LiqmapError } from '../../base/index.js';
import type { ModelEvent, RealizedLiquidation } from '../../engine/index.js';
import { forcedOrderSide, RowError } from '../../indexer/index.js';

/** Where a CSV backtest reads its data (the layouts of ../shared/data). */
export interface BacktestFiles {
  /** Candles CSV: timestamp,venue,coin,o,h,l,c,v. */
  readonly candles: string;
  /** Liquidations CSV: timestamp,venue,coin,side,size_usd,price. */
  readonly liquidations: string;
  /** Funding CSV: timestamp,venue,coin,funding_rate. */
  readonly funding?: string | undefined;
  readonly venue: string;
  readonly coin: string;
  /** Take candles and funding from another venue. */
  readonly candleVenue?: string | undefined;
}

/** A venue-coin's model events and realized liquidations, read from CSVs. */
export interface BacktestData {
  readonly events: ModelEvent[];
  readonly realized: RealizedLiquidation[];
  readonly firstLiq: number;
  readonly lastLiq: number;
}

async function* rows(file: string): AsyncGenerator<{ r: Record<string, string>; line: number }> {
  const parser = createReadStream(file).pipe(parse({ columns: true, skip_empty_lines: true, info: true }));
  for await (const x of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) yield { r: x.record, line: x.info.lines };
}

function time(file: string, line: number, text: string | undefined): number {
  const t = Date.parse(text ?? '');
  if (!Number.isFinite(t)) throw new LiqmapError('INPUT_INVALID', `${file}:${line}: timestamp "${text ?? ''}" is not an ISO-8601 time`);
  return t;
}

/** The forced order's side as `liqmap ingest` reads it (buy/sell, long/short, B/A; S: unknown). */
function sideOf(file: string, line: number, text: string | undefined): 'buy' | 'sell' | null {
  try {
    return forcedOrderSide(text);
  } catch (e) {
    if (e instanceof RowError) throw new LiqmapError('INPUT_INVALID', `${file}:${line}: ${e.message}`);
    throw e;
  }
}

/**
 * Reads one venue-coin's liquidations and the candles and funding the model runs on (up to the
 * last liquidation), in time order. Throws INPUT_INVALID naming the file when a venue has no
 * rows, or when its candles end before its liquidations start (saying to pass --candle-venue).
 */
export async function loadBacktestCsv(f: BacktestFiles, horizonMs: number): Promise<BacktestData> {
  const of = (venue: string) => (r: Record<string, string>) => r.venue?.toLowerCase() === venue.toLowerCase() && r.coin?.toUpperCase() === f.coin.toUpperCase();
  const mine = of(f.venue);
  const priceSource = of(f.candleVenue ?? f.venue);
  const realized: RealizedLiquidation[] = [];
  for await (const { r, line } of rows(f.liquidations)) {
    if (!mine(r)) continue;
    const side = sideOf(f.liquidations, line, r.side);
    const price = Number(r.price);
    const notional = Number(r.size_usd);
    if (!(price > 0) || !(notional >= 0)) throw new LiqmapError('INPUT_INVALID', `${f.liquidations}:${line}: price "${r.price}" and size_usd "${r.size_usd}" must be positive numbers`);
    realized.push({ t: time(f.liquidations, line, r.timestamp), price, notional, side });
  }
  if (realized.length === 0) throw new LiqmapError('INPUT_INVALID', `no liquidations for ${f.venue} ${f.coin} in ${f.liquidations}`);
  realized.sort((a, b) => a.t - b.t);
  const firstLiq = realized[0]!.t;
  const lastLiq = realized.at(-1)!.t;
  const events: ModelEvent[] = [];
  for await (const { r, line } of rows(f.candles)) {
    if (!priceSource(r)) continue;
    const ts = time(f.candles, line, r.timestamp);
    if (ts > lastLiq) continue;
    events.push({ kind: 'candle', ts: ts * 1000, open: r.o!, high: r.h!, low: r.l!, close: r.c!, volume: r.v ?? null });
  }
  if (f.funding) {
    for await (const { r, line } of rows(f.funding)) {
      if (!priceSource(r)) continue;
      const ts = time(f.funding, line, r.timestamp);
      if (ts <= lastLiq) events.push({ kind: 'funding', ts: ts * 1000, rate: r.funding_rate! });
    }
  }
  if (events.length === 0) throw new LiqmapError('INPUT_INVALID', `no candles for ${f.candleVenue ?? f.venue} ${f.coin} in ${f.candles}`);
  let lastCandle = -Infinity;
  for (const e of events) if (e.kind === 'candle' && e.ts / 1000 > lastCandle) lastCandle = e.ts / 1000;
  if (lastCandle < firstLiq - horizonMs) {
    throw new LiqmapError('INPUT_INVALID', `${f.candleVenue ?? f.venue} ${f.coin} candles end ${new Date(lastCandle).toISOString()}, before the liquidations start: pass --candle-venue with a venue that covers them`);
  }
  events.sort((a, b) => a.ts - b.ts);
  return { events, realized, firstLiq, lastLiq };
}

/** Parses a duration such as 30m, 1h, 24h or 7d, ms. */
export function parseDuration(text: string, option: string): number {
  const m = /^(\d+)(m|h|d)$/.exec(text);
  if (!m || Number(m[1]) <= 0) throw new LiqmapError('INPUT_INVALID', `${option} must look like 30m, 24h or 7d, got "${text}"`);
  return Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd'];
}
