/**
 * Canonical events: what every source is normalised into and what the store writes.
 *
 * Conventions, shared by every event:
 * - `market` is `exchange:SYMBOL` in lower-case exchange and upper-case symbol, e.g. `binance:BTCUSDT`.
 * - `ts` is the event time in **epoch microseconds** (UTC). Microseconds because Tardis and
 *   Postgres `timestamptz` both carry them; a plain number is exact up to year 2255.
 * - Prices are quote currency per one base unit, quantities are base units, notionals are quote
 *   currency. They are **decimal strings** exactly as the source printed them (validated), so no
 *   float rounding happens between a file and the database.
 */

/** Side of the *taker* (aggressor) of a trade, or of a forced order. */
export type OrderSide = 'buy' | 'sell';

/** One executed trade (or one aggregate trade: `tradeId` is then prefixed `agg:`). */
export interface TradeEvent {
  readonly kind: 'trade';
  readonly market: string;
  readonly ts: number;
  /** Exchange trade id; aggregate trades use `agg:<id>` so both id spaces can coexist. */
  readonly tradeId: string;
  readonly price: string;
  readonly qty: string;
  /** Taker side, when the source says it. */
  readonly side: OrderSide | null;
  /** Buyer and seller accounts, where the venue publishes them (stored in `trade_parties`). */
  readonly users?: readonly [buyer: string, seller: string];
}

/** A funding rate print (the rate applied at `ts`, per the venue's own interval). */
export interface FundingEvent {
  readonly kind: 'funding';
  readonly market: string;
  readonly ts: number;
  /** Rate as a fraction (0.0001 = 0.01%) for one funding interval. */
  readonly rate: string;
  /** Mark price the payment was computed at, when the source gives it (quote). */
  readonly markPrice: string | null;
  /** Funding interval in hours, when known (Binance 8, Hyperliquid 1). */
  readonly intervalHours: number | null;
}

/** A forced order (liquidation) that the venue executed. */
export interface LiquidationEvent {
  readonly kind: 'liquidation';
  readonly market: string;
  readonly ts: number;
  /** Side of the forced order: `sell` liquidates a long, `buy` liquidates a short. `null`: unknown. */
  readonly side: OrderSide | null;
  /** Execution (or, where the venue only gives it, bankruptcy) price, quote. */
  readonly price: string;
  /** Size in base units, when the source gives it. */
  readonly qty: string | null;
  /** Size in quote currency, when the source gives it (else price × qty). */
  readonly notional: string | null;
  /**
   * Natural key within the market and timestamp. Force orders carry no exchange id, so it is
   * built from the row's own fields; the ingest pipeline appends `#n` for the n-th identical row.
   */
  readonly key: string;
  /**
   * The venue publishes only a sample of its liquidations on this stream (Binance
   * `forceOrder`: at most one per symbol per second), so sums undercount. Default false.
   */
  readonly sampled?: boolean;
}

/** An open-interest snapshot. */
export interface OpenInterestEvent {
  readonly kind: 'open_interest';
  readonly market: string;
  readonly ts: number;
  /** Open interest in base units (one side of the book). */
  readonly oiQty: string;
  /** Open interest in quote currency, when given. */
  readonly oiValue: string | null;
}

/** A mark/index price sample. */
export interface MarkPriceEvent {
  readonly kind: 'mark_price';
  readonly market: string;
  readonly ts: number;
  readonly markPrice: string;
  readonly indexPrice: string | null;
  /** The venue's current (estimated) funding rate, fraction per interval. */
  readonly fundingRate: string | null;
}

/** What a candle's prices are of. */
export type CandlePriceType = 'trade' | 'mark' | 'index' | 'premium';

/** An OHLCV bar; `ts` is its open time. */
export interface CandleEvent {
  readonly kind: 'candle';
  readonly market: string;
  readonly ts: number;
  readonly intervalS: number;
  readonly priceType: CandlePriceType;
  readonly open: string;
  readonly high: string;
  readonly low: string;
  readonly close: string;
  /** Volume in base units. */
  readonly volume: string | null;
  /** Volume in quote currency. */
  readonly quoteVolume: string | null;
  readonly tradeCount: number | null;
}

/** Any canonical event. */
export type CanonicalEvent =
  | TradeEvent
  | FundingEvent
  | LiquidationEvent
  | OpenInterestEvent
  | MarkPriceEvent
  | CandleEvent;

/** The `kind` of a canonical event. */
export type EventKind = CanonicalEvent['kind'];

/** Every event kind, in a stable order. */
export const EVENT_KINDS: readonly EventKind[] = [
  'trade',
  'funding',
  'liquidation',
  'open_interest',
  'mark_price',
  'candle',
];
