import type { BatchResult, BatchWriter, CanonicalEvent, QuarantinedRow } from '../db/index.js';
import type { Store } from '../db/index.js';
import { LiqmapError, printable } from '../base/index.js';
import { checkEventColumns, EventRows, getCheckpoint, isConnectionLoss } from '../db/index.js';
import { detectFormat, RowError, type Format } from './sources/index.js';
import type { InputFile, InputMember } from './files/open-input.js';
import { LongLine, ReadFailure, readLineBatches } from './files/line-reader.js';

/** What one member may decompress to; see indexer/sources/README.md. */
export interface InputLimits {
  /** Longest line, characters (default 1 MiB): a longer line is quarantined, reading goes on. */
  readonly maxLineChars: number;
  /**
   * Largest decompressed / compressed size ratio of a `.gz` or `.zip` member (default 200),
   * beyond a 64 MiB allowance: past it reading stops with an error (a decompression bomb).
   */
  readonly maxExpansion: number;
  /** Decompressed bytes any compressed member may produce whatever its ratio (default 64 MiB). */
  readonly expansionAllowance: number;
}

// eslint-disable-next-line no-control-regex
const NUL_OR_REPLACEMENT = /[\u0000\ufffd]/;

/** The default {@link InputLimits}. */
export const DEFAULT_INPUT_LIMITS: InputLimits = { maxLineChars: 1 << 20, maxExpansion: 200, expansionAllowance: 64 << 20 };

/** Options for reading one input member. */
export interface IngestMemberOptions {
  /** Market for rows that do not name one (`binance:BTCUSDT`). */
  readonly market?: string | undefined;
  /** Force a format by name instead of detecting it. */
  readonly format?: string | undefined;
  /**
   * Events per committed batch (default 100,000: measured ~11% faster than 50,000 on 1M
   * aggTrades); the first three batches are 1/8, 1/4 and 1/2 of it.
   */
  readonly batchSize?: number | undefined;
  /** Ignore a finished checkpoint and read the file again (still idempotent). */
  readonly force?: boolean | undefined;
  /** Called after every committed batch (jobs/ enqueues work here). */
  readonly onBatch?: ((result: BatchResult) => Promise<void> | void) | undefined;
  /** Called after every committed batch with the running totals. */
  readonly onProgress?: ((p: MemberProgress) => void) | undefined;
  /** Limits on line length and decompression (default {@link DEFAULT_INPUT_LIMITS}). */
  readonly limits?: Partial<InputLimits> | undefined;
}

/** Running totals for one member. */
export interface MemberProgress {
  readonly sourceKey: string;
  readonly format: string;
  readonly line: number;
  /** Valid events read (including ones already stored). */
  readonly rows: number;
  /** Events newly stored. */
  readonly inserted: number;
  readonly quarantined: number;
}

/** What happened to one member. */
export interface MemberSummary extends MemberProgress {
  /** `skipped`: a finished checkpoint with the same fingerprint; `resumed`: continued mid-file. */
  readonly status: 'ingested' | 'resumed' | 'skipped';
  readonly byKind: Readonly<Record<string, number>>;
  /** Set when the file was ingested before under another `--market` (that one's rows stay). */
  readonly previousMarket?: string | null;
}

/** Resume state kept in the checkpoint. */
interface MemberState {
  dedup?: DedupState;
  /** The `--market` the member was read with (null: from the file name or the rows). */
  market?: string | null;
}

interface DedupState {
  ts: number;
  counts: Record<string, number>;
}

/**
 * Reads one member line by line, parses each line with its format, and commits batches of
 * events together with the checkpoint (last line consumed) in one transaction. A rerun after
 * a crash resumes after the last committed line; a finished, unchanged member is skipped.
 * Bad rows are quarantined with file, line, field and reason; the rest goes on.
 */
