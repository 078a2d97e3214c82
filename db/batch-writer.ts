import type { CanonicalEvent, EventKind } from './events.js';
import { EVENT_KINDS } from './events.js';
import { COPY_BINARY_HEADER, COPY_BINARY_TRAILER } from './copy-binary.js';
import { EventRows, type KindRows, type TouchedRange } from './event-rows.js';
import { quoteIdent } from './sql-ident.js';
import { timestampText } from './copy-csv.js';
import { CopyRejectedError, type RawTx, type Store } from './store.js';
import { RECONNECT_DELAYS_MS, withReconnect } from './reconnect.js';

/** A row a source could not read, kept with the reason (never silently dropped). */
export interface QuarantinedRow {
  readonly file: string;
  /** 1-based line number in the (decompressed) file. */
  readonly line: number;
  /** The field that was wrong, when one was. */
  readonly field: string | null;
  readonly reason: string;
  /** The raw line text. */
  readonly raw: string;
}

/** The checkpoint committed with a batch: where to resume reading this source. */
export interface CheckpointWrite {
  readonly sourceKey: string;
  readonly format: string;
  /** Identity of the input (size, mtime, head hash): a changed file starts over. */
  readonly fingerprint: string;
  /** Last line fully consumed. */
  readonly line: number;
  /** Totals over the whole source so far. */
  readonly rowsWritten: number;
  readonly rowsQuarantined: number;
  /** Source-specific resume state (JSON-serialisable). */
  readonly state: unknown;
  readonly done: boolean;
}

/**
 * Where the events of a batch came from: a row the database refuses is quarantined with its
 * file, line and raw text. With {@link Batch.events}, `lines` and `raws` are parallel to them;
 * {@link Batch.rows} carry their own.
 */
export interface BatchOrigins {
  readonly file: string;
  readonly lines?: readonly number[];
  readonly raws?: readonly string[];
}

/** One unit of work for {@link BatchWriter.write}: it lands whole or not at all. */
export interface Batch {
  /** The events, as objects (sources that produce a few at a time). */
  readonly events?: readonly CanonicalEvent[];
  /** Or already encoded row by row (the file ingest): then `events` is not given. */
  readonly rows?: EventRows;
  readonly origins?: BatchOrigins;
  /** Remove the source's earlier quarantine entries first (its checkpoint restarted). */
  readonly resetQuarantine?: boolean;
  readonly quarantined?: readonly QuarantinedRow[];
  readonly checkpoint?: CheckpointWrite;
  /**
   * More writes that must land in the same transaction (a source's own tables, e.g. positions
   * of the subgraph source). Must be idempotent: a batch may be retried.
   */
  readonly alsoInTransaction?: (tx: RawTx) => Promise<void>;
}

export type { TouchedRange } from './event-rows.js';

/** What a committed batch changed. */
export interface BatchResult {
  /** Rows newly inserted per kind (duplicates of stored rows are not counted). */
  readonly inserted: Readonly<Record<EventKind, number>>;
  /** Per market, the time range of this batch's events. */
  readonly touched: readonly TouchedRange[];
  /**
   * Rows the database refused although they passed validation, found by bisecting the batch
   * and quarantined in its transaction (the committed checkpoint counts them as quarantined).
   */
  readonly rejected: readonly QuarantinedRow[];
  /** Events of the batch not stored because their row was refused. */
  readonly rejectedEvents: number;
}

/** How {@link BatchWriter} writes a kind: COPY straight in, merge via staging, or bisect. */
type WriteMode = 'copy' | 'merge' | 'isolate';

/** An event the database refused while bisecting: its row and the reason. */
interface Refusal {
  readonly rows: KindRows;
  readonly index: number;
  readonly reason: string;
  readonly column: string | null;
}

/**
 * Whether a database error is about the rows written (a value or constraint the table refuses),
 * as opposed to the connection or the server: SQLSTATE class 22 (data exception), 23
 * (integrity constraint), 54 (program limit, e.g. index row size), or a COPY refused without a
 * reported code (the transaction is then aborted, 25P02).
 */
export function isRowRejection(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  if (e instanceof CopyRejectedError && (code === undefined || code === '25P02')) return true;
  return typeof code === 'string' && /^(22|23|54)/.test(code);
}

