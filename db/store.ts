import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Which backend a {@link Store} runs on. */
export type StoreKind = 'postgres' | 'pglite';

/** Options of {@link RawTx.query}. */
export interface QueryOptions {
  readonly prepare?: boolean;
}

/**
 * The raw side of a transaction: COPY and plain SQL on the transaction's own connection.
 * Used by the bulk writers in db/; everything else goes through Kysely.
 */
export interface RawTx {
  /** Streams CSV text (no header) into `table (columns)` with COPY. */
  copyIn(table: string, columns: readonly string[], csv: string): Promise<void>;
  /**
   * Streams binary COPY data into `table (columns)`: `chunks` are sent in order, and together
   * must be a whole binary COPY stream (header, rows, trailer; see copy-binary.ts).
   */
  copyInBinary(table: string, columns: readonly string[], chunks: readonly Uint8Array[]): Promise<void>;
  /**
   * Runs one SQL statement with `$n` parameters and returns its rows. With `prepare` (for a
   * text run again and again, such as the batch writer's), Postgres prepares it once per
   * connection: a repeat is one round trip instead of two (Parse + Describe, then Bind +
   * Execute), and queries issued together go out together.
   */
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<R[]>;
  /**
   * Runs `fn` under a savepoint: when it throws, what it did is rolled back, the transaction
   * stays usable, and the error is rethrown.
   */
  savepoint<T>(fn: (tx: RawTx) => Promise<T>): Promise<T>;
}

/**
 * A connected database: Kysely for queries and migrations, plus bulk COPY transactions.
 * Postgres (postgres.js) and PGlite implement it the same way, chosen once at start-up.
 */
export interface Store {
  readonly kind: StoreKind;
  /** Schema every table lives in (the `search_path` of every connection). */
  readonly schema: string;
  readonly db: Kysely<Database>;
  /**
   * Runs `fn` in one transaction on one connection, committing when it resolves and rolling
   * back when it throws. Bulk writes and their checkpoint go through one of these, so they
   * land together or not at all.
   */
  rawTransaction<T>(fn: (tx: RawTx) => Promise<T>): Promise<T>;
  /** Closes every connection. The store is unusable afterwards. */
  close(): Promise<void>;
}

/**
 * Postgres refused a COPY (a constraint or a value it would not take). The transaction is
 * aborted; the caller may redo the batch another way (the batch writer merges through staging).
 */
export class CopyRejectedError extends Error {
  /** The database's reason, as it gave it. */
  readonly reason: string;
  /** SQLSTATE of the refusal, when the driver reported it. */
  readonly code: string | undefined;
  constructor(table: string, reason: string, code?: string) {
    super(`COPY into ${table} was rejected by Postgres (${reason})`);
    this.name = 'CopyRejectedError';
    this.reason = reason;
    this.code = code;
  }
}
