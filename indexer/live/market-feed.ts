import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../base/index.js';
import { getCheckpoint, timestampText, type BatchResult, type BatchWriter, type CanonicalEvent, type QuarantinedRow, type RawTx, type Store, type TradeEvent } from '../../db/index.js';
import { exponentialBackoff } from './backoff.js';
import { HeldTrades } from './held-trades.js';
import { liveMetrics } from './metrics.js';
import type { LiveMarket, TradeCursor, VenueFeed } from './venue-feed.js';

/** A range a feed missed and could not fill from REST (a `live_gaps` row). */
export interface LiveGap {
  readonly market: string;
  readonly stream: string;
  readonly fromUs: number;
  readonly toUs: number;
  readonly reason: string;
}

/** What a market feed resumes from: its checkpoint's state. */
interface FeedState {
  /** Newest trade stored (REST backfill resumes after it). */
  readonly cursor: TradeCursor | null;
  /** Newest exchange time of anything stored: a restart records unrecoverable gaps from here. */
  readonly lastSeenUs: number | null;
}

/** Batching and backpressure settings of a market feed. */
export interface MarketFeedOptions {
  /** Commit at least this often while events wait, ms. */
  readonly flushMs: number;
  /** Or as soon as this many events wait. */
  readonly batchRows: number;
  /** Bound of events held in memory; past it the connection is dropped and backfilled later. */
  readonly maxBuffered: number;
}

/** What a market feed writes with and tells. */
export interface MarketFeedDeps {
  readonly store: Store;
  readonly writer: BatchWriter;
  readonly logger: Logger;
  /** Called after each committed batch (jobs/ enqueues compute for the market). */
  readonly onBatch?: ((result: BatchResult) => Promise<void> | void) | undefined;
}

/** A market feed's state for `/readyz` and logs. */
export interface MarketFeedStatus {
  readonly market: string;
  readonly connected: boolean;
  readonly caughtUp: boolean;
  readonly buffered: number;
  /** Of them, trades held until a backfill reaches them. */
  readonly held: number;
  readonly rowsWritten: number;
  readonly cursor: TradeCursor | null;
  readonly gaps: number;
}

const RECENT_KEYS = 50_000;
/** Time-keyed venues backfill from a little before the cursor: late frames committed after it are re-read. */
export const TIME_OVERLAP_US = 5_000_000;

/**
 * One market of a live feed: receives its events from the connection, holds trades back while
 * REST history fills a hole (after a (re)connect, or a dropped frame detected by the venue's
 * trade sequence), and commits batches — every `flushMs` or `batchRows` events — with the
 * feed's checkpoint (newest stored trade, newest exchange time) through the exactly-once batch
 * writer, so a crash at any point resumes without losing or duplicating a row. Ranges no REST
 * endpoint can fill are recorded in `live_gaps` in the same transaction.
 */
export class MarketFeed {
  readonly market: LiveMarket;
  readonly sourceKey: string;
  readonly #venue: VenueFeed;
  readonly #deps: MarketFeedDeps;
  readonly #opts: MarketFeedOptions;
  readonly #log: Logger;

  /** Ready to commit, in arrival order. */
  #buffer: CanonicalEvent[] = [];
  /** Trades after a hole, waiting for the backfill to reach them. */
  readonly #held = new HeldTrades();
  #quarantine: QuarantinedRow[] = [];
  #gaps: LiveGap[] = [];
  /** Newest trade accepted into the buffer (ahead of the committed one). */
  #cursor: TradeCursor | null = null;
  #committed: FeedState = { cursor: null, lastSeenUs: null };
  #rowsWritten = 0;
  #rowsQuarantined = 0;
  #lastQuarantineLine = 0;
  #gapCount = 0;
  /** Recently accepted natural keys: duplicate frames are dropped before they reach a batch. */
  #recent = new Set<string>();
  #connected = false;
  #caughtUp = false;
  /** Bumped on each (re)connect: a catch-up of an older connection does not mark this one caught up. */
  #generation = 0;
  #catchUp: Promise<void> = Promise.resolve();
  /** Unrecoverable streams are missing from here until the first event of the new connection. */
  #gapOpenFromUs: number | null = null;
  #gapReason = '';
  /**
   * Other REST history (open interest, settled funding) is missing from here: the newest event
   * before the oldest disconnect not yet backfilled (taken when it happens, not at the reconnect,
   * when the new connection's first frames have moved the newest event past the hole).
   */
  #holeFromUs: number | null = null;
  #writing: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #writeFailures = 0;
  #stopped = false;
  /** Set by the connection: asks it to drop and reconnect later (backpressure). */
  onOverload: (() => void) | null = null;

