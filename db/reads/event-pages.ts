import { LiqmapError } from '../../base/index.js';
import { sql, type RawBuilder } from 'kysely';
import type { Store } from '../store.js';
import { timestampText } from '../copy-csv.js';

/** The event tables that can be paged. */
export type PagedKind = 'trades' | 'funding_rates' | 'liquidations' | 'open_interest';

/** A numeric range filter; values are decimal strings (or epoch µs for time). */
export interface RangeFilter<T> {
  readonly gt?: T | undefined;
  readonly gte?: T | undefined;
  readonly lt?: T | undefined;
  readonly lte?: T | undefined;
}

/** What a page query asks for. */
export interface PageQuery {
  readonly market: string;
  /** Event time bounds, epoch microseconds. */
  readonly time?: RangeFilter<number> | undefined;
  /** `side in (…)` (trades: taker side; liquidations: forced-order side). */
  readonly sideIn?: readonly string[] | undefined;
  /** Price bounds (quote), decimal strings. */
  readonly price?: RangeFilter<string> | undefined;
  /** Size bounds: trade/liquidation base quantity, open interest base units, funding rate. */
  readonly size?: RangeFilter<string> | undefined;
  readonly direction: 'asc' | 'desc';
  /** Page size (the caller enforces its maximum). */
  readonly first: number;
  /** Opaque cursor of the last row of the previous page. */
  readonly after?: string | undefined;
}

/** One row of a page: the table's columns plus its exact time and cursor. */
export interface PageRow {
  /** Event time, epoch microseconds (exact). */
  readonly tsUs: number;
  readonly cursor: string;
  readonly values: Readonly<Record<string, string | number | boolean | null>>;
}

/** A page and whether more rows follow. */
export interface Page {
  readonly rows: PageRow[];
  readonly hasNextPage: boolean;
}

interface TableSpec {
  /** Columns after `ts` that make the order total (the rest of the primary key). */
  readonly tiebreak: string | null;
  readonly columns: readonly string[];
  readonly price: string | null;
  readonly size: string | null;
  readonly side: string | null;
}

const SPECS: Record<PagedKind, TableSpec> = {
  trades: { tiebreak: 'trade_id', columns: ['trade_id', 'price', 'qty', 'side'], price: 'price', size: 'qty', side: 'side' },
  liquidations: { tiebreak: 'key', columns: ['key', 'side', 'price', 'qty', 'notional', 'sampled'], price: 'price', size: 'qty', side: 'side' },
  funding_rates: { tiebreak: null, columns: ['rate', 'mark_price', 'interval_hours'], price: 'mark_price', size: 'rate', side: null },
  open_interest: { tiebreak: null, columns: ['oi_qty', 'oi_value'], price: null, size: 'oi_qty', side: null },
};

/** Error thrown for a cursor that this server did not issue. */
export class BadCursorError extends LiqmapError {
  constructor() {
    super('BAD_USER_INPUT', 'the `after` cursor is not one this API issued (use pageInfo.endCursor of the previous page)');
    this.name = 'BadCursorError';
  }
}

function encodeCursor(tsUs: string, tiebreak: string | null): string {
  return Buffer.from(JSON.stringify(tiebreak === null ? [tsUs] : [tsUs, tiebreak])).toString('base64url');
}

function decodeCursor(cursor: string, spec: TableSpec): { tsUs: number; tiebreak: string | null } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(v) || typeof v[0] !== 'string' || !/^\d+$/.test(v[0])) throw new Error();
    if (spec.tiebreak !== null && typeof v[1] !== 'string') throw new Error();
    return { tsUs: Number(v[0]), tiebreak: spec.tiebreak === null ? null : (v[1] as string) };
  } catch {
    throw new BadCursorError();
  }
}