/**
 * Writes batches of canonical events with COPY, idempotently, together with their checkpoint,
 * in one transaction.
 *
 * Each kind is COPYed straight into its table when nothing is stored yet in the batch's time
 * range for its markets (the usual case: new data). Otherwise it is COPYed into a staging
 * table and merged with `on conflict do nothing`, so re-ingesting loses and duplicates nothing.
 * (A failed COPY cannot be caught and retried instead: postgres.js loses the error of a COPY
 * whose stream already opened, and the call never settles.)
 */
export class BatchWriter {
  readonly #store: Store;
  readonly #knownMarkets = new Set<string>();
  readonly #knownPartitions = new Set<string>();

  readonly #reconnectDelaysMs: readonly number[];

  constructor(store: Store, options: { readonly reconnectDelaysMs?: readonly number[] } = {}) {
    this.#store = store;
    this.#reconnectDelaysMs = options.reconnectDelaysMs ?? RECONNECT_DELAYS_MS;
  }

  /**
   * Commits one batch; throws (and commits nothing) on any database error. When the connection
   * is lost (a Postgres restart), the batch is retried on a new connection with bounded backoff
   * ({@link RECONNECT_DELAYS_MS}, ~30 s in all): safe because every write is idempotent, even
   * when the lost answer was that of a COMMIT that went through.
   */
  async write(batch: Batch): Promise<BatchResult> {
    const o = batch.origins;
    const rows = batch.rows ?? EventRows.from(batch.events ?? [], o?.lines && o.raws ? { lines: o.lines, raws: o.raws } : undefined);
    return this.reconnecting(() => this.#writeOnce(batch, rows));
  }

  /** Runs idempotent work of the writer's caller with the writer's retries after a lost connection. */
  reconnecting<T>(fn: () => Promise<T>): Promise<T> {
    return withReconnect(fn, this.#reconnectDelaysMs, (e, attempt, delay) => this.onRetry?.(e, attempt, delay));
  }

  /** Told about each retry after a lost connection (for logs). */
  onRetry: ((error: unknown, attempt: number, delayMs: number) => void) | undefined;

  async #writeOnce(batch: Batch, rows: EventRows): Promise<BatchResult> {
    const touched = rows.touched();
    const newMarkets = touched.map((t) => t.market).filter((m) => !this.#knownMarkets.has(m));
    const months = rows.months().filter((m) => !this.#knownPartitions.has(m));

    const refusals: Refusal[] = [];
    let inserted: Record<EventKind, number>;
    try {
      inserted = await this.#commit(batch, rows, touched, newMarkets, months, 'copy', refusals);
    } catch (e) {
      if (!(e instanceof CopyRejectedError)) throw e;
      try {
        // A row repeated inside the batch: redo it, merging every kind through staging.
        inserted = await this.#commit(batch, rows, touched, newMarkets, months, 'merge', refusals);
      } catch (e2) {
        if (!isRowRejection(e2)) throw e2;
        // A value the database refuses although it passed validation: bisect each kind under
        // savepoints, in one transaction with the checkpoint, and quarantine the refused rows.
        inserted = await this.#commit(batch, rows, touched, newMarkets, months, 'isolate', refusals);
      }
    }
    for (const m of newMarkets) this.#knownMarkets.add(m);
    for (const m of months) this.#knownPartitions.add(m);
    return { inserted, touched, rejected: refusals.length > 0 ? refusedRows(rows, batch, refusals) : [], rejectedEvents: refusals.length };
  }

  async #commit(
    batch: Batch,
    rows: EventRows,
    touched: readonly TouchedRange[],
    newMarkets: readonly string[],
    months: readonly string[],
    mode: WriteMode,
    refusals: Refusal[],
  ): Promise<Record<EventKind, number>> {
    refusals.length = 0;
    return this.#store.rawTransaction(async (tx) => {
      // The statements before the COPY go out together, and so do those after it: postgres.js
      // sends a transaction's queries without waiting for the previous answer, the server runs
      // them in order, and a failed one fails those behind it (the first error is the one
      // thrown). Prepared, each is one round trip; one after the other, a batch waited for
      // about a dozen, each of which a loaded machine stretches.
      // One writer per market at a time: makes the "nothing stored in this range" probe of the
      // COPY fast path safe against a concurrent ingest of the same market (the probe runs
      // after the locks, behind them).
      const setup: Promise<unknown>[] = touched
        .map((t) => t.market)
        .sort()
        .map((m) => tx.query('select pg_advisory_xact_lock(hashtext($1))', [m], PREPARED));
      if (newMarkets.length > 0) setup.push(upsertMarkets(tx, newMarkets));
      for (const m of months) setup.push(ensureTradePartition(tx, m));
      const ready = Promise.all(setup);
      ready.catch(() => {}); // awaited below; a failure there is the one thrown
      const counts = Object.fromEntries(EVENT_KINDS.map((k) => [k, 0])) as Record<EventKind, number>;
      if (mode === 'isolate') await ready;
      for (const kindRows of rows.kinds()) {
        counts[kindRows.kind] =
          mode === 'isolate' ? await copyIsolating(tx, kindRows, 0, kindRows.count, refusals) : await copyKind(tx, kindRows, 0, kindRows.count, mode === 'merge', ready);
      }
      await ready;
      const sourceKey = batch.checkpoint?.sourceKey ?? batch.origins?.file;
      if (refusals.length > 0) {
        const r = refusals.find((f) => rows.origin(f.rows.origin(f.index)) === null);
        if (!sourceKey || !batch.origins || r) {
          const f = r ?? refusals[0]!;
          // Sources without line origins (the subgraph, the demo) validate their own events.
          throw new Error(`the database refused a ${f.rows.kind} event of ${JSON.stringify(f.rows.market(f.index).slice(0, 100))} at ${timestampText(f.rows.ts(f.index))}: ${f.reason}`);
        }
      }
      // Sent in this order, run in this order (the quarantine's reset before its new rows).
      const after: Promise<unknown>[] = [];
      if (batch.resetQuarantine && sourceKey) after.push(tx.query('delete from quarantine where source_key = $1', [sourceKey], PREPARED));
      if (batch.quarantined && batch.quarantined.length > 0 && sourceKey) after.push(insertQuarantine(tx, sourceKey, batch.quarantined));
      if (refusals.length > 0 && sourceKey) after.push(insertQuarantine(tx, sourceKey, refusedRows(rows, batch, refusals)));
      // Only new rows change a market's data (a re-ingest that added nothing leaves results valid).
      if (touched.length > 0 && Object.values(counts).some((n) => n > 0)) after.push(bumpVersions(tx, touched));
      if (batch.checkpoint) after.push(saveCheckpoint(tx, withRefusals(batch.checkpoint, rows, batch, refusals)));
      await Promise.all(after);
      if (batch.alsoInTransaction) await batch.alsoInTransaction(tx);
      return counts;
    });
  }
}

