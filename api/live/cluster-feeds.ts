import { firstBucketChangedSince, newestCheckpointStamp } from '../../db/index.js';
import type { ApiDeps } from '../context.js';
import { createLoaders } from '../context.js';
import { userError } from '../errors.js';
import { ensureResults } from '../levels/results.js';
import { clustersAt } from '../schema/levels.js';
import { SharedFeeds, type Versioned } from './shared-feeds.js';

/** How often a market's poller looks for a newly computed bucket, ms. */
export const CLUSTER_POLL_MS = 1000;

/**
 * A market's clusters (default parameters) at its newest computed bucket, unfiltered; with
 * `changedFrom`, the start of the earliest bucket (epoch µs, as `at`) rewritten since the feed's
 * previous snapshot (null: none, the results were rolled back and not yet recomputed), and the
 * results' stamp it was read at.
 */
export type ClustersSnapshot = Awaited<ReturnType<typeof clustersAt>> & {
  readonly changedFrom: number | null;
  readonly stamp: { readonly paramsHash: string; readonly t: number; readonly dataVersion: number };
};

/** Options of {@link createClusterFeeds}. */
export interface ClusterFeedsOptions {
  readonly intervalMs?: number;
  readonly onRead?: (market: string) => void;
  readonly onCount?: (pollers: number, subscribers: number) => void;
}

/**
 * The `clustersUpdated` feeds: per market, one poller reads the newest checkpoint of the
 * default parameter set and, when its bucket or data version changed, the clusters there — once
 * for every subscriber of the market, who each filter it (side, limit, notional) as it is sent.
 * A read is what an anonymous query does: missing results are handed to the workers, never
 * computed here.
 */
export function createClusterFeeds(deps: ApiDeps, options: ClusterFeedsOptions = {}): SharedFeeds<ClustersSnapshot> {
  const read = async (market: string, previous: Versioned<ClustersSnapshot> | null): Promise<Versioned<ClustersSnapshot>> => {
    // Fresh loaders per read: a request's caches must not outlive it.
    const ctx = { ...deps, loaders: createLoaders(deps.store), authorized: false };
    const ref = await ensureResults(ctx, market, {});
    const cp = await newestCheckpointStamp(deps.store, market, ref.paramsHash);
    // ensureResults has just seen a checkpoint; one removed since (a rollback) is read next time.
    if (!cp) {
      if (previous) return previous;
      throw userError('NOT_READY', `levels of "${market}" were removed while being read (a recompute); subscribe again shortly`);
    }
    const version = `${ref.paramsHash}:${cp.t}:${cp.dataVersion}:${ref.basis}`;
    if (previous?.version === version) return previous;
    // Late data recomputes buckets older than the newest: the page repaints from the earliest.
    const since = previous ? previous.value.stamp : null;
    const changed = since && since.paramsHash === ref.paramsHash ? await firstBucketChangedSince(deps.store, market, ref.paramsHash, since) : cp.t;
    const clusters = await clustersAt(ctx, ref, cp.t, { side: null, limit: Infinity, minNotional: -Infinity, check: false });
    const value = { ...clusters, changedFrom: changed === null ? null : changed * 1000, stamp: { paramsHash: ref.paramsHash, t: cp.t, dataVersion: cp.dataVersion } };
    return { version, value };
  };
  return new SharedFeeds<ClustersSnapshot>({
    intervalMs: options.intervalMs ?? CLUSTER_POLL_MS,
    read,
    onRead: options.onRead,
    // A subscriber that skipped a snapshot still learns of the buckets it changed.
    merge: (older, newer) => ({ ...newer, changedFrom: older.changedFrom === null ? newer.changedFrom : newer.changedFrom === null ? older.changedFrom : Math.min(older.changedFrom, newer.changedFrom) }),
    onCount: options.onCount,
    onError: (market, err) => deps.logger.warn({ at: 'api#clusterFeeds', market, err }, 'reading the clusters of a subscribed market failed; retrying'),
  });
}

/** One subscriber's view of a snapshot: its side, minimum notional and limit applied. */
export function filterClusters(s: ClustersSnapshot, args: { side: 'LONG' | 'SHORT' | null; limit: number; minNotional: number }): ClustersSnapshot {
  return { ...s, clusters: s.clusters.filter((c) => (args.side === null || c.side === args.side) && c.notional >= args.minNotional).slice(0, args.limit) };
}
