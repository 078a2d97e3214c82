import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import type { Logger } from '../../base/index.js';
import { exponentialBackoff, type Backoff } from './backoff.js';
import type { MarketFeed } from './market-feed.js';
import { liveMetrics } from './metrics.js';
import type { VenueFeed } from './venue-feed.js';

/** Connection timing of a {@link FeedConnection}. */
export interface ConnectionOptions {
  /** No frame (data, pong) for this long: the connection is considered dead and replaced, ms. */
  readonly idleTimeoutMs: number;
  readonly handshakeTimeoutMs: number;
  readonly backoff?: Backoff;
  /** A connection that stayed up this long resets the backoff, ms. */
  readonly stableAfterMs?: number;
  /** Replace a connection after this long even if the venue's own limit is later, ms (default: the venue's). */
  readonly maxConnectionMs?: number | undefined;
}

/**
 * One websocket connection of a venue, carrying up to the venue's per-connection limit of
 * markets. Opens, subscribes, keeps itself alive (the venue's heartbeat; the `ws` client
 * answers protocol pings itself), watches for silence, reconnects before the venue's forced
 * close, and reconnects with jittered exponential backoff after any close. Frames are parsed
 * by the venue and routed to their markets; malformed ones are quarantined and the feed goes
 * on. When a market's buffer passes its bound, the connection is dropped until the buffers
 * drain (the markets backfill the gap from REST when it reopens), never dropping events.
 */
export class FeedConnection {
  readonly #venue: VenueFeed;
  readonly #markets: Map<string, MarketFeed>;
  readonly #opts: ConnectionOptions;
  readonly #backoff: Backoff;
  readonly #log: Logger;
  #ws: WebSocket | null = null;
  /** Every open socket: during a handover the old one stays open until the new one is subscribed. */
  readonly #sockets = new Set<WebSocket>();
  #stopped = false;
  #overloaded = false;
  #wake: (() => void) | null = null;
  #run: Promise<void> | null = null;

  constructor(venue: VenueFeed, markets: readonly MarketFeed[], logger: Logger, options: ConnectionOptions) {
    this.#venue = venue;
    this.#markets = new Map(markets.map((m) => [m.market.id, m]));
    this.#opts = options;
    this.#backoff = options.backoff ?? exponentialBackoff({ baseMs: 500, maxMs: 30_000 });
    this.#log = logger.child({ at: 'live#connection', venue: venue.venue, markets: markets.map((m) => m.market.id) });
    for (const m of markets) m.onOverload = () => this.#overload();
  }

