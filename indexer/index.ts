/** indexer/: sources → canonical events → the store. */
export { ingestPaths, expandInputs, type IngestOptions, type IngestSummary } from './ingest.js';
export { ingestMember, DEFAULT_INPUT_LIMITS, type InputLimits, type IngestMemberOptions, type MemberProgress, type MemberSummary } from './ingest-member.js';
export { openInput, ByteCounter, type InputFile, type InputMember } from './files/open-input.js';
export { createProgressReporter, type ProgressReporter } from './progress.js';
export { ingestDemo, type DemoSummary } from './demo/ingest-demo.js';
export { simulateMarket, DEFAULT_SIMULATOR, type SimulatorOptions } from './demo/market-simulator.js';
export { FORMATS, detectFormat, forcedOrderSide, formatByName, perpMarket, RowError, type Format, type LineContext } from './sources/index.js';
export { ingestSubgraph, subgraphSourceKey, type SubgraphIngestOptions, type SubgraphIngestSummary } from './subgraph/index.js';
export { ingestSubsquid, subsquidSourceKey, type SubsquidIngestOptions, type SubsquidIngestSummary } from './subsquid/index.js';
// The live feeds (websockets, metrics) are their own surface, indexer/live/index.ts: a file
// ingest imports this one and does not load them (~70 ms of its start-up).
