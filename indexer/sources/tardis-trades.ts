import type { TradeEvent } from '../../db/index.js';
import type { Format } from './format.js';
import { RowError } from './format.js';
import { epochToUs, expectColumns, ident, price, quantity, splitCsv } from './fields.js';
import { symbolMarket } from './venues.js';

const HEADER = 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount';

/**
 * Tardis.dev normalized `trades` CSV: `exchange, symbol, timestamp, local_timestamp, id, side,
 * price, amount` (µs timestamps, `side` = taker side, `unknown` when the venue does not say).
 * The exchange column names the venue (`binance-futures` → `binance`).
 */
export const tardisTrades: Format = {
  name: 'tardis-trades',
  description: 'Tardis.dev normalized trades CSV (exchange,symbol,timestamp,local_timestamp,id,side,price,amount)',
  needsMarket: false,
  detect: (_fileName, firstLine) => firstLine.startsWith(HEADER),
  isHeader: (line) => line.startsWith('exchange,'),
  marketFromFileName: () => null,
  parseLine(line, ctx): TradeEvent[] {
    const c = splitCsv(line);
    expectColumns(c, 8, 'Tardis trades');
    const side = c[5]?.trim();
    if (side !== 'buy' && side !== 'sell' && side !== 'unknown') throw new RowError('side', `side must be buy, sell or unknown, got "${side}"`);
    return [
      {
        kind: 'trade',
        market: ctx.market ?? symbolMarket(ident(c[0], 'exchange'), ident(c[1], 'symbol')),
        ts: epochToUs(c[2], 'timestamp'),
        // Some venues publish no trade id; the row's own fields then stand in for it.
        tradeId: c[4]?.trim() ? ident(c[4], 'id') : `t:${c[2]}:${c[5]}:${c[6]}:${c[7]}`,
        price: price(c[6]),
        qty: quantity(c[7], 'amount'),
        side: side === 'unknown' ? null : side,
      },
    ];
  },
};
