import { once } from 'node:events';
import { Kysely } from 'kysely';
import { PostgresJSDialect } from 'kysely-postgres-js';
import postgres from 'postgres';
import { LiqmapError } from '../../../base/index.js';
import type { Database } from '../../schema.js';
import { CopyRejectedError, type RawTx, type Store } from '../../store.js';
import { quoteIdent } from '../../sql-ident.js';
import { guardPostgresNextWrite } from './next-write-guard.js';
import { preparedStatements } from './prepared-statements.js';

/** Options of {@link createPostgresStore}. */
export interface PostgresStoreOptions {
  /** A postgres:// URL. `?schema=name` (or `search_path`) picks the schema; default `public`. */
  readonly url: string;
  /** Pool size; default 10. */
  readonly max?: number;
  /** Every transaction read-only (`default_transaction_read_only`): for the API process. */
  readonly readOnly?: boolean;
}

/** Splits the liqmap-specific `schema` parameter off a postgres URL. */
export function parsePostgresUrl(url: string): { url: string; schema: string } {
  const u = new URL(url);
  const schema = u.searchParams.get('schema') ?? u.searchParams.get('search_path') ?? 'public';
  u.searchParams.delete('schema');
  u.searchParams.delete('search_path');
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema)) {
    throw new LiqmapError('CONFIG_INVALID', `DATABASE_URL: schema "${schema}" must be a plain identifier`);
  }
  return { url: u.toString(), schema };
}

/** Connects to a real Postgres through postgres.js; Kysely runs on the same pool. */
export function createPostgresStore(options: PostgresStoreOptions): Store {
  guardPostgresNextWrite();
  const { url, schema } = parsePostgresUrl(options.url);
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    connection: { search_path: schema, application_name: 'liqmap', ...(options.readOnly ? { default_transaction_read_only: true } : {}) },
    // numeric and int8 stay strings: exactness is the caller's business.
    types: {},
  });
  const db = new Kysely<Database>({ dialect: new PostgresJSDialect({ postgres: preparedStatements(sql) }) });

  return {
    kind: 'postgres',
    schema,
    db,
    async rawTransaction<T>(fn: (tx: RawTx) => Promise<T>): Promise<T> {
      return (await sql.begin((tx) => fn(rawOf(tx)))) as T;
    },
    async close() {
      // Bounded: a connection left half-dead by a server restart never finishes a graceful end
      // (the process would wait forever on nothing, exit 13); after 5 s it is cut.
      await sql.end({ timeout: 5 });
      await db.destroy();
    },
  };
}

/**
 * The {@link RawTx} of a postgres.js transaction (or savepoint) scope. A failed query inside a
 * scope fails the scope, so savepoints go through `tx.savepoint`, not raw SQL.
 */
function rawOf(tx: postgres.TransactionSql): RawTx {
  const raw: RawTx = {
    savepoint(fn) {
      return tx.savepoint((sp) => fn(rawOf(sp))) as Promise<never>;
    },
    async copyIn(table, columns, csv) {
      await copyFromStdin(tx, table, columns, 'csv', [csv]);
    },
    async copyInBinary(table, columns, chunks) {
      await copyFromStdin(tx, table, columns, 'binary', chunks);
    },
    async query(text, params = [], options) {
      return (await tx.unsafe(text, params as postgres.ParameterOrJSON<never>[], options?.prepare ? { prepare: true } : undefined)) as never;
    },
  };
  return raw;
}

/** Largest piece handed to postgres.js's COPY stream at once. */
const WRITE_SLICE = 256 * 1024;

/**
 * COPY `chunks` in through postgres.js's writable stream, with the server's refusal (if any)
 * surfaced as a {@link CopyRejectedError}.
 */
async function copyFromStdin(tx: postgres.TransactionSql, table: string, columns: readonly string[], format: 'csv' | 'binary', chunks: readonly (string | Uint8Array)[]): Promise<void> {
  const cols = columns.map(quoteIdent).join(', ');
  const query = tx.unsafe(`copy ${quoteIdent(table)} (${cols}) from stdin with (format ${format})`);
  // postgres.js 3.4 drops the server's error for a COPY whose stream has ended
  // (porsager/postgres#1173; fix proposed in #1183): it still calls the query's
  // `reject`, after the promise settled with the stream, so the reason is taken there.
  const pending = query as unknown as { reject: (e: Error) => void };
  const rejectOriginal = pending.reject;
  let refusal: (Error & { code?: string }) | undefined;
  const refused = new Promise<never>((_, reject) => {
    pending.reject = (e) => {
      refusal = e;
      reject(e);
      rejectOriginal(e);
    };
  });
  refused.catch(() => {});
  const w = await query.writable();
  const finished = once(w, 'finish');
  // The stream may fail while we still write (the server refused a row early): that
  // rejection is awaited below, not left unhandled meanwhile.
  finished.catch(() => {});
  // In slices: postgres.js copies each write into its own message buffer, which would
  // otherwise grow to the size of the largest chunk (a whole batch) and stay that big.
  for (const chunk of chunks) {
    for (let at = 0; at < chunk.length; at += WRITE_SLICE) {
      const part = typeof chunk === 'string' ? chunk.slice(at, at + WRITE_SLICE) : chunk.subarray(at, at + WRITE_SLICE);
      if (!w.write(part)) await once(w, 'drain');
    }
  }
  w.end();
  // postgres.js drops the error of a COPY whose stream is open (the call would never
  // settle), so a follow-up query on the same connection tells us: it fails with
  // "transaction aborted" exactly when the COPY was rejected.
  await new Promise((r) => setImmediate(r));
  try {
    const probe = tx.unsafe('select 1');
    await Promise.race([finished, probe, refused]);
    await probe;
  } catch (e) {
    const cause = refusal ?? (e as Error & { code?: string });
    throw new CopyRejectedError(table, cause.message, cause.code);
  }
}