  get markets(): readonly MarketFeed[] {
    return [...this.#markets.values()];
  }

  /** Starts the connect/reconnect loop. */
  start(): void {
    this.#run ??= this.#loop();
  }

  /** Closes the connection and stops reconnecting. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const ws of this.#sockets) ws.close(1000, 'shutdown');
    this.#wake?.();
    await this.#run;
  }

  #overload(): void {
    if (this.#overloaded) return;
    this.#overloaded = true;
    this.#log.warn({ buffered: this.markets.map((m) => m.buffered) }, 'buffer bound reached: disconnecting until the database catches up (the gap is backfilled)');
    // Cut at once: frames still in the socket's buffers fall into the gap the markets backfill.
    for (const ws of this.#sockets) ws.terminate();
  }

  async #loop(): Promise<void> {
    const markets = this.markets;
    let attempt = 0;
    /** The connection being replaced (its maximum age): open until the next one is subscribed. */
    let previous: WebSocket | null = null;
    while (!this.#stopped) {
      if (this.#overloaded) {
        // Reopen only once every buffer is below half its bound and the held trades below half of
        // their half: the catch-up of the cut connection goes on releasing them from REST meanwhile
        // (a new connection would restart it, and with many held its first frame cut it again:
        // reconnecting every few ms, no catch-up ever finishing). Past 30 s, reopen anyway.
        const since = Date.now();
        const full = (m: MarketFeed) => m.committable * 2 > m.maxBuffered || (m.held * 4 > m.maxBuffered && Date.now() - since < 30_000);
        while (!this.#stopped && markets.some(full)) {
          await Promise.all(markets.map((m) => m.flush()));
          await sleep(50);
        }
        this.#overloaded = false;
      }
      if (this.#stopped) break;
      const opened = Date.now();
      const { reason, handover } = await this.#connectOnce(previous);
      previous = handover;
      if (handover) {
        // Make before break: the old connection goes on delivering (duplicates are dropped by
        // their keys) until the new one has subscribed, so a planned replacement loses nothing.
        liveMetrics.reconnects.inc({ venue: this.#venue.venue, reason });
        this.#log.info({ reason }, 'replacing the connection: the new one opens before this one closes');
        if (this.#stopped) handover.close(1000, 'shutdown');
        continue;
      }
      for (const m of markets) m.onDisconnected(reason);
      if (this.#stopped) break;
      liveMetrics.reconnects.inc({ venue: this.#venue.venue, reason: reason.split(':')[0]! });
      if (Date.now() - opened >= (this.#opts.stableAfterMs ?? 30_000)) attempt = 0;
      // A planned close (the venue's maximum connection age, backpressure) reconnects at once.
      const planned = reason === 'max-age' || reason === 'backpressure';
      const delay = planned ? 0 : this.#backoff.delay(attempt++);
      this.#log.info({ reason, delayMs: Math.round(delay) }, 'reconnecting');
      if (delay > 0) await this.#sleep(delay);
    }
  }

  /** Interruptible sleep (stop() wakes it). */
  async #sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
    this.#wake = null;
  }

  /**
   * One connection's life; resolves with why it ended, or early with `handover` (this socket,
   * still open) when it reached its maximum age: the next connection retires it once subscribed.
   * `previous` is the socket being replaced: closed when this one is subscribed or fails.
   */
  #connectOnce(previous: WebSocket | null): Promise<{ reason: string; handover: WebSocket | null }> {
    const markets = this.markets;
    const url = this.#venue.url(markets.map((m) => m.market));
    return new Promise<{ reason: string; handover: WebSocket | null }>((settle) => {
      let reason: string | null = null;
      let handedOver = false;
      let subscribed = false;
      const resolve = (why: string) => settle({ reason: why, handover: null });
      let lastFrame = Date.now();
      const timers: NodeJS.Timeout[] = [];
      const ws = new WebSocket(url, { handshakeTimeout: this.#opts.handshakeTimeoutMs, perMessageDeflate: false });
      this.#ws = ws;
      this.#sockets.add(ws);
      const retirePrevious = () => {
        if (!previous) return;
        const old = previous;
        previous = null;
        old.close(1000, 'replaced');
        setTimeout(() => old.terminate(), 2000).unref();
      };
      // The replaced socket closing by itself before this one took over: an ordinary hole.
      previous?.once('close', () => {
        if (previous === null) return;
        previous = null;
        this.#venue.onConnect?.();
        for (const m of markets) m.onDisconnected('closed while being replaced');
      });
      const end = (why: string, code = 1000) => {
        reason ??= why;
        if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) {
          if (code === 1006) ws.terminate();
          else ws.close(code, why.slice(0, 100));
          // A peer that never answers the close handshake is cut off.
          timers.push(setTimeout(() => ws.terminate(), 2000));
        }
      };
      ws.on('open', () => {
        this.#log.info({ url }, 'connected');
        // A handover is no hole: the old connection's stream state still holds.
        if (!previous) this.#venue.onConnect?.();
        lastFrame = Date.now();
        void (async () => {
          for (const frame of this.#venue.subscribe(markets.map((m) => m.market))) {
            if (ws.readyState !== WebSocket.OPEN) return;
            ws.send(frame);
            if (this.#venue.subscribeSpacingMs > 0) await sleep(this.#venue.subscribeSpacingMs);
          }
          if (ws.readyState !== WebSocket.OPEN) return;
          // The replaced connection closes once this one's stream flows (every subscription sent
          // and an event received after), or after 5 s of a quiet market.
          subscribed = true;
          timers.push(setTimeout(retirePrevious, 5000));
          for (const m of markets) m.onConnected();
        })();
        const hb = this.#venue.heartbeat;
        timers.push(
          setInterval(() => {
            if (ws.readyState !== WebSocket.OPEN) return;
            if (hb.message === null) ws.ping();
            else ws.send(hb.message);
          }, hb.intervalMs),
        );
        timers.push(
          setInterval(() => {
            if (Date.now() - lastFrame > this.#opts.idleTimeoutMs) end(`silent for ${this.#opts.idleTimeoutMs} ms`, 1006);
          }, Math.min(1000, this.#opts.idleTimeoutMs)),
        );
        // Reconnect a little before the venue's own forced close (jittered, so many connections do not reopen together).
        const maxAge = Math.min(this.#venue.maxConnectionMs ?? Infinity, this.#opts.maxConnectionMs ?? Infinity);
        if (maxAge < Infinity) {
          timers.push(
            setTimeout(() => {
              if (reason !== null || ws.readyState !== WebSocket.OPEN) return;
              handedOver = true;
              settle({ reason: 'max-age', handover: ws });
            }, maxAge * (0.97 - Math.random() * 0.02)),
          );
        }
      });
      ws.on('pong', () => {
        lastFrame = Date.now();
      });
      ws.on('ping', () => {
        lastFrame = Date.now();
      });
      ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
        lastFrame = Date.now();
        if (isBinary) return;
        if (this.#onFrame(data.toString()) && subscribed) retirePrevious();
      });
      ws.on('error', (err) => {
        this.#log.warn({ err: err.message }, 'websocket error');
        reason ??= `error: ${err.message}`;
      });
      ws.on('close', (code, why) => {
        for (const t of timers) clearTimeout(t);
        this.#sockets.delete(ws);
        if (this.#ws === ws) this.#ws = null;
        // A new connection that failed takes the one it was to replace with it (an ordinary reconnect).
        if (previous) {
          const old = previous;
          previous = null;
          old.terminate();
        }
        if (this.#overloaded) reason ??= 'backpressure';
        if (handedOver) return;
        resolve(reason ?? `closed by the venue: ${code}${why.length > 0 ? ` ${why.toString()}` : ''}`);
      });
    });
  }

  /** Routes one text frame; true when it carried events (the stream is flowing). */
  #onFrame(text: string): boolean {
    liveMetrics.frames.inc({ venue: this.#venue.venue });
    // Disconnecting for backpressure: what still arrives is part of the gap that is backfilled.
    if (this.#overloaded) return false;
    const frame = this.#venue.parse(text);
    switch (frame.type) {
      case 'control':
        return false;
      case 'refused':
        this.#log.error({ reason: frame.reason }, 'the venue refused a request');
        return false;
      case 'malformed': {
        const m = (frame.market !== null ? this.#markets.get(frame.market) : undefined) ?? this.markets[0]!;
        m.quarantine(frame.stream, frame.field, frame.reason, text);
        return false;
      }
      case 'events': {
        if (frame.events.length === 0) return false;
        // Most frames carry one market: route in runs of the same market.
        let start = 0;
        const evs = frame.events;
        for (let i = 1; i <= evs.length; i++) {
          if (i === evs.length || evs[i]!.market !== evs[start]!.market) {
            this.#markets.get(evs[start]!.market)?.accept(start === 0 && i === evs.length ? evs : evs.slice(start, i));
            start = i;
          }
        }
        return true;
      }
    }
  }
}
