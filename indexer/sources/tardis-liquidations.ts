import type { LiquidationEvent } from '../../db/index.js';
import type { Format } from './format.js';
import { RowError } from './format.js';
import { epochToUs, expectColumns, ident, price, quantity, splitCsv } from './fields.js';
import { symbolMarket } from './venues.js';

/**
 * Tardis.dev normalized `liquidations` CSV. Same columns as its trades (`exchange, symbol,
 * timestamp, local_timestamp, id, side, price, amount`), told apart by the file name
 * (`binance-futures_liquidations_2020-02-01_BTCUSDT.csv.gz`). `side` is the forced order's side:
 * `buy` closes a liquidated short, `sell` a liquidated long.
 */
export const tardisLiquidations: Format = {
  name: 'tardis-liquidations',
  description: 'Tardis.dev normalized liquidations CSV (same columns as trades; "liquidations" in the file name)',
  needsMarket: false,
  detect: (fileName, firstLine) => /liquidations/i.test(fileName) && firstLine.startsWith('exchange,symbol,timestamp,local_timestamp,id,side,price,amount'),
  isHeader: (line) => line.startsWith('exchange,'),
  marketFromFileName: () => null,
  parseLine(line, ctx): LiquidationEvent[] {
    const c = splitCsv(line);
    expectColumns(c, 8, 'Tardis liquidations');
    const side = c[5]?.trim();
    if (side !== 'buy' && side !== 'sell' && side !== 'unknown') throw new RowError('side', `side must be buy, sell or unknown, got "${side}"`);
    const px = price(c[6]);
    const qty = quantity(c[7], 'amount');
    const s = side === 'unknown' ? null : side;
    return [
      {
        kind: 'liquidation',
        market: ctx.market ?? symbolMarket(ident(c[0], 'exchange'), ident(c[1], 'symbol')),
        ts: epochToUs(c[2], 'timestamp'),
        side: s,
        price: px,
        qty,
        notional: null,
        key: c[4]?.trim() ? `id:${ident(c[4], 'id')}` : `${s ?? '?'}:${px}:${qty}`,
      },
    ];
  },
};
