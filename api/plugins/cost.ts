import { GraphQLError, Kind, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import type { Plugin } from 'graphql-yoga';
import { DEFAULT_COLUMNS, DEFAULT_ROWS, MAX_CELLS } from '../levels/heatmap.js';
import { DEFAULT_MAP_ROWS } from '../levels/liquidation-map.js';
import { MAX_CANDLES } from '../schema/candles.js';
import { MAX_PAGE_SIZE } from '../schema/events.js';
import { SYMBOL_VENUES } from '../../db/index.js';
import { documentShape } from './validation-shapes.js';

/**
 * What a request may cost, in "values": roughly the numbers and strings its response can hold
 * (a scalar field is 1, a list of n objects n × theirs, a heatmap array one per cell). 2,000,000
 * values is ~20 MB of JSON: one heatmap at the 1,000,000-cell limit with two of its arrays, or
 * nine default heatmaps (720 × 300 cells) with one; fifteen aliased ones do not pass.
 */
export const COST = {
  maxCost: 2_000_000,
  /** Page size a connection has when `first`/`last` is not given. */
  defaultPage: 50,
  /** A count(*) over up to LIQMAP_MAX_RANGE_DAYS of events. */
  totalCount: 1_000,
  /** Any field given a `model` argument (parameter parsing, a results lookup per served set). */
  model: 10_000,
  /** `accuracy`: per day of the range backtested. */
  accuracyPerDay: 2_000,
  /** An aggregate (`symbol:`), per venue it may sum (reading that part's persisted rows). */
  perVenue: 1_000,
} as const;

const DEFAULT_WINDOW_S = 86_400;
const CELL_FIELDS = new Set(['values', 'long', 'short']);
const MAP_FIELDS = new Set(['prices', 'long', 'short', 'cumulativeLong', 'cumulativeShort']);

/** Names of the fields selected directly under `set` (through inline fragments and named fragments). */
function selectedFields(set: SelectionSetNode | undefined, fragments: ReadonlyMap<string, FragmentDefinitionNode>, seen = new Set<string>()): Set<string> {
  const out = new Set<string>();
  for (const s of set?.selections ?? []) {
    if (s.kind === Kind.FIELD) out.add(s.name.value);
    else if (s.kind === Kind.INLINE_FRAGMENT) for (const f of selectedFields(s.selectionSet, fragments, seen)) out.add(f);
    else if (!seen.has(s.name.value)) {
      seen.add(s.name.value);
      for (const f of selectedFields(fragments.get(s.name.value)?.selectionSet, fragments, seen)) out.add(f);
    }
  }
  return out;
}

/** Venues an aggregate's arguments sum at most: those named, else every venue of the registry. */
function venueCount(args: Record<string, unknown>): number {
  return Array.isArray(args.venues) ? Math.max(1, new Set(args.venues).size) : SYMBOL_VENUES.length;
}

/**
 * What an aggregate (`symbol:`) adds: reading each venue's part (a fixed price per venue) and,
 * when `parts { share }` is selected, one value per cell per venue.
 */
function partsCost(args: Record<string, unknown>, set: SelectionSetNode | undefined, fragments: ReadonlyMap<string, FragmentDefinitionNode>, cells: number): number {
  if (typeof args.symbol !== 'string') return 0;
  const n = venueCount(args);
  let cost = n * COST.perVenue;
  for (const s of set?.selections ?? []) {
    if (s.kind !== Kind.FIELD || s.name.value !== 'parts') continue;
    if (selectedFields(s.selectionSet, fragments).has('share')) cost += n * cells;
  }
  return cost;
}

/** Columns × rows a heatmap's arguments can produce at most (the resolver enforces MAX_CELLS on the real grid). */
export function heatmapCellBound(args: Record<string, unknown>, maxRangeDays: number): { cols: number; rows: number } {
  const num = (k: string) => (typeof args[k] === 'number' ? (args[k] as number) : null);
  const from = num('from');
  const to = num('to');
  // µs → s; `from` alone means "to the newest event": up to the longest range allowed.
  const rangeS = from !== null && to !== null ? Math.max(0, (to - from) / 1e6) : from !== null ? maxRangeDays * 86_400 : DEFAULT_WINDOW_S;
  const width = Math.max(1, num('timeBucketSeconds') ?? 60);
  const resolution = num('resolutionSeconds');
  const cols = Math.max(1, resolution !== null && resolution > 0 ? Math.ceil(rangeS / Math.max(resolution, width)) : Math.min(DEFAULT_COLUMNS, Math.ceil(rangeS / width)));
  const bucket = num('priceBucket');
  const lo = num('priceLow');
  const hi = num('priceHigh');
  let rows = DEFAULT_ROWS + 1;
  if (bucket !== null && bucket > 0) rows = lo !== null && hi !== null ? Math.floor((hi - lo) / bucket) + 2 : Math.ceil(MAX_CELLS / cols);
  return { cols: Math.min(cols, MAX_CELLS), rows: Math.min(Math.max(1, rows), Math.ceil(MAX_CELLS / Math.min(cols, MAX_CELLS))) };
}

/** The estimator: heatmaps by cells, lists by page size, `totalCount` and `model` at a fixed price. */
function estimator(fragments: ReadonlyMap<string, FragmentDefinitionNode>, maxRangeDays: number): ComplexityEstimator {
  return ({ field, node, args, childComplexity }) => {
    let cost = 1 + childComplexity;
    const name = field.name;
    if (name === 'heatmap' || name === 'openInterestHeatmap') {
      const { cols, rows } = heatmapCellBound(args, maxRangeDays);
      const sel = selectedFields(node.selectionSet, fragments);
      const arrays = [...sel].filter((f) => CELL_FIELDS.has(f)).length;
      cost += arrays * cols * rows + (sel.has('times') ? cols : 0) + (sel.has('priceLine') ? cols : 0) + (sel.has('prices') ? rows : 0);
      cost += partsCost(args, node.selectionSet, fragments, cols * rows);
    } else if (name === 'liquidationMap') {
      const rows = typeof args.priceBucket === 'number' ? 100_000 : DEFAULT_MAP_ROWS + 1;
      cost += [...selectedFields(node.selectionSet, fragments)].filter((f) => MAP_FIELDS.has(f)).length * rows;
      cost += partsCost(args, node.selectionSet, fragments, rows);
    } else if (name === 'clusters' && typeof args.symbol === 'string') {
      cost += venueCount(args) * COST.perVenue;
    } else if (name === 'priceCandles') {
      // Five numbers per column, the columns bounded like a heatmap's (and by MAX_CANDLES).
      cost += 5 * Math.min(MAX_CANDLES, heatmapCellBound(args, maxRangeDays).cols);
    } else if (name === 'totalCount') {
      cost = COST.totalCount;
    } else if (name === 'accuracy') {
      const days = typeof args.from === 'number' && typeof args.to === 'number' ? Math.max(1, (args.to - args.from) / 86_400e6) : maxRangeDays;
      cost += Math.ceil(days * COST.accuracyPerDay);
    } else if (field.args.some((a) => a.name === 'first' || a.name === 'last')) {
      const n = typeof args.first === 'number' ? args.first : typeof args.last === 'number' ? args.last : COST.defaultPage;
      // Beyond the page limit the resolver refuses the request itself, with a precise message.
      cost = 1 + Math.min(Math.max(1, n), MAX_PAGE_SIZE) * childComplexity;
    }
    if (args.model != null) cost += COST.model;
    return cost;
  };
}

/** The cost of one operation of `document` with its variables (what {@link useCostLimit} checks). */
export function operationCost(schema: Parameters<typeof getComplexity>[0]['schema'], document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined, maxRangeDays: number): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  return getComplexity({ schema, query: document, variables: variables ?? {}, ...(operationName ? { operationName } : {}), estimators: [estimator(fragments, maxRangeDays)] });
}

