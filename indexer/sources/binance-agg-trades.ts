import type { TradeEvent } from '../../db/index.js';
import type { Format } from './format.js';
import { binanceMarketFromFileName } from './binance-file-name.js';
import { bool, epochToUs, expectColumns, ident, price, quantity, requireMarket, splitCsv } from './fields.js';

const HEADER = 'agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker';

/**
 * Binance USDⓈ-M `aggTrades` archives (data.binance.vision): `agg_trade_id, price, quantity,
 * first_trade_id, last_trade_id, transact_time, is_buyer_maker`, with or without the header.
 * The taker side is `sell` when the buyer was the maker. Trade ids are stored as `agg:<id>`.
 */
export const binanceAggTrades: Format = {
  name: 'binance-agg-trades',
  description: 'Binance USDⓈ-M aggTrades CSV (data.binance.vision), header optional',
  needsMarket: true,
  detect: (fileName, firstLine) =>
    firstLine.startsWith(HEADER) || (/-aggTrades-/.test(fileName) && splitCsv(firstLine).length === 7),
  isHeader: (line) => line.startsWith('agg_trade_id'),
  marketFromFileName: (fileName) => binanceMarketFromFileName(fileName, 'aggTrades'),
  parseLine(line, ctx): TradeEvent[] {
    const c = splitCsv(line);
    expectColumns(c, 7, 'aggTrades');
    return [
      {
        kind: 'trade',
        market: requireMarket(ctx.market, 'aggTrades'),
        ts: epochToUs(c[5], 'transact_time'),
        tradeId: `agg:${ident(c[0], 'agg_trade_id')}`,
        price: price(c[1]),
        qty: quantity(c[2]),
        side: bool(c[6], 'is_buyer_maker') ? 'sell' : 'buy',
      },
    ];
  },
};