/**
 * Copies rows `[from, to)` of one kind in halves under savepoints until every refused row is
 * alone, and records those (the row, the database's reason). A bad row in 100,000 costs about
 * 2 × log2(100,000) ≈ 34 smaller COPYs of slices of the encoded batch, inside its transaction.
 */
async function copyIsolating(tx: RawTx, rows: KindRows, from: number, to: number, refusals: Refusal[]): Promise<number> {
  try {
    return await tx.savepoint((sp) => copyKind(sp, rows, from, to, true));
  } catch (e) {
    if (!isRowRejection(e)) throw e;
    if (to - from === 1) {
      const reason = e instanceof CopyRejectedError ? e.reason : (e as Error).message;
      const where = String((e as { where?: unknown }).where ?? '');
      const column = (e as { column_name?: string; column?: string }).column_name ?? (e as { column?: string }).column ?? /column (\w+)/.exec(where)?.[1] ?? null;
      const code = (e as { code?: string }).code;
      refusals.push({ rows, index: from, reason: `the database refused the row${code ? ` (SQLSTATE ${code})` : ''}: ${reason}`, column });
      return 0;
    }
    const mid = (from + to) >> 1;
    const left = await copyIsolating(tx, rows, from, mid, refusals);
    return left + (await copyIsolating(tx, rows, mid, to, refusals));
  }
}