/** Arguments {@link estimator} reads the value of (any field's `model` counts too, whatever it holds). */
const PRICED_ARGUMENTS = new Set(['from', 'to', 'timeBucketSeconds', 'resolutionSeconds', 'priceBucket', 'priceLow', 'priceHigh', 'symbol', 'venues', 'first', 'last', 'model']);
/** Costs kept per schema before the memo is cleared. */
const MAX_COST_KEYS = 5000;

/**
 * What an operation's cost depends on: its document's shape (structure, names, literal kinds),
 * the operation's name, and the values of the literals the cost reads — those of the arguments
 * in {@link PRICED_ARGUMENTS}, of directives (@include/@skip) and of variables' defaults; not
 * the values of the others (a time, a market, a filter). Null (priced each time): no shape
 * (not validated by useValidationByShape) or variables given.
 */
function costKey(document: DocumentNode, variables: Record<string, unknown> | null | undefined, operationName: string | null | undefined): string | null {
  if (variables && Object.keys(variables).length > 0) return null;
  const shape = documentShape(document);
  if (!shape) return null;
  const values: string[] = [];
  shape.literals.forEach((lit, i) => {
    const arg = shape.argumentOf[i];
    if (arg === null || arg === undefined || PRICED_ARGUMENTS.has(arg)) values.push(`${lit.kind}${JSON.stringify((lit as { value?: unknown }).value)}`);
  });
  return `${shape.hash}\0${operationName ?? ''}\0${values.join(',')}`;
}

