import type { BucketPart, ModelEvent, ModelParams, ServedCluster, ServedGrid } from '../../engine/index.js';

/** Which served cells a check compares. */
export type ServedCells = { readonly kind: 'grid'; readonly grid: ServedGrid } | { readonly kind: 'clusters'; readonly t: number; readonly clusters: readonly ServedCluster[] };

/** Everything a check needs besides the data: what was served, under which parameters. */
export interface CheckSpec {
  readonly market: string;
  readonly paramsHash: string;
  readonly params: ModelParams;
  readonly dataVersion: number;
  /** The GraphQL field that served the cells. */
  readonly field: string;
  readonly served: ServedCells;
  /** The newest served bucket (epoch ms): the reference replays up to it. */
  readonly untilT: number;
  /** The window whose bucket inputs the aggregation stage re-derives from raw events, epoch ms [from, to). */
  readonly window: { readonly fromMs: number; readonly toMs: number };
}

/** Where a check reads its data (a store of its own in a worker thread, or the parent's via messages). */
export interface CheckLoader {
  /** Stored bucket inputs of the results in [fromMs, toMs), time order (the SQL aggregation's, when none were stored). */
  bucketInputs(market: string, paramsHash: string, widthMs: number, fromMs: number, toMs: number): Promise<BucketPart[]>;
  /** The first bucket the results were computed from, epoch ms, or null. */
  firstBucket(market: string, paramsHash: string, widthMs: number): Promise<number | null>;
  /** Raw events of [fromMs, toMs), exact text, time order. */
  events(market: string, fromMs: number, toMs: number): Promise<ModelEvent[]>;
}

/** The first value of a stage that disagrees. */
export interface StageMismatch {
  /** Bucket start, epoch ms. */
  readonly t: number;
  /** The value: an input field (`trades.vwap`), a cell side (`long`), a cluster value. */
  readonly what: string;
  readonly priceLow: number | null;
  readonly priceHigh: number | null;
  /** The served (model) or aggregated (aggregation) value. */
  readonly served: number | null;
  /** The reference's value (exact text for the aggregation stage). */
  readonly reference: string | null;
}

/** One stage's verdict. */
export interface StageVerdict {
  readonly ok: boolean;
  /** What this stage compared, in words. */
  readonly compared: string;
  readonly valuesCompared: number;
  readonly mismatches: number;
  readonly maxAbsDiff: number | null;
  readonly maxRelDiff: number;
  readonly tolerance: number;
  readonly firstMismatch: StageMismatch | null;
  /** The range this stage covered, epoch ms [from, to). */
  readonly fromMs: number;
  readonly toMs: number;
  /** Time buckets covered. */
  readonly buckets: number;
  readonly ms: number;
}

/** A finished check of served cells. */
export interface CheckVerdict {
  /** The reference that judged: `estimated` (reference engine over bucket inputs) or `exact-positions`. */
  readonly engine: string;
  readonly ok: boolean;
  /** The first stage that failed (the aggregation feeds the model, so its fault comes first). */
  readonly fault: 'AGGREGATION' | 'MODEL' | null;
  /** Raw events → bucket inputs: the stored inputs of the window against their exact re-derivation (null: not applicable). */
  readonly aggregation: StageVerdict | null;
  /** Bucket inputs → served cells: the reference's snapshot, binned as served, against the served cells. */
  readonly model: StageVerdict;
  readonly elapsedMs: number;
}
