import { Decimal } from 'decimal.js';
import type { TradeEvent } from '../../db/index.js';
import type { Format } from './format.js';
import { RowError } from './format.js';
import { expectColumns, ident, price, quantity, splitCsv } from './fields.js';

const HEADER = 'timestamp,symbol,side,size,price,tickDirection,trdMatchID';

/** Bybit's seconds-with-fraction timestamps (`1585180700.0647`) → epoch µs, exactly. */
function secondsToUs(raw: string | undefined): number {
  const s = (raw ?? '').trim();
  if (!/^\d{9,11}(\.\d{1,9})?$/.test(s)) throw new RowError('timestamp', `timestamp must be epoch seconds like 1585180700.0647, got "${s.slice(0, 30)}"`);
  return new Decimal(s).mul(1_000_000).floor().toNumber();
}

/**
 * Bybit public trading history (public.bybit.com/trading/…): `timestamp, symbol, side, size,
 * price, tickDirection, trdMatchID, grossValue, homeNotional, foreignNotional` with the time in
 * epoch seconds and a fraction, `side` the taker side (`Buy`/`Sell`).
 */
export const bybitTrades: Format = {
  name: 'bybit-trades',
  description: 'Bybit public trading history CSV (timestamp,symbol,side,size,price,tickDirection,trdMatchID,…)',
  needsMarket: false,
  detect: (_fileName, firstLine) => firstLine.startsWith(HEADER),
  isHeader: (line) => line.startsWith('timestamp,'),
  marketFromFileName: () => null,
  parseLine(line, ctx): TradeEvent[] {
    const c = splitCsv(line);
    expectColumns(c, 10, 'Bybit trades');
    const side = c[2]?.trim().toLowerCase();
    if (side !== 'buy' && side !== 'sell') throw new RowError('side', `side must be Buy or Sell, got "${c[2]}"`);
    const ts = secondsToUs(c[0]);
    if (ts < Date.UTC(2009, 0, 1) * 1000 || ts > Date.UTC(2100, 0, 1) * 1000) throw new RowError('timestamp', `timestamp ${c[0]} is out of range`);
    return [
      {
        kind: 'trade',
        market: ctx.market ?? `bybit:${ident(c[1], 'symbol').toUpperCase()}`,
        ts,
        tradeId: ident(c[6], 'trdMatchID'),
        price: price(c[4]),
        qty: quantity(c[3], 'size'),
        side,
      },
    ];
  },
};