/** The quarantine rows of refused events: one per source line. */
function refusedRows(rows: EventRows, batch: Batch, refusals: readonly Refusal[]): QuarantinedRow[] {
  const file = batch.origins?.file;
  if (file === undefined) return [];
  const byLine = new Map<number, QuarantinedRow>();
  for (const r of refusals) {
    const o = rows.origin(r.rows.origin(r.index));
    if (o && !byLine.has(o.line)) byLine.set(o.line, { file, line: o.line, field: r.column, reason: r.reason, raw: o.raw });
  }
  return [...byLine.values()];
}

/** The checkpoint with refused events counted as quarantined rows, not written ones. */
function withRefusals(c: CheckpointWrite, rows: EventRows, batch: Batch, refusals: readonly Refusal[]): CheckpointWrite {
  if (refusals.length === 0) return c;
  return { ...c, rowsWritten: c.rowsWritten - refusals.length, rowsQuarantined: c.rowsQuarantined + refusedRows(rows, batch, refusals).length };
}

async function ensureTradePartition(tx: RawTx, month: string): Promise<void> {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const from = new Date(Date.UTC(y, m - 1, 1)).toISOString().slice(0, 10);
  const to = new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
  const name = quoteIdent(`trades_${y}_${String(m).padStart(2, '0')}`);
  await tx.query(`create table if not exists ${name} partition of trades for values from ('${from}') to ('${to}')`);
}

async function upsertMarkets(tx: RawTx, markets: readonly string[]): Promise<void> {
  const rows = markets.map((id) => {
    const i = id.indexOf(':');
    return { id, exchange: id.slice(0, i), symbol: id.slice(i + 1) };
  });
  await tx.query(
    `insert into markets (id, exchange, symbol)
     select id, exchange, symbol from jsonb_to_recordset($1::text::jsonb) as r(id text, exchange text, symbol text)
     on conflict do nothing`,
    [JSON.stringify(rows)],
    PREPARED,
  );
}

/** The batch writer's statements are the same texts batch after batch: prepared once per connection. */
const PREPARED = { prepare: true } as const;

/** COPYs rows `[from, to)` of one kind, once `ready` (the transaction's set-up) has succeeded. */
async function copyKind(tx: RawTx, rows: KindRows, from: number, to: number, merge: boolean, ready: Promise<unknown> = Promise.resolve()): Promise<number> {
  const spec = rows.spec;
  // Rows already stored in this batch's time range (the per-market advisory lock taken by
  // write() keeps the answer true until commit). Usually none, or a handful at the boundary
  // with the previous batch (rows sharing its last timestamp): those are skipped here and the
  // rest is COPYed straight in, without computing a key per row. A row repeated inside the
  // batch makes that COPY fail, and write() redoes the batch with `merge`. Many stored rows (a
  // re-ingest) take the staging merge too.
  const [, stored] = await Promise.all([ready, merge ? null : storedKeys(tx, spec.table, spec.key, rows.touched(), STORED_KEYS_LIMIT)]);
  if (stored !== null) {
    const skip = stored.keys.size === 0 ? undefined : (i: number) => rows.ts(i) <= stored.maxTs && stored.keys.has(rows.keyOf(i));
    const { chunks, rows: unique } = rows.slices(from, to, skip);
    if (unique > 0) await tx.copyInBinary(spec.table, spec.columns, [COPY_BINARY_HEADER, ...chunks, COPY_BINARY_TRAILER]);
    return unique;
  }
  const seen = new Set<string>();
  const { chunks } = rows.slices(from, to, (i) => {
    const k = rows.keyOf(i);
    if (seen.has(k)) return true; // repeated inside the batch: first one wins
    seen.add(k);
    return false;
  });
  const stage = `liqmap_stage_${spec.table}`;
  const cols = spec.columns.map(quoteIdent).join(', ');
  await Promise.all([ready, tx.query(`create temp table if not exists ${quoteIdent(stage)} (like ${quoteIdent(spec.table)}) on commit drop`)]);
  await tx.copyInBinary(stage, spec.columns, [COPY_BINARY_HEADER, ...chunks, COPY_BINARY_TRAILER]);
  const inserted = await tx.query<{ n: number | string }>(
    `with ins as (
       insert into ${quoteIdent(spec.table)} (${cols}) select ${cols} from ${quoteIdent(stage)}
       on conflict do nothing returning 1)
     select count(*)::int as n from ins`,
  );
  await tx.query(`truncate ${quoteIdent(stage)}`);
  return Number(inserted[0]?.n ?? 0);
}

