import type { OpenInterestEvent } from '../../db/index.js';
import type { Format } from './format.js';
import { binanceMarketFromFileName } from './binance-file-name.js';
import { expectColumns, ident, optionalQuantity, quantity, timeToUs, splitCsv } from './fields.js';

const HEADER = 'create_time,symbol,sum_open_interest,sum_open_interest_value';

/**
 * Binance USDⓈ-M `metrics` daily archives (5-minute open interest and long/short ratios):
 * `create_time, symbol, sum_open_interest, sum_open_interest_value, …ratios`. Only the open
 * interest is kept; the symbol column names the market.
 */
export const binanceMetrics: Format = {
  name: 'binance-metrics',
  description: 'Binance USDⓈ-M metrics CSV (5-minute open interest)',
  needsMarket: false,
  detect: (fileName, firstLine) =>
    firstLine.startsWith(HEADER) || (/-metrics-/.test(fileName) && splitCsv(firstLine).length === 8),
  isHeader: (line) => line.startsWith('create_time'),
  marketFromFileName: (fileName) => binanceMarketFromFileName(fileName, 'metrics'),
  parseLine(line, ctx): OpenInterestEvent[] {
    const c = splitCsv(line);
    expectColumns(c, 8, 'metrics');
    return [
      {
        kind: 'open_interest',
        market: ctx.market ?? `binance:${ident(c[1], 'symbol')}`,
        ts: timeToUs(c[0], 'create_time'),
        oiQty: quantity(c[2], 'sum_open_interest'),
        oiValue: optionalQuantity(c[3], 'sum_open_interest_value'),
      },
    ];
  },
};
