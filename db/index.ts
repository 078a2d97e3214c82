/** db/: the store (Postgres or PGlite), its schema, migrations, and the read/write models. */
export * from './events.js';
export type { Database } from './schema.js';
export type { Store, StoreKind, RawTx } from './store.js';
export { connect, createPgliteStore, type ConnectOptions } from './connect.js';
export type { PgliteStoreOptions } from './dialects/pglite/pglite-store.js';
export { createPostgresStore, parsePostgresUrl, type PostgresStoreOptions } from './dialects/postgres/postgres-store.js';
export { migrateToLatest, type MigrateOutcome } from './migrate.js';
export {
  BatchWriter,
  isRowRejection,
  type Batch,
  type BatchResult,
  type CheckpointWrite,
  type QuarantinedRow,
  type TouchedRange,
} from './batch-writer.js';
export { isConnectionLoss, RECONNECT_DELAYS_MS, withReconnect } from './reconnect.js';
export { EventRows, type RowOrigin } from './event-rows.js';
export type { TradeSpans } from './event-tables.js';
export { getCheckpoint, listCheckpoints, type Checkpoint } from './checkpoints.js';
export { listQuarantine, type QuarantineEntry } from './quarantine.js';
export { timestampText, usToDate } from './copy-csv.js';
export { MARKET_ID_PATTERN, MARKET_ID_RULE, isMarketId } from './market-id.js';
export { marketBaseQuote, venuePerpSymbol, SYMBOL_VENUES, type BaseQuote } from './market-venues.js';
export { checkEventColumns, MAX_KEY_TEXT_BYTES, type ColumnViolation } from './column-checks.js';
export * from './reads/index.js';
export * from './results/index.js';
export * from './positions.js';
