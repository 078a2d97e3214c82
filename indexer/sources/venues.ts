import { venuePerpSymbol } from '../../db/index.js';

/** Venue names as other sources spell them → ours. */
const VENUE_ALIAS: Record<string, string> = {
  'binance-futures': 'binance',
  'binance-usdm': 'binance',
  binanceusdm: 'binance',
  'binance-delivery': 'binance-coinm',
  'bybit-spot': 'bybit-spot',
  okex: 'okx',
  'okex-swap': 'okx',
  'okx-swap': 'okx',
  'dydx-v4': 'dydx',
  'hyperliquid-perp': 'hyperliquid',
};

/** Our lower-case venue id for a source's venue name. */
export function venueId(raw: string): string {
  const v = raw.trim().toLowerCase();
  return VENUE_ALIAS[v] ?? v;
}

/**
 * Market ids for venue + coin rows (multi-venue CSVs, Tardis): `exchange:SYMBOL` with the
 * venue's own USDT/USD perpetual symbol, so rows from different files about the same contract
 * land in the same market (a Binance BTC candle joins `binance:BTCUSDT` trades).
 * Unknown venues keep the coin as the symbol;
 * the symbols are the venue registry's (db/market-venues.ts), which also parses them back.
 */
export function perpMarket(venue: string, coin: string): string {
  const v = venueId(venue);
  const c = coin.trim().toUpperCase();
  return `${v}:${venuePerpSymbol(v, c) ?? c}`;
}

/** `venue:SYMBOL` for a venue's own symbol (Tardis rows name the exchange's symbol). */
export function symbolMarket(venue: string, symbol: string): string {
  return `${venueId(venue)}:${symbol.trim().toUpperCase()}`;
}

/** Funding interval in hours by venue, where it is fixed and known. */
export function fundingIntervalHours(venue: string): number | null {
  const v = venueId(venue);
  if (v === 'binance' || v === 'bybit' || v === 'okx') return 8;
  if (v === 'hyperliquid' || v === 'dydx' || v === 'lighter') return 1;
  if (v === 'kraken') return 1;
  return null;
}
