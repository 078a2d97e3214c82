/** indexer/subsquid/: GMX v2 from GMX's official Subsquid GraphQL API (positions, trades, liquidations). */
export { ingestSubsquid, subsquidSourceKey, type SubsquidCursor, type SubsquidIngestOptions, type SubsquidIngestSummary } from './ingest-subsquid.js';
export { GMX_ARBITRUM_TOKENS, type GmxTokenInfo } from './gmx-arbitrum-tokens.js';
export { squidMarketInfoSchema, squidPositionChangeSchema, squidStatusSchema, type SquidMarketInfo, type SquidPositionChange } from './gmx-squid-entities.js';
