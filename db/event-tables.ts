import type { CanonicalEvent, EventKind } from './events.js';
import { csvField as f, timestampText as t } from './copy-csv.js';

/** How one event kind maps to its table: columns, natural key, and a COPY CSV encoder. */
export interface EventTable<K extends EventKind = EventKind> {
  readonly kind: K;
  readonly table: string;
  readonly columns: readonly string[];
  /** The natural key (the primary key), used for `on conflict do nothing`. */
  readonly key: readonly string[];
  /** The natural key of one event as one string (for de-duplicating within a batch). */
  keyOf(e: Extract<CanonicalEvent, { kind: K }>): string;
  /** Encodes one event as a CSV line (with the trailing newline). */
  encode(e: Extract<CanonicalEvent, { kind: K }>): string;
}

const tables: { [K in EventKind]: EventTable<K> } = {
  trade: {
    kind: 'trade',
    table: 'trades',
    columns: ['market_id', 'ts', 'trade_id', 'price', 'qty', 'side'],
    key: ['market_id', 'ts', 'trade_id'],
    keyOf: (e) => `${e.market}|${e.ts}|${e.tradeId}`,
    encode: (e) => `${f(e.market)},${t(e.ts)},${f(e.tradeId)},${e.price},${e.qty},${e.side ?? ''}\n`,
  },
  funding: {
    kind: 'funding',
    table: 'funding_rates',
    columns: ['market_id', 'ts', 'rate', 'mark_price', 'interval_hours'],
    key: ['market_id', 'ts'],
    keyOf: (e) => `${e.market}|${e.ts}`,
    encode: (e) => `${f(e.market)},${t(e.ts)},${e.rate},${e.markPrice ?? ''},${e.intervalHours ?? ''}\n`,
  },
  liquidation: {
    kind: 'liquidation',
    table: 'liquidations',
    columns: ['market_id', 'ts', 'key', 'side', 'price', 'qty', 'notional', 'sampled'],
    key: ['market_id', 'ts', 'key'],
    keyOf: (e) => `${e.market}|${e.ts}|${e.key}`,
    encode: (e) =>
      `${f(e.market)},${t(e.ts)},${f(e.key)},${e.side ?? ''},${e.price},${e.qty ?? ''},${e.notional ?? ''},${e.sampled === true ? 't' : 'f'}\n`,
  },
  open_interest: {
    kind: 'open_interest',
    table: 'open_interest',
    columns: ['market_id', 'ts', 'oi_qty', 'oi_value'],
    key: ['market_id', 'ts'],
    keyOf: (e) => `${e.market}|${e.ts}`,
    encode: (e) => `${f(e.market)},${t(e.ts)},${e.oiQty},${e.oiValue ?? ''}\n`,
  },
  mark_price: {
    kind: 'mark_price',
    table: 'mark_prices',
    columns: ['market_id', 'ts', 'mark_price', 'index_price', 'funding_rate'],
    key: ['market_id', 'ts'],
    keyOf: (e) => `${e.market}|${e.ts}`,
    encode: (e) => `${f(e.market)},${t(e.ts)},${e.markPrice},${e.indexPrice ?? ''},${e.fundingRate ?? ''}\n`,
  },
  candle: {
    kind: 'candle',
    table: 'candles',
    columns: [
      'market_id', 'price_type', 'interval_s', 'ts', 'open', 'high', 'low', 'close', 'volume', 'quote_volume', 'trade_count',
    ],
    key: ['market_id', 'price_type', 'interval_s', 'ts'],
    keyOf: (e) => `${e.market}|${e.priceType}|${e.intervalS}|${e.ts}`,
    encode: (e) =>
      `${f(e.market)},${e.priceType},${e.intervalS},${t(e.ts)},${e.open},${e.high},${e.low},${e.close},${e.volume ?? ''},${e.quoteVolume ?? ''},${e.tradeCount ?? ''}\n`,
  },
};

/** The table of an event kind. */
export function eventTable<K extends EventKind>(kind: K): EventTable<K> {
  return tables[kind] as EventTable<K>;
}
