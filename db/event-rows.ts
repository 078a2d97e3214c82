import { CopyRowBuffer, decodeField, readTextAt } from './copy-binary.js';
import { eventTable, writeTradeSpans, type EventTable, type TradeSpans } from './event-tables.js';
import { EVENT_KINDS, type CanonicalEvent, type EventKind } from './events.js';

/** Time range touched in one market by a batch (epoch µs, inclusive). */
export interface TouchedRange {
  readonly market: string;
  readonly fromUs: number;
  readonly toUs: number;
}

/** Where a row came from: a line of a file and its raw text (for quarantining a refused row). */
export interface RowOrigin {
  readonly line: number;
  readonly raw: string;
}

/** A growing array of numbers in a typed array (no per-element heap object). */
class NumberColumn {
  #a = new Float64Array(1024);
  #n = 0;
  push(v: number): void {
    if (this.#n === this.#a.length) {
      const next = new Float64Array(this.#a.length * 2);
      next.set(this.#a);
      this.#a = next;
    }
    this.#a[this.#n++] = v;
  }
  at(i: number): number {
    return this.#a[i]!;
  }
  reset(): void {
    this.#n = 0;
  }
}

/** Per market, the time range of the rows added; the last market is cached (rows come in runs). */
class RangeTracker {
  readonly #ranges = new Map<string, { fromUs: number; toUs: number }>();
  #lastMarket = '';
  #last: { fromUs: number; toUs: number } | undefined;
  add(market: string, ts: number): void {
    let r = market === this.#lastMarket ? this.#last : this.#ranges.get(market);
    if (!r) this.#ranges.set(market, (r = { fromUs: ts, toUs: ts }));
    this.#lastMarket = market;
    this.#last = r;
    if (ts < r.fromUs) r.fromUs = ts;
    if (ts > r.toUs) r.toUs = ts;
  }
  ranges(): TouchedRange[] {
    return [...this.#ranges].map(([market, r]) => ({ market, fromUs: r.fromUs, toUs: r.toUs }));
  }
  reset(): void {
    this.#ranges.clear();
    this.#lastMarket = '';
    this.#last = undefined;
  }
}

/**
 * The rows of one event kind in a batch, already encoded for binary COPY: one byte buffer and
 * typed arrays of row offsets, times and origins. Any run of rows is a slice of the buffer, so
 * COPYing a part of the batch (bisection, skipping stored rows) re-encodes nothing.
 */
export class KindRows {
  readonly kind: EventKind;
  readonly spec: EventTable;
  readonly data = new CopyRowBuffer(1 << 20);
  readonly #starts = new NumberColumn();
  readonly #ts = new NumberColumn();
  readonly #origins = new NumberColumn();
  readonly #ranges = new RangeTracker();
  #count = 0;
  readonly #keyColumns: { index: number; type: EventTable['types'][number] }[];

  constructor(kind: EventKind) {
    this.kind = kind;
    this.spec = eventTable(kind);
    this.#keyColumns = this.spec.key.map((c) => {
      const index = this.spec.columns.indexOf(c);
      return { index, type: this.spec.types[index]! };
    });
  }

  /** Rows added. */
  get count(): number {
    return this.#count;
  }

  /** Forgets every row, keeping the memory for the next batch. */
  reset(): void {
    this.data.reset();
    this.#starts.reset();
    this.#ts.reset();
    this.#origins.reset();
    this.#ranges.reset();
    this.#count = 0;
  }

  /** Appends one event (of this kind), from origin `origin` (-1: none). */
  add(e: CanonicalEvent, origin: number): void {
    this.#begin(e.market, e.ts, origin);
    (this.spec.write as (e: CanonicalEvent, o: CopyRowBuffer) => void)(e, this.data);
  }

  /** Appends one trade given as spans of its line (this must be the trade rows). */
  addTradeSpans(t: TradeSpans, origin: number): void {
    this.#begin(t.market, t.ts, origin);
    writeTradeSpans(t, this.data);
  }

  #begin(market: string, ts: number, origin: number): void {
    this.#starts.push(this.data.length);
    this.#ts.push(ts);
    this.#origins.push(origin);
    this.#ranges.add(market, ts);
    this.#count++;
  }

  /** Byte offset where row `i` starts (`count`: the end of the data). */
  start(i: number): number {
    return i >= this.#count ? this.data.length : this.#starts.at(i);
  }

  /** Event time of row `i` (epoch µs). */
  ts(i: number): number {
    return this.#ts.at(i);
  }

  /** Origin index of row `i` in its batch (-1: none). */
  origin(i: number): number {
    return this.#origins.at(i);
  }

  /** Market of row `i`. */
  market(i: number): string {
    return decodeField(this.data.subarray(), this.start(i), 0, 'text') as string;
  }

  /** The natural key of row `i`, spelled as {@link EventTable.keyOf} spells it. */
  keyOf(i: number): string {
    const buf = this.data.subarray();
    const at = this.start(i);
    let key = '';
    for (let k = 0; k < this.#keyColumns.length; k++) {
      const c = this.#keyColumns[k]!;
      key += (k > 0 ? '|' : '') + String(decodeField(buf, at, c.index, c.type));
    }
    return key;
  }

  /** Per market, the time range of these rows. */
  touched(): TouchedRange[] {
    return this.#ranges.ranges();
  }

