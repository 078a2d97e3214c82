import type { FundingEvent } from '../../db/index.js';
import type { Format } from './format.js';
import { expectColumns, ident, signedDecimal, splitCsv, timeToUs } from './fields.js';
import { fundingIntervalHours, perpMarket } from './venues.js';

/**
 * Multi-venue funding prints: `timestamp, venue, coin, funding_rate` (rate per the venue's own
 * interval: Binance/Bybit/OKX 8 h, Hyperliquid and dYdX 1 h — recorded with each row).
 */
export const multivenueFunding: Format = {
  name: 'multivenue-funding',
  description: 'multi-venue funding CSV (timestamp,venue,coin,funding_rate)',
  needsMarket: false,
  detect: (_fileName, firstLine) => firstLine.startsWith('timestamp,venue,coin,funding_rate'),
  isHeader: (line) => line.startsWith('timestamp,'),
  marketFromFileName: () => null,
  parseLine(line): FundingEvent[] {
    const c = splitCsv(line);
    expectColumns(c, 4, 'funding');
    const venue = ident(c[1], 'venue');
    return [
      {
        kind: 'funding',
        market: perpMarket(venue, ident(c[2], 'coin')),
        ts: timeToUs(c[0], 'timestamp'),
        rate: signedDecimal(c[3], 'funding_rate'),
        markPrice: null,
        intervalHours: fundingIntervalHours(venue),
      },
    ];
  },
};