  constructor(market: LiveMarket, venue: VenueFeed, deps: MarketFeedDeps, options: MarketFeedOptions) {
    this.market = market;
    this.sourceKey = `live:${market.id}`;
    this.#venue = venue;
    this.#deps = deps;
    this.#opts = options;
    this.#log = deps.logger.child({ at: 'live#market', market: market.id });
  }

  /** Loads the checkpoint and starts the commit timer. */
  async init(): Promise<void> {
    const cp = await getCheckpoint(this.#deps.store, this.sourceKey);
    if (cp) {
      const s = cp.state as Partial<FeedState>;
      this.#committed = { cursor: s.cursor ?? null, lastSeenUs: s.lastSeenUs ?? null };
      this.#cursor = this.#committed.cursor;
      this.#rowsWritten = cp.rowsWritten;
      this.#rowsQuarantined = cp.rowsQuarantined;
      // Whatever the streams without REST history sent while no process followed them is a gap.
      if (this.#committed.lastSeenUs !== null) {
        this.#gapOpenFromUs = this.#committed.lastSeenUs;
        this.#gapReason = 'not followed (restarted)';
        this.#holeFromUs = this.#committed.lastSeenUs;
      }
    }
    this.#timer = setInterval(() => void this.flush(), this.#opts.flushMs);
    this.#timer.unref();
  }

  /** Events ready to commit (not counting trades held for a backfill). */
  get committable(): number {
    return this.#buffer.length;
  }

  /** Trades held until a backfill reaches them. */
  get held(): number {
    return this.#held.size;
  }

  /** The buffer bound. */
  get maxBuffered(): number {
    return this.#opts.maxBuffered;
  }

  /** Events received and not yet committed. */
  get buffered(): number {
    return this.#buffer.length + this.#held.size;
  }

  status(): MarketFeedStatus {
    return { market: this.market.id, connected: this.#connected, caughtUp: this.#caughtUp, buffered: this.buffered, held: this.#held.size, rowsWritten: this.#rowsWritten, cursor: this.#committed.cursor, gaps: this.#gapCount };
  }

  /** The connection is open and subscribed: backfill what was missed since the last event. */
  onConnected(): void {
    this.#connected = true;
    this.#caughtUp = false;
    const generation = ++this.#generation;
    liveMetrics.connected.set({ market: this.market.id }, 1);
    liveMetrics.caughtUp.set({ market: this.market.id }, 0);
    this.#catchUp = this.#catchUp.then(() => this.#runCatchUp(generation, this.#holeFromUs)).catch((e: unknown) => {
      this.#log.error({ err: e }, 'backfill failed; it is retried on the next reconnect');
      this.onOverload?.();
    });
  }

  /** The connection closed (`reason` for the gap record). */
  onDisconnected(reason: string): void {
    // Not only once subscribed: a venue may stream before the last subscription frame is sent,
    // and a cut then is as much a hole in the streams without REST history.
    const lastSeen = this.#lastSeenUs();
    if (lastSeen !== null && this.#gapOpenFromUs === null) {
      this.#gapOpenFromUs = lastSeen;
      this.#gapReason = `disconnected (${reason})`;
    }
    if (lastSeen !== null) this.#holeFromUs ??= lastSeen;
    this.#connected = false;
    this.#caughtUp = false;
    // What the next connection delivers lies after a hole, even when this one was cut before
    // its own catch-up released what it held.
    this.#held.cut();
    liveMetrics.connected.set({ market: this.market.id }, 0);
    liveMetrics.caughtUp.set({ market: this.market.id }, 0);
  }

