import type { CanonicalEvent, TradeEvent } from '../../db/index.js';
import type { RestClient } from './rest-client.js';

/** One market a live feed follows: `venue:SYMBOL` split into its parts. */
export interface LiveMarket {
  /** `binance:BTCUSDT`, `okx:BTC-USDT-SWAP`, `hyperliquid:BTC`. */
  readonly id: string;
  readonly venue: string;
  /** The venue's own symbol (instId, coin). */
  readonly symbol: string;
}

/** The newest stored trade of a market: where REST backfill resumes. */
export interface TradeCursor {
  /** Epoch µs. */
  readonly ts: number;
  readonly tradeId: string;
}

/** One text frame, read by a venue's parser. */
export type ParsedFrame =
  /** Canonical events (any markets of the connection), with the stream they came on. */
  | { readonly type: 'events'; readonly stream: string; readonly events: readonly CanonicalEvent[] }
  /** Pong, subscription acknowledgement, snapshot bookkeeping: nothing to store. */
  | { readonly type: 'control' }
  /** A frame that does not match the venue's documented shape: quarantined, the feed goes on. */
  | { readonly type: 'malformed'; readonly stream: string; readonly market: string | null; readonly field: string | null; readonly reason: string }
  /** The venue refused something (a subscription): logged, the connection is restarted. */
  | { readonly type: 'refused'; readonly reason: string };

/** One page of a REST history backfill of trades. */
export interface TradeBackfill {
  /** Trades after the cursor, in exchange order (overlap with stored rows is harmless). */
  readonly trades: readonly TradeEvent[];
  /** Whether another call (from the advanced cursor) returns more. */
  readonly more: boolean;
  /**
   * Set when the venue's REST history could not reach back to the cursor: the range (epoch µs)
   * that stays missing, and why. Recorded in `live_gaps`, never silent.
   */
  readonly gap?: { readonly fromUs: number; readonly toUs: number; readonly reason: string };
}

/** A periodic REST poll (open interest where the venue has no stream for it). */
export interface VenuePoll {
  readonly name: string;
  readonly intervalMs: number;
  run(market: LiveMarket): Promise<CanonicalEvent[]>;
}

/** How a connection keeps itself alive. */
export interface Heartbeat {
  /** How often to send it. */
  readonly intervalMs: number;
  /** The text frame to send, or null for a websocket protocol ping. */
  readonly message: string | null;
}

/**
 * One venue's live feed: how to reach it, what to subscribe, how to read its frames, and how
 * to backfill a disconnect from its REST history. One small module per venue (`venues/*.ts`),
 * registered in `registry.ts`; the connection, buffering, checkpoints and backfill policy are
 * shared (`feed-connection.ts`, `market-feed.ts`).
 *
 * An instance serves one connection's markets and may keep per-market state (a ticker snapshot
 * that deltas merge into, contract values).
 */
export interface VenueFeed {
  readonly venue: string;
  /** Most markets one connection carries (the venue's subscription limits). */
  readonly marketsPerConnection: number;
  /** Websocket URL of a connection for these markets. */
  url(markets: readonly LiveMarket[]): string;
  /** Text frames to send once open (subscriptions), in order. */
  subscribe(markets: readonly LiveMarket[]): string[];
  /** Gap between two subscribe frames (the venue's inbound message rate limit), ms. */
  readonly subscribeSpacingMs: number;
  readonly heartbeat: Heartbeat;
  /** The venue closes connections after this long (Binance: 24 h); we reconnect a little before. */
  readonly maxConnectionMs: number | null;
  /** Streams whose missed frames no REST endpoint returns: a disconnect records a gap for each. */
  readonly unrecoverableStreams: readonly string[];
  /**
   * A connection opened, before its first frame: state that spans frames (a funding rollover)
   * must not bridge the hole since the previous connection.
   */
  onConnect?(): void;
  /** Fetches what parsing needs before the first connection (contract values). */
  prepare?(markets: readonly LiveMarket[]): Promise<void>;
  /** Reads one text frame. Must not throw. */
  parse(text: string): ParsedFrame;
  /**
   * Where `next` sits in the venue's trade sequence after `prev`: `next` directly follows,
   * `gap` (frames were dropped: backfill the hole), `seen` (a duplicate, or a late frame the
   * backfill already stored). Venues with consecutive trade ids (Binance aggregate trades)
   * have it; without it only disconnects trigger a backfill.
   */
  sequence?(prev: TradeCursor, next: TradeEvent): 'next' | 'gap' | 'seen';
  /**
   * One page of trades after `cursor` from REST history, up to `until` (the first trade the
   * stream delivered after the hole; null: up to now).
   */
  backfillTrades(market: LiveMarket, cursor: TradeCursor, until: TradeEvent | null): Promise<TradeBackfill>;
  /** Other REST history for a disconnected range (epoch µs), e.g. open interest, settled funding. */
  backfillOther?(market: LiveMarket, fromUs: number, toUs: number): Promise<CanonicalEvent[]>;
  readonly polls?: readonly VenuePoll[];
}

/** What a venue module needs to build its feed. */
export interface VenueContext {
  readonly wsUrl: string;
  readonly rest: RestClient;
  /** Open-interest poll interval where the venue needs polling (0: off). */
  readonly pollIntervalMs: number;
  /** Receive clock, epoch ms, for pushes that carry no time (default Date.now; a replay's clock in tests). */
  readonly now?: (() => number) | undefined;
}

/** A venue module: builds the feed of one connection. */
export type VenueFeedFactory = (ctx: VenueContext) => VenueFeed;
