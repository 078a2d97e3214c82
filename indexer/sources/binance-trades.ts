import type { TradeEvent } from '../../db/index.js';
import type { Format } from './format.js';
import { binanceMarketFromFileName } from './binance-file-name.js';
import { bool, epochToUs, expectColumns, ident, price, quantity, requireMarket, splitCsv } from './fields.js';

const HEADER = 'id,price,qty,quote_qty,time,is_buyer_maker';

/**
 * Binance USDⓈ-M `trades` archives: `id, price, qty, quote_qty, time, is_buyer_maker`, with or
 * without the header row.
 */
export const binanceTrades: Format = {
  name: 'binance-trades',
  description: 'Binance USDⓈ-M trades CSV (data.binance.vision), header optional',
  needsMarket: true,
  detect: (fileName, firstLine) => firstLine.startsWith(HEADER) || (/-trades-/.test(fileName) && splitCsv(firstLine).length === 6),
  isHeader: (line) => line.startsWith('id,'),
  marketFromFileName: (fileName) => binanceMarketFromFileName(fileName, 'trades'),
  parseLine(line, ctx): TradeEvent[] {
    const c = splitCsv(line);
    expectColumns(c, 6, 'trades');
    return [
      {
        kind: 'trade',
        market: requireMarket(ctx.market, 'trades'),
        ts: epochToUs(c[4], 'time'),
        tradeId: ident(c[0], 'id'),
        price: price(c[1]),
        qty: quantity(c[2], 'qty'),
        side: bool(c[5], 'is_buyer_maker') ? 'sell' : 'buy',
      },
    ];
  },
};