/**
 * The cost limit: every operation is priced (with its variables, so `first: $n` costs n) before
 * it executes; above {@link COST.maxCost} it is refused with `COST_LIMIT_EXCEEDED` saying the
 * cost and how to lower it. (graphql-armor's cost limit is syntactic — the same price for every
 * field, `first` only as a literal — so it cannot see that a heatmap returns a million cells.)
 */
export function useCostLimit(opts: { maxRangeDays: number; maxCost?: number }): Plugin {
  const max = opts.maxCost ?? COST.maxCost;
  const memo = new WeakMap<object, Map<string, number | null>>();
  const check = (args: { schema: Parameters<typeof getComplexity>[0]['schema']; document: DocumentNode; variableValues?: Record<string, unknown> | null | undefined; operationName?: string | null | undefined }) => {
    const key = costKey(args.document, args.variableValues, args.operationName);
    let bySchema = memo.get(args.schema);
    if (!bySchema) memo.set(args.schema, (bySchema = new Map()));
    let cost = key === null ? undefined : bySchema.get(key);
    if (cost === undefined) {
      try {
        cost = operationCost(args.schema, args.document, args.variableValues ?? undefined, args.operationName ?? undefined, opts.maxRangeDays);
      } catch (e) {
        // Bad variables and the like: execution reports them precisely.
        if (!(e instanceof GraphQLError)) throw e;
        cost = null;
      }
      if (key !== null) {
        if (bySchema.size >= MAX_COST_KEYS) bySchema.clear();
        bySchema.set(key, cost);
      }
    }
    if (cost === null || cost <= max) return null;
    return new GraphQLError(
      `query cost ${Math.round(cost)} exceeds the limit of ${max} (about one value per number in the response: a heatmap costs one per cell of each of values/long/short): select fewer cell arrays, widen resolutionSeconds or priceBucket, narrow the range, or split the query`,
      { extensions: { code: 'COST_LIMIT_EXCEEDED', cost: Math.round(cost), maxCost: max } },
    );
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const err = check(args);
      if (err) setResultAndStopExecution({ errors: [err] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const err = check(args);
      if (err) setResultAndStopExecution({ errors: [err] });
    },
  };
}