  /**
   * The bytes of rows `[from, to)` as buffer slices, leaving out rows `skip` says to: one slice
   * per run of kept rows (a view of the data, no copy). Returns the slices and the rows kept.
   */
  slices(from: number, to: number, skip?: (i: number) => boolean): { chunks: Buffer[]; rows: number } {
    if (!skip) return { chunks: to > from ? [this.data.subarray(this.start(from), this.start(to))] : [], rows: to - from };
    const chunks: Buffer[] = [];
    let rows = 0;
    let runStart = -1;
    for (let i = from; i <= to; i++) {
      const keep = i < to && !skip(i);
      if (keep) {
        rows++;
        if (runStart < 0) runStart = i;
      } else if (runStart >= 0) {
        chunks.push(this.data.subarray(this.start(runStart), this.start(i)));
        runStart = -1;
      }
    }
    return { chunks, rows };
  }
}

/**
 * One batch of canonical events, encoded for binary COPY as they are added: per kind a
 * {@link KindRows}, plus the batch's touched ranges, months (for trade partitions) and row
 * origins. Built row by row by the file ingest (no array of event objects is ever held), or
 * from an array by {@link EventRows.from}.
 */
export class EventRows {
  readonly #kinds = new Map<EventKind, KindRows>();
  readonly #ranges = new RangeTracker();
  readonly #months = new Set<string>();
  #monthStart = -1;
  #monthEnd = -1;
  readonly #lines = new NumberColumn();
  readonly #rawStarts = new NumberColumn();
  readonly #raws = new CopyRowBuffer(1 << 20);
  #origins = 0;
  #size = 0;

  /** The events of `events`, with `origins[i]` the origin of `events[i]` when given. */
  static from(events: readonly CanonicalEvent[], origins?: { readonly lines: readonly number[]; readonly raws: readonly string[] }): EventRows {
    const rows = new EventRows();
    for (let i = 0; i < events.length; i++) {
      rows.add(events[i]!, origins ? rows.addOrigin(origins.lines[i]!, origins.raws[i]!) : -1);
    }
    return rows;
  }

  /** Events added. */
  get size(): number {
    return this.#size;
  }

  /**
   * Forgets every event and origin, keeping the memory: the file ingest alternates two batches
   * (one read while the other is written), so its buffers are allocated once per file.
   */
  reset(): this {
    for (const rows of this.#kinds.values()) rows.reset();
    this.#ranges.reset();
    this.#months.clear();
    this.#monthStart = -1;
    this.#monthEnd = -1;
    this.#lines.reset();
    this.#rawStarts.reset();
    this.#raws.reset();
    this.#origins = 0;
    this.#size = 0;
    return this;
  }

  /** Records where the next events come from; returns the origin index to pass to {@link add}. */
  addOrigin(line: number, raw: string): number {
    this.#lines.push(line);
    this.#rawStarts.push(this.#raws.length);
    this.#raws.text(raw.length > 4096 ? raw.slice(0, 4096) : raw);
    return this.#origins++;
  }

  /** The origin recorded as `index`, or null. */
  origin(index: number): RowOrigin | null {
    if (index < 0 || index >= this.#origins) return null;
    return { line: this.#lines.at(index), raw: readTextAt(this.#raws.subarray(), this.#rawStarts.at(index)) ?? '' };
  }

  /** Appends one event, from origin `origin` (-1: none). */
  add(e: CanonicalEvent, origin = -1): void {
    this.#rowsOf(e.kind).add(e, origin);
    this.#noted(e.market, e.ts, e.kind === 'trade');
  }

  /**
   * Appends the trade of line `line` given as spans of its text (a format's fast path): the
   * same rows, origin and ranges as {@link addOrigin} of the line and {@link add} of the equal
   * trade event.
   */
  addTradeSpans(t: TradeSpans, line: number): void {
    const origin = this.addOrigin(line, t.line);
    this.#rowsOf('trade').addTradeSpans(t, origin);
    this.#noted(t.market, t.ts, true);
  }

  #rowsOf(kind: EventKind): KindRows {
    let rows = this.#kinds.get(kind);
    if (!rows) this.#kinds.set(kind, (rows = new KindRows(kind)));
    return rows;
  }

  #noted(market: string, ts: number, trade: boolean): void {
    this.#ranges.add(market, ts);
    if (trade && (ts < this.#monthStart || ts >= this.#monthEnd)) {
      const d = new Date(Math.floor(ts / 1000));
      const y = d.getUTCFullYear();
      const mo = d.getUTCMonth();
      this.#monthStart = Date.UTC(y, mo, 1) * 1000;
      this.#monthEnd = Date.UTC(y, mo + 1, 1) * 1000;
      this.#months.add(`${y}-${String(mo + 1).padStart(2, '0')}`);
    }
    this.#size++;
  }

  /** The kinds present, in {@link EVENT_KINDS} order. */
  kinds(): KindRows[] {
    return EVENT_KINDS.map((k) => this.#kinds.get(k)).filter((r): r is KindRows => r !== undefined && r.count > 0);
  }

  /** Per market, the time range of the batch's events. */
  touched(): TouchedRange[] {
    return this.#ranges.ranges();
  }

  /** Months (`YYYY-MM`) with trades in the batch: each needs its partition before the COPY. */
  months(): string[] {
    return [...this.#months];
  }
}
