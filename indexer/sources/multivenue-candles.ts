import type { CandleEvent } from '../../db/index.js';
import type { Format } from './format.js';
import { expectColumns, ident, price, quantity, splitCsv, timeToUs } from './fields.js';
import { intervalSeconds } from './binance-file-name.js';
import { perpMarket } from './venues.js';

const HEADER = 'timestamp,venue,coin,o,h,l,c,v';

/** The bar interval named in a file name (`candles-1h-…` → 3600), or one hour when none is. */
export function intervalFromFileName(fileName: string): number {
  const m = /(?:^|[-_.])(\d+(?:m|h|d|w))(?=[-_.])/.exec(fileName);
  return (m && intervalSeconds(m[1]!)) ?? 3600;
}

/**
 * Multi-venue perp candles: `timestamp, venue, coin, o, h, l, c, v` (ISO-8601 open time, volume
 * in base units). Each venue + coin is its own market (`binance:BTCUSDT`, `hyperliquid:BTC`).
 * The interval comes from the file name (`candles-1h-…`), one hour when it names none.
 */
export const multivenueCandles: Format = {
  name: 'multivenue-candles',
  description: 'multi-venue candles CSV (timestamp,venue,coin,o,h,l,c,v); interval from the file name, default 1h',
  needsMarket: false,
  detect: (_fileName, firstLine) => firstLine.startsWith(HEADER),
  isHeader: (line) => line.startsWith('timestamp,'),
  marketFromFileName: () => null,
  parseLine(line, ctx): CandleEvent[] {
    const c = splitCsv(line);
    expectColumns(c, 8, 'candles');
    return [
      {
        kind: 'candle',
        market: perpMarket(ident(c[1], 'venue'), ident(c[2], 'coin')),
        ts: timeToUs(c[0], 'timestamp'),
        intervalS: intervalFromFileName(ctx.fileName),
        priceType: 'trade',
        open: price(c[3], 'o'),
        high: price(c[4], 'h'),
        low: price(c[5], 'l'),
        close: price(c[6], 'c'),
        volume: quantity(c[7], 'v'),
        quoteVolume: null,
        tradeCount: null,
      },
    ];
  },
};
