import { silentLogger, type Logger } from '../../base/index.js';
import { BatchWriter, getCheckpoint, recordSubgraphRows, rollbackSubgraph, writeMarketState, writePositionChanges, type BatchResult, type Store } from '../../db/index.js';
import { GraphClient } from './graph-client.js';
import { pageGmxV2, type GmxV2Cursor } from './gmx-v2-pager.js';

/** Options of {@link ingestSubgraph}. */
export interface SubgraphIngestOptions {
  /** The subgraph's query URL, e.g. http://graph-node:8000/subgraphs/name/liqmap/gmx-v2. */
  readonly url: string;
  readonly protocol: 'gmx-v2';
  /** Keep polling at the head (a live indexer) instead of stopping there. */
  readonly follow?: boolean;
  /** Entities per query, 1..1000 (default 1000). */
  readonly pageSize?: number;
  /** First block to read when there is no checkpoint (default: GMX v2's start block). */
  readonly startBlock?: number;
  /** Retries per request on errors and `hasIndexingErrors` (default 6). */
  readonly retries?: number;
  readonly pollIntervalMs?: number;
  readonly onBatch?: (r: BatchResult) => Promise<void> | void;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
}

/** What an ingest did. */
export interface SubgraphIngestSummary {
  readonly sourceKey: string;
  readonly pages: number;
  readonly events: number;
  readonly inserted: number;
  readonly positions: number;
  readonly skipped: number;
  readonly reorgs: number;
  /** Where the next run resumes. */
  readonly cursor: GmxV2Cursor | null;
}

/** The checkpoint key of a subgraph source. */
export function subgraphSourceKey(url: string, protocol: string): string {
  return `subgraph:${protocol}:${url}`;
}

/**
 * `liqmap ingest subgraph <url> --protocol gmx-v2`: pages the subgraph in block order from the
 * source's checkpoint and commits each page's canonical events, positions (with history) and
 * cursor in one transaction. A reorg (the block hash at the cursor changed) rolls back what the
 * orphaned pages wrote and re-reads from the last page that is still on the chain. Entities that
 * cannot be mapped are quarantined with the reason.
 */
export async function ingestSubgraph(store: Store, opts: SubgraphIngestOptions): Promise<SubgraphIngestSummary> {
  const logger = opts.logger ?? silentLogger;
  const sourceKey = subgraphSourceKey(opts.url, opts.protocol);
  const writer = new BatchWriter(store);
  const client = new GraphClient({ url: opts.url, retries: opts.retries ?? 6, logger });
  const saved = await getCheckpoint(store, sourceKey);
  let from = (saved?.state as { cursor?: GmxV2Cursor } | undefined)?.cursor ?? null;
  let pages = 0;
  let events = 0;
  let inserted = 0;
  let positions = 0;
  let skipped = saved?.rowsQuarantined ?? 0;
  let written = saved?.rowsWritten ?? 0;
  let reorgs = 0;
  const checkpoint = (cursor: GmxV2Cursor | null, done: boolean) => ({
    sourceKey,
    format: `${opts.protocol}-subgraph`,
    fingerprint: opts.url,
    line: cursor?.block ?? 0,
    rowsWritten: written,
    rowsQuarantined: skipped,
    state: { cursor },
    done,
  });
  for (;;) {
    let restart: GmxV2Cursor | null | undefined;
    const pager = pageGmxV2({ client, from, follow: opts.follow ?? false, pageSize: opts.pageSize, startBlock: opts.startBlock, pollIntervalMs: opts.pollIntervalMs, logger, signal: opts.signal });
    for await (const page of pager) {
      if (page.reorg) {
        const resume = await rollbackSubgraph(store, sourceKey, page.reorg.safeBlock);
        restart = resume > 0 ? { block: resume, hash: '', id: null } : null;
        await writer.write({ events: [], checkpoint: checkpoint(restart, false) });
        reorgs++;
        logger.warn({ at: 'ingestSubgraph#reorg', safeBlock: page.reorg.safeBlock, resume }, 'reorg: rolled back and re-reading');
        break;
      }
      written += page.events.length;
      const quarantined = page.skipped.map((s, i) => ({ file: sourceKey, line: skipped + i + 1, field: 'entity', reason: s.reason, raw: s.id }));
      skipped += quarantined.length;
      const result = await writer.write({
        events: page.events,
        quarantined,
        checkpoint: checkpoint(page.cursor, false),
        alsoInTransaction: async (tx) => {
          await writePositionChanges(tx, page.positions);
          await writeMarketState(tx, page.state);
          await recordSubgraphRows(tx, sourceKey, page.cursor.block, page.events);
        },
      });
      pages++;
      events += page.events.length;
      positions += page.positions.length;
      inserted += Object.values(result.inserted).reduce((a, b) => a + b, 0);
      from = page.cursor;
      if (result.touched.length > 0 || page.positions.length > 0) await opts.onBatch?.(result);
      logger.info({ at: 'ingestSubgraph#page', block: page.cursor.block, head: page.head, events: page.events.length, positions: page.positions.length }, 'page committed');
    }
    if (restart === undefined) break;
    from = restart;
  }
  return { sourceKey, pages, events, inserted, positions, skipped, reorgs, cursor: from };
}
