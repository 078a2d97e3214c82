import { firstBucketInput, loadBucketParts, loadModelEvents, readBucketInputs, type Store } from '../../db/index.js';
import type { CheckLoader } from './check-spec.js';

/**
 * A check's data from a store: the bucket inputs stored with the results (results computed
 * before inputs were stored fall back to the SQL aggregation run again), and raw events.
 */
export function storeLoader(store: Store): CheckLoader {
  const stored = new Map<string, boolean>();
  const hasStored = async (market: string, hash: string) => {
    const k = `${market}|${hash}`;
    if (!stored.has(k)) stored.set(k, (await firstBucketInput(store, market, hash)) !== null);
    return stored.get(k)!;
  };
  return {
    async bucketInputs(market, hash, widthMs, fromMs, toMs) {
      return (await hasStored(market, hash)) ? readBucketInputs(store, market, hash, fromMs, toMs) : loadBucketParts(store, market, fromMs, toMs, widthMs);
    },
    async firstBucket(market, hash) {
      return firstBucketInput(store, market, hash);
    },
    events: (market, fromMs, toMs) => loadModelEvents(store, market, fromMs, toMs),
  };
}
