import type { FundingEvent } from '../../db/index.js';
import type { Format } from './format.js';
import { RowError } from './format.js';
import { binanceMarketFromFileName } from './binance-file-name.js';
import { epochToUs, expectColumns, requireMarket, signedDecimal, splitCsv } from './fields.js';

/**
 * Binance USDⓈ-M `fundingRate` monthly archives: `calc_time, funding_interval_hours,
 * last_funding_rate`, with or without the header row.
 */
export const binanceFundingRate: Format = {
  name: 'binance-funding-rate',
  description: 'Binance USDⓈ-M fundingRate CSV (calc_time, funding_interval_hours, last_funding_rate)',
  needsMarket: true,
  detect: (fileName, firstLine) =>
    firstLine.startsWith('calc_time,') || (/-fundingRate-/.test(fileName) && splitCsv(firstLine).length === 3),
  isHeader: (line) => line.startsWith('calc_time'),
  marketFromFileName: (fileName) => binanceMarketFromFileName(fileName, 'fundingRate'),
  parseLine(line, ctx): FundingEvent[] {
    const c = splitCsv(line);
    expectColumns(c, 3, 'fundingRate');
    const hours = Number(c[1]);
    if (!Number.isInteger(hours) || hours <= 0 || hours > 24) {
      throw new RowError('funding_interval_hours', `funding_interval_hours must be a whole number of hours in 1..24, got "${c[1]}"`);
    }
    return [
      {
        kind: 'funding',
        market: requireMarket(ctx.market, 'fundingRate'),
        ts: epochToUs(c[0], 'calc_time'),
        rate: signedDecimal(c[2], 'last_funding_rate'),
        markPrice: null,
        intervalHours: hours,
      },
    ];
  },
};
