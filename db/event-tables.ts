import type { CanonicalEvent, EventKind, OrderSide } from './events.js';
import type { BinaryColumnType, CopyRowBuffer } from './copy-binary.js';

/** How one event kind maps to its table: columns, natural key, and a binary COPY row encoder. */
export interface EventTable<K extends EventKind = EventKind> {
  readonly kind: K;
  readonly table: string;
  readonly columns: readonly string[];
  /** The type of each column, in {@link columns} order. */
  readonly types: readonly BinaryColumnType[];
  /** The natural key (the primary key), used for `on conflict do nothing`. */
  readonly key: readonly string[];
  /** The natural key of one event as one string (for de-duplicating within a batch). */
  keyOf(e: Extract<CanonicalEvent, { kind: K }>): string;
  /** Appends one event as a binary COPY row. */
  write(e: Extract<CanonicalEvent, { kind: K }>, out: CopyRowBuffer): void;
}

const tables: { [K in EventKind]: EventTable<K> } = {
  trade: {
    kind: 'trade',
    table: 'trades',
    columns: ['market_id', 'ts', 'trade_id', 'price', 'qty', 'side'],
    types: ['text', 'timestamptz', 'text', 'numeric', 'numeric', 'text'],
    key: ['market_id', 'ts', 'trade_id'],
    keyOf: (e) => `${e.market}|${e.ts}|${e.tradeId}`,
    // writeTradeSpans (below) writes the same row from a line's spans: change both together.
    write: (e, o) => {
      o.startRow(6);
      o.text(e.market);
      o.timestamptz(e.ts);
      o.text(e.tradeId);
      o.numeric(e.price);
      o.numeric(e.qty);
      o.text(e.side);
    },
  },
  funding: {
    kind: 'funding',
    table: 'funding_rates',
    columns: ['market_id', 'ts', 'rate', 'mark_price', 'interval_hours'],
    types: ['text', 'timestamptz', 'numeric', 'numeric', 'float4'],
    key: ['market_id', 'ts'],
    keyOf: (e) => `${e.market}|${e.ts}`,
    write: (e, o) => {
      o.startRow(5);
      o.text(e.market);
      o.timestamptz(e.ts);
      o.numeric(e.rate);
      o.numeric(e.markPrice);
      o.float4(e.intervalHours);
    },
  },
  liquidation: {
    kind: 'liquidation',
    table: 'liquidations',
    columns: ['market_id', 'ts', 'key', 'side', 'price', 'qty', 'notional', 'sampled'],
    types: ['text', 'timestamptz', 'text', 'text', 'numeric', 'numeric', 'numeric', 'bool'],
    key: ['market_id', 'ts', 'key'],
    keyOf: (e) => `${e.market}|${e.ts}|${e.key}`,
    write: (e, o) => {
      o.startRow(8);
      o.text(e.market);
      o.timestamptz(e.ts);
      o.text(e.key);
      o.text(e.side);
      o.numeric(e.price);
      o.numeric(e.qty);
      o.numeric(e.notional);
      o.bool(e.sampled === true);
    },
  },
  open_interest: {
    kind: 'open_interest',
    table: 'open_interest',
    columns: ['market_id', 'ts', 'oi_qty', 'oi_value'],
    types: ['text', 'timestamptz', 'numeric', 'numeric'],
    key: ['market_id', 'ts'],
    keyOf: (e) => `${e.market}|${e.ts}`,
    write: (e, o) => {
      o.startRow(4);
      o.text(e.market);
      o.timestamptz(e.ts);
      o.numeric(e.oiQty);
      o.numeric(e.oiValue);
    },
  },
  mark_price: {
    kind: 'mark_price',
    table: 'mark_prices',
    columns: ['market_id', 'ts', 'mark_price', 'index_price', 'funding_rate'],
    types: ['text', 'timestamptz', 'numeric', 'numeric', 'numeric'],
    key: ['market_id', 'ts'],
    keyOf: (e) => `${e.market}|${e.ts}`,
    write: (e, o) => {
      o.startRow(5);
      o.text(e.market);
      o.timestamptz(e.ts);
      o.numeric(e.markPrice);
      o.numeric(e.indexPrice);
      o.numeric(e.fundingRate);
    },
  },
  candle: {
    kind: 'candle',
    table: 'candles',
    columns: [
      'market_id', 'price_type', 'interval_s', 'ts', 'open', 'high', 'low', 'close', 'volume', 'quote_volume', 'trade_count',
    ],
    types: ['text', 'text', 'int4', 'timestamptz', 'numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'int4'],
    key: ['market_id', 'price_type', 'interval_s', 'ts'],
    keyOf: (e) => `${e.market}|${e.priceType}|${e.intervalS}|${e.ts}`,
    write: (e, o) => {
      o.startRow(11);
      o.text(e.market);
      o.text(e.priceType);
      o.int4(e.intervalS);
      o.timestamptz(e.ts);
      o.numeric(e.open);
      o.numeric(e.high);
      o.numeric(e.low);
      o.numeric(e.close);
      o.numeric(e.volume);
      o.numeric(e.quoteVolume);
      o.int4(e.tradeCount);
    },
  },
};

/**
 * A trade whose id, price and size are spans of one source line (`line[from, to)`), for a
 * format's fast path: encoded in place, no strings or event object built. The spans hold what
 * the format's own parser would have returned, already validated (plain decimals, ASCII id).
 */
export interface TradeSpans {
  market: string;
  ts: number;
  line: string;
  /** Put before the id span (`agg:` for aggregate trades). */
  idPrefix: string;
  idFrom: number;
  idTo: number;
  priceFrom: number;
  priceTo: number;
  qtyFrom: number;
  qtyTo: number;
  side: OrderSide;
}

/** Appends a {@link TradeSpans} as a `trades` row: the same bytes as the table's `write` of the equal event. */
export function writeTradeSpans(t: TradeSpans, o: CopyRowBuffer): void {
  o.startRow(6);
  o.text(t.market);
  o.timestamptz(t.ts);
  o.textRange(t.line, t.idFrom, t.idTo, t.idPrefix);
  o.numericRange(t.line, t.priceFrom, t.priceTo);
  o.numericRange(t.line, t.qtyFrom, t.qtyTo);
  o.text(t.side);
}

/** The table of an event kind. */
export function eventTable<K extends EventKind>(kind: K): EventTable<K> {
  return tables[kind] as EventTable<K>;
}
