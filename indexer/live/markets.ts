import { readFileSync } from 'node:fs';
import { LiqmapError } from '../../base/index.js';
import { VENUE_FEEDS } from './registry.js';
import type { LiveMarket } from './venue-feed.js';

const MARKET = /^([a-z0-9_-]+):([A-Za-z0-9._/-]+)$/;

/** Venue symbols as the venues spell them: OKX and Binance/Bybit upper-case; Hyperliquid coins as listed (`kPEPE`). */
function symbolOf(venue: string, raw: string): string {
  return venue === 'hyperliquid' ? raw : raw.toUpperCase();
}

/**
 * Parses market ids (`binance:BTCUSDT`, `okx:BTC-USDT-SWAP`, `hyperliquid:BTC`), each of a
 * venue with a live feed; entries may be separated by commas or whitespace. Duplicates are
 * removed, order kept. Throws one clear error naming every bad entry.
 */
export function parseLiveMarkets(entries: readonly string[]): LiveMarket[] {
  const out = new Map<string, LiveMarket>();
  const bad: string[] = [];
  for (const entry of entries.flatMap((e) => e.split(/[\s,]+/)).filter((e) => e.length > 0)) {
    const m = MARKET.exec(entry.trim());
    const venue = m?.[1]?.toLowerCase();
    if (!m || !venue || !(venue in VENUE_FEEDS)) {
      bad.push(entry);
      continue;
    }
    const symbol = symbolOf(venue, m[2]!);
    const id = `${venue}:${symbol}`;
    if (!out.has(id)) out.set(id, { id, venue, symbol });
  }
  if (bad.length > 0) {
    throw new LiqmapError('INPUT_INVALID', `not a live market: ${bad.join(', ')} (expected venue:SYMBOL with venue one of ${Object.keys(VENUE_FEEDS).join(', ')}, e.g. binance:BTCUSDT, okx:BTC-USDT-SWAP, hyperliquid:BTC)`);
  }
  return [...out.values()];
}

/** Market ids from a file: one or more per line, `#` starts a comment. */
export function readMarketsFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new LiqmapError('FILE_UNREADABLE', `${path}: cannot read the markets file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file: path }, e);
  }
  return text.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter((l) => l.length > 0);
}
