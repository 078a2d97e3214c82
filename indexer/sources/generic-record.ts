import type { CanonicalEvent, CandlePriceType } from '../../db/index.js';
import type { LineContext } from './format.js';
import { RowError } from './format.js';
import { printable } from '../../base/index.js';
import { MARKET_ID_RULE, isMarketId } from '../../db/index.js';
import { MAX_CANDLE_INTERVAL_S, ident, optionalQuantity, price, quantity, signedDecimal, timeToUs, tradeCount } from './fields.js';
import { forcedOrderSide } from './multivenue-liquidations.js';

/** A row of the generic layout: column (or JSON key) → text. */
export type GenericRecord = Readonly<Record<string, string | undefined>>;

const KINDS = ['trade', 'funding', 'liquidation', 'open_interest', 'mark_price', 'candle'] as const;
const PRICE_TYPES: readonly CandlePriceType[] = ['trade', 'mark', 'index', 'premium'];

function opt(r: GenericRecord, k: string): string | undefined {
  const v = r[k];
  return v === undefined || v.trim() === '' ? undefined : v;
}

function takerSide(raw: string | undefined): 'buy' | 'sell' | null {
  const s = (raw ?? '').trim().toLowerCase();
  if (s === '') return null;
  if (s === 'buy' || s === 'sell') return s;
  throw new RowError('side', `side must be buy or sell, got ${printable(s, 20)}`);
}

/**
 * Turns one generic-layout row into a canonical event. The layout (documented in
 * indexer/sources/README.md): `kind`, `market` (or `--market`), `time` (ISO-8601 or epoch
 * ms/µs/ns), then per kind — trade: `price, qty[, side, id]`; funding: `rate[, mark_price,
 * interval_hours]`; liquidation: `price[, side, qty, notional, id]`; open_interest:
 * `oi[, oi_value]`; mark_price: `mark_price[, index_price, funding_rate]`; candle:
 * `interval, open, high, low, close[, volume, quote_volume, trades, price_type]`.
 */
export function genericEvent(r: GenericRecord, ctx: LineContext): CanonicalEvent {
  const kind = (r.kind ?? '').trim();
  if (!(KINDS as readonly string[]).includes(kind)) {
    throw new RowError('kind', `kind must be one of ${KINDS.join(', ')}, got "${kind.slice(0, 20)}"`);
  }
  const market = opt(r, 'market')?.trim() ?? ctx.market;
  if (!market || !isMarketId(market)) {
    throw new RowError('market', market ? `market must be ${MARKET_ID_RULE}, got ${printable(market, 40)}` : 'market is empty and no --market was given');
  }
  const ts = timeToUs(r.time ?? r.ts ?? r.timestamp, 'time');
  switch (kind as (typeof KINDS)[number]) {
    case 'trade': {
      const px = price(r.price);
      const qty = quantity(r.qty);
      const side = takerSide(r.side);
      return { kind: 'trade', market, ts, tradeId: opt(r, 'id') !== undefined ? ident(r.id, 'id') : `t:${ts}:${side ?? ''}:${px}:${qty}`, price: px, qty, side };
    }
    case 'funding': {
      const hours = opt(r, 'interval_hours');
      if (hours !== undefined && !(Number(hours) > 0 && Number(hours) <= 24)) throw new RowError('interval_hours', `interval_hours must be a number of hours in (0, 24], got ${printable(hours, 40)}`);
      return { kind: 'funding', market, ts, rate: signedDecimal(r.rate, 'rate'), markPrice: opt(r, 'mark_price') ? price(r.mark_price, 'mark_price') : null, intervalHours: hours === undefined ? null : Number(hours) };
    }
    case 'liquidation': {
      const px = price(r.price);
      const side = forcedOrderSide(r.side);
      const qty = optionalQuantity(r.qty, 'qty');
      const notional = optionalQuantity(r.notional, 'notional');
      if (qty === null && notional === null) throw new RowError('qty', 'a liquidation needs qty or notional');
      return { kind: 'liquidation', market, ts, side, price: px, qty, notional, key: opt(r, 'id') !== undefined ? ident(r.id, 'id') : `${side ?? '?'}:${px}:${qty ?? ''}:${notional ?? ''}` };
    }
    case 'open_interest':
      return { kind: 'open_interest', market, ts, oiQty: quantity(r.oi, 'oi'), oiValue: optionalQuantity(r.oi_value, 'oi_value') };
    case 'mark_price':
      return {
        kind: 'mark_price',
        market,
        ts,
        markPrice: price(r.mark_price, 'mark_price'),
        indexPrice: opt(r, 'index_price') ? price(r.index_price, 'index_price') : null,
        fundingRate: opt(r, 'funding_rate') ? signedDecimal(r.funding_rate, 'funding_rate') : null,
      };
    case 'candle': {
      const interval = Number(ident(r.interval, 'interval'));
      if (!Number.isInteger(interval) || interval <= 0 || interval > MAX_CANDLE_INTERVAL_S) {
        throw new RowError('interval', `interval must be a whole number of seconds from 1 to ${MAX_CANDLE_INTERVAL_S} (a year), got ${printable(r.interval ?? '', 40)}`);
      }
      const pt = (opt(r, 'price_type') ?? 'trade').trim() as CandlePriceType;
      if (!PRICE_TYPES.includes(pt)) throw new RowError('price_type', `price_type must be one of ${PRICE_TYPES.join(', ')}`);
      const trades = opt(r, 'trades');
      return {
        kind: 'candle',
        market,
        ts,
        intervalS: interval,
        priceType: pt,
        open: price(r.open, 'open'),
        high: price(r.high, 'high'),
        low: price(r.low, 'low'),
        close: price(r.close, 'close'),
        volume: optionalQuantity(r.volume, 'volume'),
        quoteVolume: optionalQuantity(r.quote_volume, 'quote_volume'),
        tradeCount: trades === undefined ? null : tradeCount(trades, 'trades'),
      };
    }
  }
}