  /** Events of this market from one frame. */
  accept(events: readonly CanonicalEvent[]): void {
    let occurrences: Map<string, number> | null = null;
    for (let e of events) {
      // An event from before the hole (a replayed snapshot, a late frame) does not close it.
      if (this.#gapOpenFromUs !== null && e.ts > this.#gapOpenFromUs) this.#closeUnrecoverableGap(e.ts);
      if (e.kind === 'trade') this.#acceptTrade(e);
      else {
        if (e.kind === 'liquidation') {
          // Force orders carry no id: the n-th identical one in a frame gets `#n` (as the n-th
          // identical row of a file does), and the same frame received twice stays one row.
          occurrences ??= new Map();
          const k = `${e.ts}|${e.key}`;
          const n = occurrences.get(k) ?? 0;
          occurrences.set(k, n + 1);
          e = { ...e, key: `${e.key}#${n}` };
        }
        this.#push(e);
      }
    }
    this.#afterAccept();
  }

  /** Events of this market from a REST poll (they say nothing about the connection). */
  acceptPolled(events: readonly CanonicalEvent[]): void {
    for (const e of events) this.#push(e);
    this.#afterAccept();
  }

  /** A frame of this market that could not be read. */
  quarantine(stream: string, field: string | null, reason: string, raw: string): void {
    // The quarantine key is (source, line): a live source numbers its rows by receive time, µs.
    const line = Math.max(this.#lastQuarantineLine + 1, Date.now() * 1000);
    this.#lastQuarantineLine = line;
    this.#quarantine.push({ file: `${this.market.venue} ${stream}`, line, field, reason, raw: raw.slice(0, 16_384) });
    this.#rowsQuarantined++;
    liveMetrics.quarantined.inc({ venue: this.market.venue });
  }

  /** Commits what waits (one batch at a time). */
  async flush(): Promise<void> {
    if (this.#writing) return this.#writing;
    if (this.#buffer.length === 0 && this.#quarantine.length === 0 && this.#gaps.length === 0) return;
    this.#writing = this.#writeOnce().finally(() => {
      this.#writing = null;
    });
    return this.#writing;
  }

  /** Commits everything that waits (used on shutdown); held trades stay for the next run's backfill. */
  async drain(): Promise<void> {
    for (let i = 0; i < 1000 && (this.#buffer.length > 0 || this.#quarantine.length > 0 || this.#gaps.length > 0 || this.#writing); i++) {
      await this.flush();
      if (this.#writeFailures > 0) await sleep(100);
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#catchUp.catch(() => {});
    await this.drain();
  }

  // --- internals ---

  #lastSeenUs(): number | null {
    let m = this.#committed.lastSeenUs;
    for (const e of this.#buffer) if (m === null || e.ts > m) m = e.ts;
    return m;
  }

  #closeUnrecoverableGap(toUs: number): void {
    const fromUs = this.#gapOpenFromUs!;
    this.#gapOpenFromUs = null;
    if (toUs <= fromUs) return;
    for (const stream of this.#venue.unrecoverableStreams) {
      this.#recordGap({ market: this.market.id, stream, fromUs, toUs, reason: `${this.#gapReason}; ${this.market.venue} has no REST history of ${stream}` });
    }
  }

  #recordGap(gap: LiveGap): void {
    this.#gaps.push(gap);
    this.#gapCount++;
    liveMetrics.gaps.inc({ market: gap.market, stream: gap.stream });
    this.#log.warn({ stream: gap.stream, from: new Date(gap.fromUs / 1000).toISOString(), to: new Date(gap.toUs / 1000).toISOString(), reason: gap.reason }, 'gap recorded');
  }

  #keyOf(e: CanonicalEvent): string | null {
    if (e.kind === 'trade') return `t|${e.ts}|${e.tradeId}`;
    if (e.kind === 'liquidation') return `l|${e.ts}|${e.key}`;
    return `${e.kind}|${e.ts}`;
  }

  /** Appends unless a duplicate of a recently accepted event. */
  #push(e: CanonicalEvent): boolean {
    const k = this.#keyOf(e);
    if (k !== null) {
      if (this.#recent.has(k)) return false;
      this.#recent.add(k);
      if (this.#recent.size > RECENT_KEYS) {
        // Forget the oldest half (a Set iterates in insertion order).
        let n = RECENT_KEYS / 2;
        for (const old of this.#recent) {
          this.#recent.delete(old);
          if (--n === 0) break;
        }
      }
    }
    this.#buffer.push(e);
    if (e.kind === 'trade' && (this.#cursor === null || e.ts >= this.#cursor.ts)) this.#cursor = { ts: e.ts, tradeId: e.tradeId };
    return true;
  }

  #acceptTrade(t: TradeEvent): void {
    if (!this.#caughtUp) {
      this.#held.push(t);
      return;
    }
    const seq = this.#cursor && this.#venue.sequence ? this.#venue.sequence(this.#cursor, t) : 'next';
    if (seq === 'seen') return;
    if (seq === 'gap') {
      // A dropped frame: hold this one and fill the hole from REST.
      this.#caughtUp = false;
      liveMetrics.caughtUp.set({ market: this.market.id }, 0);
      this.#held.push(t);
      const generation = this.#generation;
      this.#catchUp = this.#catchUp.then(() => this.#runCatchUp(generation, null)).catch((e: unknown) => {
        this.#log.error({ err: e }, 'backfill of a dropped frame failed; reconnecting');
        this.onOverload?.();
      });
      return;
    }
    this.#push(t);
  }

  #afterAccept(): void {
    liveMetrics.buffered.set({ market: this.market.id }, this.buffered);
    if (this.#buffer.length >= this.#opts.batchRows) void this.flush();
    // Trades held for a backfill get half the bound, the backfill's pages the other half.
    if (this.buffered > this.#opts.maxBuffered || this.#held.size > this.#opts.maxBuffered / 2) this.onOverload?.();
  }

  /**
   * Waits while the buffer is over half its bound (a long backfill never outruns the database):
   * with the held trades' half, at most the bound plus one REST page is in memory.
   */
  async #waitForRoom(): Promise<void> {
    while (!this.#stopped && this.#buffer.length >= this.#opts.maxBuffered / 2) {
      await this.flush();
      await sleep(Math.min(50, this.#opts.flushMs));
    }
  }

  /**
   * Fills from REST what lies between the cursor and the held trades, then releases them.
   * A hole that REST does not close after a few rounds is recorded as a gap.
   */
  async #runCatchUp(generation: number, otherFromUs: number | null): Promise<void> {
    const backoff = exponentialBackoff({ baseMs: 500, maxMs: 15_000 });
    /** Rounds the oldest held trade has waited for REST to close the hole before it. */
    let retries = 0;
    for (;;) {
      if (this.#stopped || generation !== this.#generation) return;
      const until = this.#held.first();
      if (this.#cursor !== null) {
        let failures = 0;
        for (;;) {
          if (this.#stopped) return;
          await this.#waitForRoom();
          let page;
          try {
            page = await this.#venue.backfillTrades(this.market, this.#cursor, until);
            failures = 0;
          } catch (e) {
            failures++;
            this.#log.warn({ err: e, failures }, 'REST backfill failed; retrying');
            if (failures >= 5) {
              if (until) {
                this.#recordGap({ market: this.market.id, stream: 'trades', fromUs: this.#cursor.ts, toUs: until.ts, reason: `REST history unavailable: ${(e as Error).message}` });
              }
              break;
            }
            await sleep(backoff.delay(failures - 1));
            continue;
          }
          let added = 0;
          for (const t of page.trades) {
            if (this.#cursor && this.#venue.sequence && this.#venue.sequence(this.#cursor, t) === 'seen') continue;
            if (this.#push(t)) added++;
          }
          liveMetrics.backfilled.inc({ market: this.market.id }, added);
          if (page.gap) this.#recordGap({ market: this.market.id, stream: 'trades', ...page.gap });
          if (!page.more || page.trades.length === 0) break;
        }
      }
      // Open interest and settled funding of the hole, once per catch-up (before the held trades
      // are released, so that trades arriving meanwhile are released by this loop too): up to the
      // newest event seen, which lies past the hole (overlap with the stream is harmless: keys).
      if (otherFromUs !== null && this.#venue.backfillOther) {
        const toUs = this.#lastSeenUs() ?? Date.now() * 1000;
        try {
          for (const e of await this.#venue.backfillOther(this.market, otherFromUs, toUs)) this.#push(e);
          // Filled: the next disconnect opens a hole of its own.
          if (this.#holeFromUs === otherFromUs) this.#holeFromUs = null;
        } catch (e) {
          this.#log.warn({ err: e }, 'REST backfill of open interest or funding failed; retried after the next reconnect (the live polls go on)');
        }
        otherFromUs = null;
      }
      // Release the oldest held segment, unless the stream still has a hole before one of its
      // trades; a later segment lies after another hole, backfilled from this one's end.
      if (generation !== this.#generation) return;
      const segment = this.#held.shift();
      const rest: TradeEvent[] = [];
      for (const t of segment) {
        if (rest.length > 0) {
          rest.push(t);
          continue;
        }
        const seq = this.#cursor && this.#venue.sequence ? this.#venue.sequence(this.#cursor, t) : 'next';
        if (seq === 'seen') continue;
        if (seq === 'gap') {
          if (retries < 3) {
            rest.push(t);
            continue;
          }
          this.#recordGap({ market: this.market.id, stream: 'trades', fromUs: this.#cursor!.ts, toUs: t.ts, reason: 'REST history did not return the trades between the stored ones and the stream' });
        }
        retries = 0;
        this.#push(t);
      }
      this.#held.unshift(rest);
      retries = rest.length > 0 ? retries + 1 : 0;
      if (this.#held.size === 0) break;
      await this.#waitForRoom();
    }
    if (generation === this.#generation && this.#connected) {
      this.#caughtUp = true;
      liveMetrics.caughtUp.set({ market: this.market.id }, 1);
      this.#afterAccept();
    }
  }

  async #writeOnce(): Promise<void> {
    const events = this.#buffer.slice(0, this.#opts.batchRows);
    // Taken out of the feed while written: what arrives meanwhile waits for the next batch.
    const quarantined = this.#quarantine;
    const gaps = this.#gaps;
    this.#quarantine = [];
    this.#gaps = [];
    // The checkpoint of this batch: the newest trade and exchange time it contains.
    let cursor = this.#committed.cursor;
    let lastSeenUs = this.#committed.lastSeenUs;
    for (const e of events) {
      if (lastSeenUs === null || e.ts > lastSeenUs) lastSeenUs = e.ts;
      if (e.kind === 'trade' && (cursor === null || e.ts >= cursor.ts)) cursor = { ts: e.ts, tradeId: e.tradeId };
    }
    const state: FeedState = { cursor, lastSeenUs };
    const parties = events.filter((e): e is TradeEvent & { users: readonly [string, string] } => e.kind === 'trade' && e.users !== undefined);
    const rowsWritten = this.#rowsWritten + events.length;
    const started = performance.now();
    let result: BatchResult;
    try {
      result = await this.#deps.writer.write({
        events,
        quarantined,
        checkpoint: { sourceKey: this.sourceKey, format: `live-${this.market.venue}`, fingerprint: 'live', line: 0, rowsWritten, rowsQuarantined: this.#rowsQuarantined, state, done: false },
        ...(gaps.length > 0 || parties.length > 0
          ? {
              alsoInTransaction: async (tx: RawTx) => {
                if (gaps.length > 0) await insertGaps(tx, gaps);
                if (parties.length > 0) await insertParties(tx, parties);
              },
            }
          : {}),
      });
    } catch (e) {
      this.#quarantine = [...quarantined, ...this.#quarantine];
      this.#gaps = [...gaps, ...this.#gaps];
      this.#writeFailures++;
      liveMetrics.writeFailures.inc({ market: this.market.id });
      this.#log.warn({ err: e, failures: this.#writeFailures }, 'batch write failed; kept in memory and retried');
      await sleep(Math.min(10_000, 100 * 2 ** Math.min(this.#writeFailures, 7)));
      return;
    }
    this.#writeFailures = 0;
    this.#buffer.splice(0, events.length);
    this.#committed = state;
    this.#rowsWritten = rowsWritten;
    const now = Date.now();
    liveMetrics.batchSeconds.observe({ venue: this.market.venue }, (performance.now() - started) / 1000);
    for (const e of events) if (e.kind === 'trade') liveMetrics.commitLag.observe({ venue: this.market.venue }, Math.max(0, now - e.ts / 1000) / 1000);
    for (const [kind, n] of Object.entries(result.inserted)) if (n > 0) liveMetrics.events.inc({ market: this.market.id, kind }, n);
    liveMetrics.buffered.set({ market: this.market.id }, this.buffered);
    if (result.touched.length > 0) {
      try {
        await this.#deps.onBatch?.(result);
      } catch (e) {
        this.#log.warn({ err: e }, 'could not enqueue compute for a committed batch; the scheduler refreshes stale markets');
      }
    }
  }
}

/**
 * One gap per (market, stream, start), spanning the furthest end: repeated disconnects before the
 * feed sees anything newer (backpressure cutting a connection while its trades are still held)
 * open gaps at the same start, and one upsert may not touch a row twice.
 */
export function mergeGaps(gaps: readonly LiveGap[]): LiveGap[] {
  const byKey = new Map<string, LiveGap>();
  for (const g of gaps) {
    const k = `${g.market}|${g.stream}|${g.fromUs}`;
    const had = byKey.get(k);
    byKey.set(k, had && had.toUs > g.toUs ? { ...g, toUs: had.toUs } : g);
  }
  return [...byKey.values()];
}

async function insertGaps(tx: RawTx, gaps: readonly LiveGap[]): Promise<void> {
  gaps = mergeGaps(gaps);
  await tx.query(
    `insert into live_gaps (market_id, stream, from_ts, to_ts, reason)
     select market, stream, from_ts::timestamptz, to_ts::timestamptz, reason
     from jsonb_to_recordset($1::text::jsonb) as r(market text, stream text, from_ts text, to_ts text, reason text)
     on conflict (market_id, stream, from_ts) do update set to_ts = greatest(live_gaps.to_ts, excluded.to_ts), reason = excluded.reason`,
    [JSON.stringify(gaps.map((g) => ({ market: g.market, stream: g.stream, from_ts: timestampText(g.fromUs), to_ts: timestampText(g.toUs), reason: g.reason })))],
  );
}

async function insertParties(tx: RawTx, trades: readonly (TradeEvent & { users: readonly [string, string] })[]): Promise<void> {
  await tx.query(
    `insert into trade_parties (market_id, ts, trade_id, buyer, seller)
     select market, ts::timestamptz, trade_id, buyer, seller
     from jsonb_to_recordset($1::text::jsonb) as r(market text, ts text, trade_id text, buyer text, seller text)
     on conflict do nothing`,
    [JSON.stringify(trades.map((t) => ({ market: t.market, ts: timestampText(t.ts), trade_id: t.tradeId, buyer: t.users[0], seller: t.users[1] })))],
  );
}