export async function ingestMember(
  store: Store,
  writer: BatchWriter,
  file: InputFile,
  member: InputMember,
  options: IngestMemberOptions = {},
): Promise<MemberSummary> {
  const batchSize = options.batchSize ?? 100_000;
  // The first batches are smaller, doubling up to batchSize (1/8, 1/4, 1/2, then whole): the
  // first COPY starts once an eighth of a batch is read instead of a whole one, and each
  // next batch is read while the one before it is written, so the database waits for the
  // reader at the start only that long (~0.1 s of a 1M-row file at 100,000 a batch).
  let batchLimit = Math.max(1, Math.ceil(batchSize / 8));
  const limits = { ...DEFAULT_INPUT_LIMITS, ...options.limits };
  const saved = await writer.reconnecting(() => getCheckpoint(store, member.sourceKey)).catch((e: unknown) => {
    throw isConnectionLoss(e) ? databaseLost(e, member, 0) : e;
  });
  const savedState = (saved?.state ?? {}) as MemberState;
  // A file read under one --market and now another is read again under the new one (the
  // checkpoint follows the latest market; the other market's rows stay where they are).
  const wantedMarket = options.market ?? null;
  const marketChanged = saved !== undefined && (savedState.market ?? null) !== wantedMarket;
  const sameFile = saved !== undefined && saved.fingerprint === file.fingerprint && !marketChanged;
  if (sameFile && saved.done && !options.force) {
    return {
      sourceKey: member.sourceKey,
      format: saved.format,
      line: saved.line,
      rows: saved.rowsWritten,
      inserted: 0,
      quarantined: saved.rowsQuarantined,
      status: 'skipped',
      byKind: {},
    };
  }
  const resumeLine = sameFile && !saved.done ? saved.line : 0;
  let rows = sameFile && !saved.done ? saved.rowsWritten : 0;
  let quarantinedTotal = sameFile && !saved.done ? saved.rowsQuarantined : 0;
  let dedup: DedupState = (sameFile && !saved.done ? savedState.dedup : undefined) ?? {
    ts: -1,
    counts: {},
  };
  // Starting over (new file, changed file, new market, --force): the old quarantine entries
  // describe another reading, so the first batch replaces them.
  let resetQuarantine = resumeLine === 0;

  const stream = await member.open();
  const maxBytes = member.compressedSize === null ? Infinity : Math.max(limits.expansionAllowance, member.compressedSize * limits.maxExpansion);
  const lines = readLineBatches(stream, { maxLineChars: limits.maxLineChars, maxBytes });
  let format: Format | undefined;
  let market: string | null = options.market ?? null;
  let lineNo = 0;
  const ctx = { fileName: member.name, market, line: 0 };
  let firstSeen = false;
  let encodeLine: Format['encodeLine'];
  // The batch being read, encoded for COPY as each line is parsed (no array of events is kept).
  let batchRows = new EventRows();
  // The batch last handed to the writer: once its write settles, the next batch reuses its memory.
  let spareRows: EventRows | null = null;
  let quarantined: QuarantinedRow[] = [];
  let inserted = 0;
  // Rows the database refused in committed batches (found by the writer's bisection).
  let refusedEvents = 0;
  let refusedLines = 0;
  // Last line whose batch committed: where a rerun resumes.
  let committedLine = resumeLine;
  const byKind: Record<string, number> = {};

  // One batch is written while the next one is parsed: parsing and COPY overlap, and batches
  // still commit one after another, in file order, each with its own checkpoint.
  let inFlight: Promise<void> | null = null;
  const flush = async (done: boolean) => {
    const parsed = { rows: batchRows, origins: { file: member.sourceKey }, quarantined, resetQuarantine };
    const cp = {
      sourceKey: member.sourceKey,
      format: format?.name ?? 'unknown',
      fingerprint: file.fingerprint,
      line: lineNo,
      rows,
      quarantined: quarantinedTotal,
      state: { dedup: { ts: dedup.ts, counts: { ...dedup.counts } }, market: wantedMarket } satisfies MemberState,
      done,
    };
    quarantined = [];
    resetQuarantine = false;
    batchLimit = Math.min(batchSize, batchLimit * 2);
    if (inFlight) await inFlight;
    batchRows = spareRows?.reset() ?? new EventRows();
    spareRows = parsed.rows;
    const write = (async () => {
      // Counted after the previous batch committed, so refusals found there are included.
      const batch = {
        ...parsed,
        checkpoint: {
          sourceKey: cp.sourceKey,
          format: cp.format,
          fingerprint: cp.fingerprint,
          line: cp.line,
          rowsWritten: cp.rows - refusedEvents,
          rowsQuarantined: cp.quarantined + refusedLines,
          state: cp.state,
          done: cp.done,
        },
      };
      const result = await writer.write(batch);
      committedLine = batch.checkpoint.line;
      refusedEvents += result.rejectedEvents;
      refusedLines += result.rejected.length;
      for (const [k, n] of Object.entries(result.inserted)) {
        inserted += n;
        if (n > 0) byKind[k] = (byKind[k] ?? 0) + n;
      }
      if (result.touched.length > 0) await options.onBatch?.(result);
      const c = batch.checkpoint;
      options.onProgress?.({
        sourceKey: member.sourceKey,
        format: c.format,
        line: c.line,
        rows: c.rowsWritten - result.rejectedEvents,
        inserted,
        quarantined: c.rowsQuarantined + result.rejected.length,
      });
    })();
    write.catch(() => {}); // surfaced by the next await of inFlight
    inFlight = write;
    if (done) await write;
  };

  const quarantine = (line: number, field: string | null, reason: string, raw: string) => {
    quarantined.push({ file: member.sourceKey, line, field, reason, raw: raw.slice(0, 4096) });
    quarantinedTotal++;
  };

  try {
    for await (const batch of lines) {
      for (const item of batch) {
        lineNo++;
        if (item instanceof LongLine) {
          if (!firstSeen) {
            throw new LiqmapError('FILE_UNREADABLE', `${printable(member.sourceKey, 200)}: line ${lineNo} is ${item.length} characters long (the limit is ${limits.maxLineChars}); not a line-oriented data file?`, { file: member.sourceKey });
          }
          if (lineNo > resumeLine) quarantine(lineNo, 'row', `line is ${item.length} characters long (the limit is ${limits.maxLineChars}); the rest of the line was skipped`, item.head);
          continue;
        }
        const text = item;
        if (!firstSeen) {
          if (text.trim() === '') continue;
          firstSeen = true;
          format = detectFormat(member.name, text, options.format, member.sourceKey);
          market ??= format.marketFromFileName(member.name);
          if (format.needsMarket && market === null) {
            throw new LiqmapError(
              'MARKET_UNKNOWN',
              `${printable(member.sourceKey, 200)}: ${format.name} rows do not name their market and the file name does not either; pass --market exchange:SYMBOL (e.g. binance:BTCUSDT)`,
              { file: member.sourceKey },
            );
          }
          if (format.isHeader(text)) {
            format = format.withHeader?.(text) ?? format;
            encodeLine = format.encodeLine?.bind(format);
            continue;
          }
          encodeLine = format.encodeLine?.bind(format);
        }
        if (lineNo <= resumeLine) continue;
        // One context object for the whole member (formats read it synchronously).
        ctx.market = market;
        ctx.line = lineNo;
        // The format's fast path takes the lines it can encode in place (those have no NUL or
        // U+FFFD, so skipping the scan below changes nothing); any other line goes on below.
        if (encodeLine !== undefined && encodeLine(text, ctx, batchRows)) {
          rows++;
          if (batchRows.size >= batchLimit || quarantined.length >= 10_000) await flush(false);
          continue;
        }
        if (text.length === 0 || (text.length < 3 && text.trim() === '')) continue;
        // A NUL byte no text column can store; U+FFFD is what invalid UTF-8 decoded to (kept,
        // two different ids could become one). One scan for both; the column only on a hit.
        if (NUL_OR_REPLACEMENT.test(text)) {
          const nul = text.indexOf('\u0000');
          if (nul >= 0) quarantine(lineNo, 'row', `NUL byte at column ${nul + 1}`, text);
          else quarantine(lineNo, 'row', `invalid UTF-8 at column ${text.indexOf('\ufffd') + 1} (or a U+FFFD replacement character)`, text);
          continue;
        }
        let parsed: CanonicalEvent[];
        try {
          parsed = format!.parseLine(text, ctx);
        } catch (e) {
          const field = e instanceof RowError ? e.field : null;
          const reason = e instanceof RowError ? e.message : `unexpected parse failure: ${(e as Error).message}`;
          quarantine(lineNo, field, reason, text);
          continue;
        }
        // What the columns accept (market id, text, numeric, int32, time), before COPY.
        let violation = null;
        for (const e of parsed) if ((violation = checkEventColumns(e))) break;
        if (violation) {
          quarantine(lineNo, violation.field, violation.reason, text);
          continue;
        }
        const origin = batchRows.addOrigin(lineNo, text);
        for (let e of parsed) {
          if (e.kind === 'liquidation') {
            // Force orders have no id: the n-th identical row at one timestamp gets `#n`.
            if (e.ts !== dedup.ts) dedup = { ts: e.ts, counts: {} };
            const n = dedup.counts[e.key] ?? 0;
            dedup.counts[e.key] = n + 1;
            e = { ...e, key: `${e.key}#${n}` };
          }
          batchRows.add(e, origin);
        }
        rows += parsed.length;
        if (batchRows.size >= batchLimit || quarantined.length >= 10_000) await flush(false);
      }
    }
  } catch (e) {
    if (e instanceof ReadFailure && format) {
      // The data ends or breaks here: keep every row read before it, then say where.
      const before = lineNo;
      await flush(false);
      await inFlight;
      throw new LiqmapError(
        'FILE_UNREADABLE',
        `${printable(member.sourceKey, 200)}: ${readFailureText(e, member, limits)} after line ${before}; the rows up to that line are stored, the rest of the file was not read`,
        { file: member.sourceKey, line: before },
      );
    }
    await (inFlight as Promise<void> | null)?.catch(() => {});
    if (isConnectionLoss(e)) throw databaseLost(e, member, committedLine);
    if (e instanceof ReadFailure) throw new LiqmapError('FILE_UNREADABLE', `${printable(member.sourceKey, 200)}: ${readFailureText(e, member, limits)} before its first line`, { file: member.sourceKey });
    throw e;
  } finally {
    await lines.return(undefined);
    stream.destroy();
  }
  if (!format) {
    throw new LiqmapError('FILE_UNREADABLE', `${member.sourceKey}: the file has no data lines`, { file: member.sourceKey });
  }
  try {
    await flush(true);
  } catch (e) {
    if (isConnectionLoss(e)) throw databaseLost(e, member, committedLine);
    throw e;
  }
  return {
    sourceKey: member.sourceKey,
    format: format.name,
    line: lineNo,
    rows: rows - refusedEvents,
    inserted,
    quarantined: quarantinedTotal + refusedLines,
    status: resumeLine > 0 ? 'resumed' : 'ingested',
    byKind,
    ...(marketChanged ? { previousMarket: savedState.market ?? null } : {}),
  };
}

/** The one line for a database that stayed unreachable through every retry of a batch. */
function databaseLost(e: unknown, member: InputMember, committedLine: number): LiqmapError {
  const cause = printable(String((e as { code?: unknown }).code ?? '') + ': ' + String((e as Error).message ?? e).split('\n')[0], 200);
  return new LiqmapError(
    'SERVICE_UNAVAILABLE',
    `Postgres (DATABASE_URL) is unavailable (${cause}) after retrying; ${printable(member.sourceKey, 200)} is committed up to line ${committedLine}: run the same command again once Postgres answers and it resumes there`,
    { service: 'Postgres', file: member.sourceKey, line: committedLine },
    e,
  );
}

function readFailureText(e: ReadFailure, member: InputMember, limits: InputLimits): string {
  if (e.cause === null) {
    return `decompresses to more than ${limits.maxExpansion}× its compressed size of ${member.compressedSize} bytes (a decompression bomb? pass --max-expansion to allow more)`;
  }
  return printable((e.cause as Error).message, 200);
}
