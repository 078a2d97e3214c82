import type { CanonicalEvent, TradeSpans } from '../../db/index.js';

/** What a parser knows about the file it reads. */
export interface LineContext {
  /** File name (base name, no directory), e.g. `BTCUSDT-aggTrades-2024-01-01.csv`. */
  readonly fileName: string;
  /**
   * Market to use when rows do not name one (`binance:BTCUSDT`): the `--market` flag, or
   * inferred from the file name by the format. Formats whose rows name a venue/coin ignore it.
   */
  readonly market: string | null;
  /** 1-based line number of the line being parsed. */
  readonly line: number;
}

/**
 * A row that could not be read. Thrown by {@link Format.parseLine}; the pipeline quarantines
 * the row with this field and reason and goes on with the next line.
 */
export class RowError extends Error {
  readonly field: string | null;
  constructor(field: string | null, reason: string) {
    super(reason);
    this.name = 'RowError';
    this.field = field;
  }
}

/**
 * One input layout: turns the lines of a file into canonical events.
 * Formats are line-oriented (CSV without embedded newlines, or one JSON message per line).
 */
export interface Format {
  /** Stable name, used by `--format` and in checkpoints, e.g. `binance-agg-trades`. */
  readonly name: string;
  /** One line for `liqmap ingest --help`. */
  readonly description: string;
  /**
   * Whether a file with this base name and first (non-empty) line is in this format.
   * `sourcePath` is the full path (and archive member) for layouts told apart only by folder.
   * Must be cheap and must not throw.
   */
  detect(fileName: string, firstLine: string, sourcePath?: string): boolean;
  /**
   * Whether rows need a market from `--market` or the file name (rows that name their own
   * venue and symbol do not). The pipeline refuses such a file up front instead of
   * quarantining every row.
   */
  readonly needsMarket: boolean;
  /**
   * For layouts whose columns are named by the header row: a parser bound to that header.
   * Called with the header line when {@link Format.isHeader} accepts the first line.
   */
  withHeader?(header: string): Format;
  /** Whether `line` is a header row (skipped, never quarantined). */
  isHeader(line: string): boolean;
  /**
   * The market for a file of this format when no `--market` is given (e.g. from
   * `BTCUSDT-aggTrades-2024-01-01.zip` → `binance:BTCUSDT`), or null when rows name it.
   */
  marketFromFileName(fileName: string): string | null;
  /** Parses one data line. Throws {@link RowError} for a bad row. May return no events. */
  parseLine(line: string, ctx: LineContext): CanonicalEvent[];
  /**
   * Fast path, optional: a line in the format's common spelling is encoded straight into the
   * batch's COPY rows (no event object, no field strings) and true is returned; the rows, bytes
   * and origin must be exactly what `parseLine` and the pipeline's checks would have stored.
   * Anything else returns false having written nothing, and takes `parseLine` as before (so
   * quarantine reasons come from one place).
   */
  encodeLine?(line: string, ctx: LineContext, out: LineRows): boolean;
}

/** Where {@link Format.encodeLine} puts a line's rows (the batch being read). */
export interface LineRows {
  /** Appends a trade given as spans of its line, the line being its origin (line number `line`). */
  addTradeSpans(t: TradeSpans, line: number): void;
}
