import DataLoader from 'dataloader';
import type { Config, Logger } from '../base/index.js';
import { coverage, marketsById, tradeStats, type CoverageKind, type KindCoverage, type MarketSummary, type Store, type TradeStats } from '../db/index.js';
import type { CheckService, JobRunner } from '../jobs/index.js';
import type { ClustersSnapshot } from './live/cluster-feeds.js';
import type { SharedFeeds } from './live/shared-feeds.js';

/** What the server is built from. */
export interface ApiDeps {
  readonly store: Store;
  readonly config: Config;
  readonly logger: Logger;
  /** The jobs pipeline (mutations enqueue through it); absent in read-only deployments. */
  readonly jobs?: JobRunner | undefined;
  /** The API may not write: missing results are left to the workers instead of computed here. */
  readonly readOnly?: boolean;
  /** Runs `check: true` off the event loop (created by the server when not given). */
  readonly checks?: CheckService | undefined;
}

/** Per-request context: the deps plus request-scoped DataLoaders (no N+1 across a response). */
export interface ApiContext extends ApiDeps {
  readonly loaders: Loaders;
  /** Whether the request carried the API key (mutations need it). */
  readonly authorized: boolean;
  /** The shared per-market feeds subscriptions read (set by the subscriptions plugin). */
  readonly clusterFeeds?: SharedFeeds<ClustersSnapshot>;
}

/** Request-scoped batch loaders. */
export interface Loaders {
  readonly market: DataLoader<string, MarketSummary | null>;
  readonly tradeStats: DataLoader<string, TradeStats | null>;
  readonly tradeCount: DataLoader<string, number>;
  readonly coverage: DataLoader<string, KindCoverage | null>;
}

/** Builds the loaders for one request. Keys of `coverage` are `kind|marketId`. */
export function createLoaders(store: Store): Loaders {
  return {
    market: new DataLoader(async (ids) => {
      const rows = await marketsById(store, ids);
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    tradeStats: new DataLoader(async (ids) => {
      const rows = await tradeStats(store, ids, false);
      const byId = new Map(rows.map((r) => [r.marketId, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    tradeCount: new DataLoader(async (ids) => {
      const rows = await tradeStats(store, ids, true);
      const byId = new Map(rows.map((r) => [r.marketId, r.tradeCount]));
      return ids.map((id) => byId.get(id) ?? 0);
    }),
    coverage: new DataLoader(async (keys) => {
      const byKind = new Map<CoverageKind, string[]>();
      for (const k of keys) {
        const [kind, id] = k.split('|') as [CoverageKind, string];
        byKind.set(kind, [...(byKind.get(kind) ?? []), id]);
      }
      const found = new Map<string, KindCoverage>();
      for (const [kind, ids] of byKind) for (const c of await coverage(store, kind, ids)) found.set(`${kind}|${c.marketId}`, c);
      return keys.map((k) => found.get(k) ?? null);
    }),
  };
}
