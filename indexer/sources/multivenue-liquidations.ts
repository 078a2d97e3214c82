import type { LiquidationEvent, OrderSide } from '../../db/index.js';
import type { Format } from './format.js';
import { RowError } from './format.js';
import { expectColumns, ident, price, quantity, splitCsv, timeToUs } from './fields.js';
import { perpMarket } from './venues.js';

/**
 * The forced order's side from a liquidation record's side column. `buy` (a short was
 * liquidated) and `sell` (a long was) are explicit; `long`/`short` name the liquidated position;
 * Hyperliquid's own fills say `B` (bid: bought) and `A` (ask: sold) of the liquidated account.
 * Hyperliquid exports that carry a bare `S` for every row do not say which side was hit, so it
 * is stored as unknown rather than guessed.
 */
export function forcedOrderSide(raw: string | undefined): OrderSide | null {
  const s = (raw ?? '').trim().toLowerCase();
  if (s === 'buy' || s === 'b' || s === 'bid' || s === 'short') return 'buy';
  if (s === 'sell' || s === 'a' || s === 'ask' || s === 'long') return 'sell';
  if (s === 's' || s === '' || s === 'unknown') return null;
  throw new RowError('side', `side must be buy, sell, long, short, B, A or S, got "${s.slice(0, 20)}"`);
}

/**
 * Multi-venue liquidation records: `timestamp, venue, coin, side, size_usd, price` (size in
 * quote currency). Records carry no id: the key is built from side, price and size, and the
 * pipeline numbers identical rows at one timestamp (`#0`, `#1`, …) so none is lost.
 */
export const multivenueLiquidations: Format = {
  name: 'multivenue-liquidations',
  description: 'multi-venue liquidation records CSV (timestamp,venue,coin,side,size_usd,price)',
  needsMarket: false,
  detect: (_fileName, firstLine) => firstLine.startsWith('timestamp,venue,coin,side,size_usd,price'),
  isHeader: (line) => line.startsWith('timestamp,'),
  marketFromFileName: () => null,
  parseLine(line): LiquidationEvent[] {
    const c = splitCsv(line);
    expectColumns(c, 6, 'liquidations');
    const side = forcedOrderSide(c[3]);
    const px = price(c[5]);
    const size = quantity(c[4], 'size_usd');
    return [
      {
        kind: 'liquidation',
        market: perpMarket(ident(c[1], 'venue'), ident(c[2], 'coin')),
        ts: timeToUs(c[0], 'timestamp'),
        side,
        price: px,
        qty: null,
        notional: size,
        key: `${side ?? '?'}:${px}:${size}`,
      },
    ];
  },
};
