import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The live indexer's Prometheus registry (`liqmap ingest live --metrics-port`). */
export const liveRegistry = new Registry();
collectDefaultMetrics({ register: liveRegistry, prefix: 'liqmap_live_process_' });

const lagBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300];

/** Live feed metrics; every one is set by the feeds. */
export const liveMetrics = {
  frames: new Counter({ name: 'liqmap_live_frames_total', help: 'Websocket text frames received', labelNames: ['venue'], registers: [liveRegistry] }),
  events: new Counter({ name: 'liqmap_live_events_committed_total', help: 'Canonical events committed (new rows), per market and kind', labelNames: ['market', 'kind'], registers: [liveRegistry] }),
  backfilled: new Counter({ name: 'liqmap_live_backfilled_trades_total', help: 'Trades fetched from REST history to fill disconnects and dropped frames', labelNames: ['market'], registers: [liveRegistry] }),
  gaps: new Counter({ name: 'liqmap_live_gaps_total', help: 'Ranges REST history could not fill (recorded in live_gaps)', labelNames: ['market', 'stream'], registers: [liveRegistry] }),
  quarantined: new Counter({ name: 'liqmap_live_quarantined_total', help: 'Malformed frames quarantined', labelNames: ['venue'], registers: [liveRegistry] }),
  reconnects: new Counter({ name: 'liqmap_live_reconnects_total', help: 'Connections closed and reopened, by reason', labelNames: ['venue', 'reason'], registers: [liveRegistry] }),
  connected: new Gauge({ name: 'liqmap_live_connected', help: '1 while the market’s connection is open', labelNames: ['market'], registers: [liveRegistry] }),
  caughtUp: new Gauge({ name: 'liqmap_live_caught_up', help: '1 once the market’s backfill after its last (re)connect is done', labelNames: ['market'], registers: [liveRegistry] }),
  buffered: new Gauge({ name: 'liqmap_live_buffered_events', help: 'Events received and not yet committed', labelNames: ['market'], registers: [liveRegistry] }),
  commitLag: new Histogram({ name: 'liqmap_live_commit_lag_seconds', help: 'Exchange time of a trade to its row committed', labelNames: ['venue'], buckets: lagBuckets, registers: [liveRegistry] }),
  batchSeconds: new Histogram({ name: 'liqmap_live_batch_seconds', help: 'Duration of one committed batch (COPY + checkpoint)', labelNames: ['venue'], buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5], registers: [liveRegistry] }),
  writeFailures: new Counter({ name: 'liqmap_live_write_failures_total', help: 'Batch writes that failed and were retried', labelNames: ['market'], registers: [liveRegistry] }),
};
