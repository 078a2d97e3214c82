import type { LiquidationEvent } from '../../db/index.js';
import type { Format } from './format.js';
import { binanceMarketFromFileName } from './binance-file-name.js';
import { epochToUs, expectColumns, price, quantity, requireMarket, splitCsv } from './fields.js';
import { forcedOrderSide } from './multivenue-liquidations.js';

/**
 * Binance USDⓈ-M `liquidationSnapshot` archives (force orders, published until 2024):
 * `time, side, order_type, time_in_force, original_quantity, price, average_price,
 * order_status, last_fill_quantity, accumulated_fill_quantity`, header optional.
 */
export const binanceLiquidationSnapshot: Format = {
  name: 'binance-liquidation-snapshot',
  description: 'Binance USDⓈ-M liquidationSnapshot CSV (force orders)',
  needsMarket: true,
  detect: (fileName, firstLine) =>
    firstLine.startsWith('time,side,order_type') || (/-liquidationSnapshot-/.test(fileName) && splitCsv(firstLine).length === 10),
  isHeader: (line) => line.startsWith('time,'),
  marketFromFileName: (fileName) => binanceMarketFromFileName(fileName, 'liquidationSnapshot'),
  parseLine(line, ctx): LiquidationEvent[] {
    const c = splitCsv(line);
    expectColumns(c, 10, 'liquidationSnapshot');
    const side = forcedOrderSide(c[1]);
    const avg = Number(c[6]) > 0 ? price(c[6], 'average_price') : price(c[5]);
    const filled = quantity(c[9], 'accumulated_fill_quantity');
    const qty = Number(filled) > 0 ? filled : quantity(c[4], 'original_quantity');
    return [
      {
        kind: 'liquidation',
        market: requireMarket(ctx.market, 'liquidationSnapshot'),
        ts: epochToUs(c[0], 'time'),
        side,
        price: avg,
        qty,
        notional: null,
        key: `${side ?? '?'}:${avg}:${qty}`,
      },
    ];
  },
};
