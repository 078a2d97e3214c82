import type { Config, Logger } from '../../base/index.js';
import { BatchWriter, type BatchResult, type Store } from '../../db/index.js';
import type { Backoff } from './backoff.js';
import { FeedConnection } from './feed-connection.js';
import { MarketFeed, type MarketFeedOptions, type MarketFeedStatus } from './market-feed.js';
import { VENUE_FEEDS } from './registry.js';
import { createRestClient } from './rest-client.js';
import type { LiveMarket, VenueFeed } from './venue-feed.js';

/** Options of {@link startLiveIndexer}. */
export interface LiveIndexerOptions {
  readonly store: Store;
  readonly config: Config;
  readonly logger: Logger;
  readonly markets: readonly LiveMarket[];
  /** Called after each committed batch (jobs/ enqueues compute). */
  readonly onBatch?: ((result: BatchResult) => Promise<void> | void) | undefined;
  /** Commit interval, ms (default 250). */
  readonly flushMs?: number;
  /** Or this many events (default 5,000). */
  readonly batchRows?: number;
  /** Events held in memory per market before the connection is dropped (default 200,000). */
  readonly maxBuffered?: number;
  /** Open-interest poll interval where the venue needs polling, ms (default 15,000; 0: off). */
  readonly pollIntervalMs?: number;
  /** No frame for this long: reconnect, ms (default 30,000). */
  readonly idleTimeoutMs?: number;
  /** Replace each connection itself after this long, ms (default: the venue's forced-close age, Binance 24 h; a little before it). */
  readonly maxConnectionMs?: number | undefined;
  readonly backoff?: Backoff;
  /** Receive clock for pushes without a time (Hyperliquid's asset context), epoch ms (default Date.now). */
  readonly now?: (() => number) | undefined;
}

/** The live indexer as `liqmap ingest live` and `liqmap start --live` see it. */
export interface LiveIndexer {
  readonly markets: readonly LiveMarket[];
  status(): MarketFeedStatus[];
  /** Every feed connected and caught up with its backfill. */
  ready(): boolean;
  /** Closes the connections, commits what waits, stops. */
  stop(): Promise<void>;
}

function urlsOf(config: Config, venue: string): { ws: string; rest: string } {
  const key = venue.toUpperCase();
  const c = config as unknown as Record<string, string>;
  return { ws: c[`LIQMAP_${key}_WS_URL`]!, rest: c[`LIQMAP_${key}_REST_URL`]! };
}

/**
 * Starts following markets live: per venue, connections of up to its per-connection limit of
 * markets; per market, a feed that commits batches with its checkpoint and backfills
 * disconnects from REST. Several processes may split markets between them (each market's
 * checkpoint is its own source, `live:<market>`); two processes following the same market stay
 * correct (natural keys) but do the work twice.
 */
export async function startLiveIndexer(options: LiveIndexerOptions): Promise<LiveIndexer> {
  const writer = new BatchWriter(options.store);
  const feedOptions: MarketFeedOptions = { flushMs: options.flushMs ?? 250, batchRows: options.batchRows ?? 5_000, maxBuffered: options.maxBuffered ?? 200_000 };
  const pollIntervalMs = options.pollIntervalMs ?? 15_000;
  const connections: FeedConnection[] = [];
  const feeds: MarketFeed[] = [];
  const pollTimers: NodeJS.Timeout[] = [];
  const byVenue = new Map<string, LiveMarket[]>();
  for (const m of options.markets) byVenue.set(m.venue, [...(byVenue.get(m.venue) ?? []), m]);
  const abort = new AbortController();

  for (const [venue, markets] of byVenue) {
    const factory = VENUE_FEEDS[venue]!;
    const urls = urlsOf(options.config, venue);
    const rest = createRestClient({ venue, baseUrl: urls.rest, signal: abort.signal });
    const probe = factory({ wsUrl: urls.ws, rest, pollIntervalMs, now: options.now });
    for (let i = 0; i < markets.length; i += probe.marketsPerConnection) {
      const group = markets.slice(i, i + probe.marketsPerConnection);
      // Each connection gets its own venue instance (per-connection parse state).
      const venueFeed: VenueFeed = i === 0 ? probe : factory({ wsUrl: urls.ws, rest, pollIntervalMs, now: options.now });
      // What parsing needs (contract values) before the first frame: a market the venue does
      // not list, or a REST API that stays down, stops start-up with one line.
      await venueFeed.prepare?.(group);
      const groupFeeds = group.map((m) => new MarketFeed(m, venueFeed, { store: options.store, writer, logger: options.logger, onBatch: options.onBatch }, feedOptions));
      for (const f of groupFeeds) await f.init();
      feeds.push(...groupFeeds);
      connections.push(new FeedConnection(venueFeed, groupFeeds, options.logger, { idleTimeoutMs: options.idleTimeoutMs ?? 30_000, handshakeTimeoutMs: 10_000, maxConnectionMs: options.maxConnectionMs, ...(options.backoff ? { backoff: options.backoff } : {}) }));
      for (const poll of venueFeed.polls ?? []) {
        for (const f of groupFeeds) {
          const run = async () => {
            try {
              f.acceptPolled(await poll.run(f.market));
            } catch (e) {
              if (!abort.signal.aborted) options.logger.warn({ at: 'live#poll', market: f.market.id, poll: poll.name, err: (e as Error).message }, 'poll failed; next one at the interval');
            }
          };
          void run();
          const t = setInterval(() => void run(), poll.intervalMs);
          t.unref();
          pollTimers.push(t);
        }
      }
    }
  }
  for (const c of connections) c.start();
  options.logger.info({ at: 'live#start', markets: options.markets.map((m) => m.id), connections: connections.length }, 'live indexer started');
  return {
    markets: options.markets,
    status: () => feeds.map((f) => f.status()),
    ready: () => feeds.every((f) => {
      const s = f.status();
      return s.connected && s.caughtUp;
    }),
    async stop() {
      for (const t of pollTimers) clearInterval(t);
      abort.abort();
      await Promise.all(connections.map((c) => c.stop()));
      await Promise.all(feeds.map((f) => f.stop()));
    },
  };
}
