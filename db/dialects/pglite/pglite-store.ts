import { mkdirSync } from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import type { Database } from '../../schema.js';
import { CopyRejectedError, type RawTx, type Store } from '../../store.js';
import { quoteIdent } from '../../sql-ident.js';
import { lockDataDir } from './data-dir-lock.js';

/** COPY from PGlite's virtual `/dev/blob` (the data handed over in memory, no file). */
async function copyFromBlob(tx: Transaction, table: string, columns: readonly string[], format: 'csv' | 'binary', blob: Blob): Promise<void> {
  const cols = columns.map(quoteIdent).join(', ');
  try {
    await tx.query(`copy ${quoteIdent(table)} (${cols}) from '/dev/blob' with (format ${format})`, [], { blob });
  } catch (e) {
    throw new CopyRejectedError(table, (e as Error).message, (e as { code?: string }).code);
  }
}

/** Options of {@link createPgliteStore}. */
export interface PgliteStoreOptions {
  /** Data directory; `undefined` keeps the database in memory. */
  readonly dataDir?: string;
  /** Schema for every table; default `public`. */
  readonly schema?: string;
}

/**
 * The embedded default: PGlite (Postgres compiled to WASM) in a directory, no server needed.
 * PGlite is single-connection, so Kysely and the bulk transactions share it.
 */
export async function createPgliteStore(options: PgliteStoreOptions = {}): Promise<Store> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  // One process per data directory (PGlite is single-process; a second opener corrupts it).
  const lock = options.dataDir ? lockDataDir(options.dataDir) : null;
  let pg: PGlite;
  try {
    pg = await PGlite.create(options.dataDir ? { dataDir: options.dataDir } : {});
  } catch (e) {
    lock?.release();
    throw e;
  }
  const schema = options.schema ?? 'public';
  await pg.exec(`create schema if not exists ${quoteIdent(schema)}; set search_path to ${quoteIdent(schema)}`);
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pg) });

  return {
    kind: 'pglite',
    schema,
    db,
    async rawTransaction<T>(fn: (tx: RawTx) => Promise<T>): Promise<T> {
      return pg.transaction(async (tx) => {
        let depth = 0;
        const raw: RawTx = {
          async savepoint(fn) {
            const name = `liqmap_sp_${depth++}`;
            await tx.query(`savepoint ${name}`);
            try {
              const result = await fn(raw);
              await tx.query(`release savepoint ${name}`);
              return result;
            } catch (e) {
              await tx.query(`rollback to savepoint ${name}`);
              await tx.query(`release savepoint ${name}`);
              throw e;
            } finally {
              depth--;
            }
          },
          async copyIn(table, columns, csv) {
            await copyFromBlob(tx, table, columns, 'csv', new Blob([csv]));
          },
          async copyInBinary(table, columns, chunks) {
            await copyFromBlob(tx, table, columns, 'binary', new Blob(chunks as Uint8Array<ArrayBuffer>[]));
          },
          async query(text, params = []) {
            const res = await tx.query(text, params as unknown[]);
            return res.rows as never;
          },
        };
        return fn(raw);
      });
    },
    async close() {
      try {
        await db.destroy();
        if (!pg.closed) await pg.close();
      } finally {
        lock?.release();
      }
    },
  };
}
