/** indexer/subgraph/: reads liqmap's GMX v2 subgraph (subgraph/) from a graph-node endpoint. */
export { GraphClient, GraphPermanentError, type GraphClientOptions, type SubgraphMeta } from './graph-client.js';
export {
  GMX_CONFIG_KEYS,
  GMX_V2_COLLECTIONS,
  type FundingRateEntity,
  type MarketConfigUpdateEntity,
  type MarketFactorUpdateEntity,
  type GmxV2Entity,
  type LiquidationEntity,
  type PagedCollection,
  type PositionChangeEntity,
} from './gmx-v2-entities.js';
export {
  ENTRY_PRICE_SCALE,
  GMX_GLOBAL_MARKET,
  GMX_USD_DECIMALS,
  GMX_V2_ARBITRUM,
  canonicalMarket,
  divideToDecimal,
  formatFixed,
  toCanonical,
  type CanonicalResult,
  type GmxV2MappingConfig,
  type GmxV2MarketInfo,
  type PositionSnapshot,
} from './gmx-v2-mapping.js';
export {
  GMX_V2_ARBITRUM_START_BLOCK,
  GmxV2Pager,
  pageGmxV2,
  type GmxV2Cursor,
  type GmxV2Page,
  type GmxV2PagerOptions,
} from './gmx-v2-pager.js';
export { ingestSubgraph, subgraphSourceKey, type SubgraphIngestOptions, type SubgraphIngestSummary } from './ingest-subgraph.js';