/** Above this many stored rows in a batch's range, merging in SQL beats filtering here. */
const STORED_KEYS_LIMIT = 5_000;

/**
 * The natural keys (as {@link EventTable.keyOf} spells them) of the rows of `table` stored in
 * these markets' time ranges, or null when there are more than `limit` (index-backed).
 */
async function storedKeys(
  tx: RawTx,
  table: string,
  key: readonly string[],
  ranges: readonly TouchedRange[],
  limit: number,
): Promise<{ keys: Set<string>; maxTs: number } | null> {
  const cols = key.map((c) => (c === 'ts' ? `(extract(epoch from ts) * 1000000)::bigint::text as ts` : `${quoteIdent(c)}::text as ${quoteIdent(c)}`)).join(', ');
  const keys = new Set<string>();
  let maxTs = -Infinity;
  for (const r of ranges) {
    const rows = await tx.query<Record<string, string>>(
      `select ${cols} from ${quoteIdent(table)} where market_id = $1 and ts >= $2::text::timestamptz and ts <= $3::text::timestamptz limit ${limit + 1}`,
      [r.market, timestampText(r.fromUs), timestampText(r.toUs)],
      PREPARED,
    );
    if (keys.size + rows.length > limit) return null;
    for (const row of rows) {
      keys.add(key.map((c) => row[c]).join('|'));
      maxTs = Math.max(maxTs, Number(row.ts));
    }
  }
  return { keys, maxTs };
}

async function insertQuarantine(tx: RawTx, sourceKey: string, rows: readonly QuarantinedRow[]): Promise<void> {
  await tx.query(
    `insert into quarantine (source_key, file, line, field, reason, raw)
     select $1, file, line, field, reason, raw
     from jsonb_to_recordset($2::text::jsonb) as r(file text, line bigint, field text, reason text, raw text)
     on conflict do nothing`,
    [sourceKey, JSON.stringify(rows.map((r) => ({ ...r, raw: r.raw.replaceAll(String.fromCharCode(0), '') })))],
    PREPARED,
  );
}

async function bumpVersions(tx: RawTx, touched: readonly TouchedRange[]): Promise<void> {
  await tx.query(
    `insert into market_versions (market_id, version, first_ts, last_ts, dirty_from, updated_at)
     select market, 1, to_timestamp(from_us / 1e6), to_timestamp(to_us / 1e6), to_timestamp(from_us / 1e6), now()
     from jsonb_to_recordset($1::text::jsonb) as r(market text, from_us float8, to_us float8)
     on conflict (market_id) do update set
       version = market_versions.version + 1,
       first_ts = least(market_versions.first_ts, excluded.first_ts),
       last_ts = greatest(market_versions.last_ts, excluded.last_ts),
       dirty_from = least(coalesce(market_versions.dirty_from, excluded.first_ts), excluded.first_ts),
       updated_at = now()`,
    [JSON.stringify(touched.map((t) => ({ market: t.market, from_us: t.fromUs, to_us: t.toUs })))],
    PREPARED,
  );
}

async function saveCheckpoint(tx: RawTx, c: CheckpointWrite): Promise<void> {
  await tx.query(
    `insert into ingest_checkpoints
       (source_key, format, fingerprint, line, rows_written, rows_quarantined, state, done, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7::text::jsonb, $8, now())
     on conflict (source_key) do update set
       format = excluded.format, fingerprint = excluded.fingerprint, line = excluded.line,
       rows_written = excluded.rows_written, rows_quarantined = excluded.rows_quarantined,
       state = excluded.state, done = excluded.done, updated_at = now()`,
    [c.sourceKey, c.format, c.fingerprint, c.line, c.rowsWritten, c.rowsQuarantined, JSON.stringify(c.state ?? {}), c.done],
    PREPARED,
  );
}