function rangeConditions(column: RawBuilder<unknown>, r: RangeFilter<string> | undefined, cast: (v: string) => RawBuilder<unknown>): RawBuilder<unknown>[] {
  if (!r) return [];
  const out: RawBuilder<unknown>[] = [];
  if (r.gt !== undefined) out.push(sql`${column} > ${cast(r.gt)}`);
  if (r.gte !== undefined) out.push(sql`${column} >= ${cast(r.gte)}`);
  if (r.lt !== undefined) out.push(sql`${column} < ${cast(r.lt)}`);
  if (r.lte !== undefined) out.push(sql`${column} <= ${cast(r.lte)}`);
  return out;
}

function conditions(kind: PagedKind, q: PageQuery): RawBuilder<unknown>[] {
  const spec = SPECS[kind];
  const where: RawBuilder<unknown>[] = [sql`market_id = ${q.market}`];
  const time = q.time && {
    gt: q.time.gt === undefined ? undefined : timestampText(q.time.gt),
    gte: q.time.gte === undefined ? undefined : timestampText(q.time.gte),
    lt: q.time.lt === undefined ? undefined : timestampText(q.time.lt),
    lte: q.time.lte === undefined ? undefined : timestampText(q.time.lte),
  };
  where.push(...rangeConditions(sql.ref('ts'), time, (v) => sql`${v}::text::timestamptz`));
  if (spec.price) where.push(...rangeConditions(sql.ref(spec.price), q.price, (v) => sql`${v}::numeric`));
  if (spec.size) where.push(...rangeConditions(sql.ref(spec.size), q.size, (v) => sql`${v}::numeric`));
  if (spec.side && q.sideIn) {
    where.push(q.sideIn.length === 0 ? sql`false` : sql`${sql.ref(spec.side)} in (${sql.join(q.sideIn.map((s) => sql`${s}`))})`);
  }
  return where;
}

/**
 * One page of events of a market in time order (then by the rest of the primary key), with
 * keyset pagination: the cursor is the last row's key, so every page is an index range scan
 * and pages never skip or repeat rows while new data arrives.
 */
export async function pageEvents(store: Store, kind: PagedKind, q: PageQuery): Promise<Page> {
  const spec = SPECS[kind];
  const where = conditions(kind, q);
  const desc = q.direction === 'desc';
  if (q.after) {
    const c = decodeCursor(q.after, spec);
    const ts = sql`${timestampText(c.tsUs)}::text::timestamptz`;
    const op = sql.raw(desc ? '<' : '>');
    where.push(spec.tiebreak === null ? sql`ts ${op} ${ts}` : sql`(ts, ${sql.ref(spec.tiebreak)}) ${op} (${ts}, ${c.tiebreak})`);
  }
  const dir = sql.raw(desc ? 'desc' : 'asc');
  const order = spec.tiebreak === null ? sql`ts ${dir}` : sql`ts ${dir}, ${sql.ref(spec.tiebreak)} ${dir}`;
  const r = await sql<Record<string, string | number | boolean | null> & { ts_us: string }>`
    select (extract(epoch from ts) * 1000000)::bigint::text as ts_us, ${sql.join(spec.columns.map((c) => sql.ref(c)))}
    from ${sql.table(kind)} where ${sql.join(where, sql` and `)}
    order by ${order} limit ${q.first + 1}`.execute(store.db);
  const rows = r.rows.slice(0, q.first).map((row) => ({
    tsUs: Number(row.ts_us),
    cursor: encodeCursor(row.ts_us, spec.tiebreak === null ? null : String(row[spec.tiebreak])),
    values: row,
  }));
  return { rows, hasNextPage: r.rows.length > q.first };
}

/** How many events match the filters (ignores paging). */
export async function countEvents(store: Store, kind: PagedKind, q: Omit<PageQuery, 'first' | 'after' | 'direction'>): Promise<number> {
  const where = conditions(kind, { ...q, first: 0, direction: 'asc' });
  const r = await sql<{ n: string | number }>`select count(*) as n from ${sql.table(kind)} where ${sql.join(where, sql` and `)}`.execute(store.db);
  return Number(r.rows[0]?.n ?? 0);
}
