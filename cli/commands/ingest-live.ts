import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { LiqmapError, type Config, type Logger } from '../../base/index.js';
import type { BatchResult, Store } from '../../db/index.js';
import { liveRegistry, parseLiveMarkets, readMarketsFile, startLiveIndexer, type LiveIndexer } from '../../indexer/live/index.js';

/** Parsed flags of `liqmap ingest live` (and `liqmap start --live`). */
export const liveFlags = z.object({
  market: z.array(z.string()).default([]),
  marketsFile: z.string().optional(),
  metricsPort: z.coerce.number().int().min(0).max(65535).default(9465),
  flushMs: z.coerce.number().int().min(10).max(60_000).default(250),
  liveBatch: z.coerce.number().int().min(1).max(100_000).default(5000),
  maxBuffer: z.coerce.number().int().min(100).max(10_000_000).default(200_000),
  oiInterval: z.coerce.number().min(0).max(3600).default(15),
  maxConnectionAge: z.coerce.number().min(1).max(7 * 86_400).optional(),
});

export type LiveFlags = z.infer<typeof liveFlags>;

/** The markets to follow: `--market` flags, then `--markets-file`, else `LIQMAP_LIVE_MARKETS`. */
export function liveMarketsOf(flags: LiveFlags, config: Config) {
  const entries = [...flags.market, ...(flags.marketsFile ? readMarketsFile(flags.marketsFile) : [])];
  if (entries.length === 0 && config.LIQMAP_LIVE_MARKETS) entries.push(config.LIQMAP_LIVE_MARKETS);
  if (entries.length === 0) {
    throw new LiqmapError('INPUT_INVALID', 'liqmap ingest live needs markets: --market binance:BTCUSDT (repeatable), --markets-file FILE, or LIQMAP_LIVE_MARKETS');
  }
  return parseLiveMarkets(entries);
}

/** A running live ingest with its probe server. */
export interface LiveRun {
  readonly indexer: LiveIndexer;
  /** The `/healthz`, `/readyz`, `/metrics` port (null when off). */
  readonly port: number | null;
  stop(): Promise<void>;
}

/**
 * Starts the live indexer and, on `metricsPort`, `/healthz` (the process is up), `/readyz`
 * (every feed connected and caught up with its backfill; 503 with each market's state
 * otherwise) and `/metrics` (the live feeds' and the jobs' Prometheus metrics).
 */
export async function runLiveIngest(
  deps: { store: Store; config: Config; logger: Logger; onBatch: (r: BatchResult) => Promise<void> | void; extraRegistry?: Registry },
  flags: LiveFlags,
): Promise<LiveRun> {
  const markets = liveMarketsOf(flags, deps.config);
  const indexer = await startLiveIndexer({
    store: deps.store,
    config: deps.config,
    logger: deps.logger,
    markets,
    onBatch: deps.onBatch,
    flushMs: flags.flushMs,
    batchRows: flags.liveBatch,
    maxBuffered: flags.maxBuffer,
    pollIntervalMs: flags.oiInterval * 1000,
    maxConnectionMs: flags.maxConnectionAge === undefined ? undefined : flags.maxConnectionAge * 1000,
  });
  const registry = deps.extraRegistry ? Registry.merge([liveRegistry, deps.extraRegistry]) : liveRegistry;
  let server: Server | null = null;
  if (flags.metricsPort > 0) {
    server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/healthz') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      } else if (path === '/readyz') {
        const ready = indexer.ready();
        res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: ready ? 'ready' : 'not ready', markets: indexer.status() }));
      } else if (path === '/metrics' || path === '/') {
        void registry.metrics().then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text));
      } else res.writeHead(404).end();
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', (e: NodeJS.ErrnoException) => reject(new LiqmapError('CONFIG_INVALID', `--metrics-port ${flags.metricsPort}: ${e.code === 'EADDRINUSE' ? 'the port is in use' : e.message}`)));
      server!.listen(flags.metricsPort, () => resolve());
    }).catch(async (e: unknown) => {
      await indexer.stop();
      throw e;
    });
  }
  const port = server ? (server.address() as AddressInfo).port : null;
  deps.logger.info({ at: 'live#run', markets: markets.map((m) => m.id), port }, 'following markets live');
  return {
    indexer,
    port,
    async stop() {
      server?.close();
      await indexer.stop();
    },
  };
}
