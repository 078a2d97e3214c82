import type { ColumnType, Generated } from 'kysely';

/** `numeric` comes back from both drivers as a decimal string; we write strings too. */
type Numeric = ColumnType<string, string, string>;
type NullableNumeric = ColumnType<string | null, string | null | undefined, string | null>;
/** `timestamptz`: read as Date (both drivers), written as Date or ISO string. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** `bigint` columns come back as strings from postgres.js and as bigint/number from PGlite. */
type BigIntCol = ColumnType<string | number | bigint, number | string | bigint, number | string | bigint>;

/** `markets`: one row per `exchange:SYMBOL`. */
export interface MarketsTable {
  id: string;
  exchange: string;
  symbol: string;
  created_at: Generated<Date>;
}

/** `trades` (range-partitioned by `ts`). `side` is the taker side. */
export interface TradesTable {
  market_id: string;
  ts: Timestamp;
  trade_id: string;
  price: Numeric;
  qty: Numeric;
  side: string | null;
}

export interface FundingRatesTable {
  market_id: string;
  ts: Timestamp;
  /** Fraction per funding interval. */
  rate: Numeric;
  mark_price: NullableNumeric;
  interval_hours: number | null;
}

export interface LiquidationsTable {
  market_id: string;
  ts: Timestamp;
  key: string;
  /** Forced-order side: `sell` closes a long. */
  side: string | null;
  price: Numeric;
  qty: NullableNumeric;
  notional: NullableNumeric;
  /** The venue's stream publishes a sample (e.g. at most one per symbol per second), not every liquidation. */
  sampled: Generated<boolean>;
}

/** Buyer and seller of a trade, where the venue publishes them (Hyperliquid). */
export interface TradePartiesTable {
  market_id: string;
  ts: Timestamp;
  trade_id: string;
  buyer: string;
  seller: string;
}

/** A range a live feed missed that REST history could not fill. */
export interface LiveGapsTable {
  market_id: string;
  /** `trades`, `liquidations`, … */
  stream: string;
  from_ts: Timestamp;
  to_ts: Timestamp;
  reason: string;
  recorded_at: Generated<Date>;
}

export interface OpenInterestTable {
  market_id: string;
  ts: Timestamp;
  oi_qty: Numeric;
  oi_value: NullableNumeric;
}

export interface MarkPricesTable {
  market_id: string;
  ts: Timestamp;
  mark_price: Numeric;
  index_price: NullableNumeric;
  funding_rate: NullableNumeric;
}

export interface CandlesTable {
  market_id: string;
  price_type: string;
  interval_s: number;
  ts: Timestamp;
  open: Numeric;
  high: Numeric;
  low: Numeric;
  close: Numeric;
  volume: NullableNumeric;
  quote_volume: NullableNumeric;
  trade_count: number | null;
}

export interface IngestCheckpointsTable {
  source_key: string;
  format: string;
  fingerprint: string;
  line: BigIntCol;
  rows_written: BigIntCol;
  rows_quarantined: BigIntCol;
  state: ColumnType<unknown, string, string>;
  done: boolean;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface QuarantineTable {
  source_key: string;
  file: string;
  line: BigIntCol;
  field: string | null;
  reason: string;
  raw: string;
  created_at: Generated<Date>;
}

export interface MarketVersionsTable {
  market_id: string;
  version: BigIntCol;
  first_ts: Date | null;
  last_ts: Date | null;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  /** Earliest event time written since results were last computed (late data), or null. */
  dirty_from: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

/** Model parameter sets by hash. */
export interface ModelParamsTable {
  params_hash: string;
  params: ColumnType<unknown, string, string>;
  created_at: Generated<Date>;
}

/** One computed time bucket of a market's heatmap (dense arrays, each from its `*_lo` price-bucket index). */
export interface HeatmapRowsTable {
  market_id: string;
  params_hash: string;
  t: Timestamp;
  price: number;
  price_step: number;
  long_lo: number;
  long: number[];
  short_lo: number;
  short: number[];
  oi_lo: number;
  oi_long: number[];
  oi_short: number[];
  liquidated_long: number;
  liquidated_short: number;
  data_version: BigIntCol;
  /** Leverage layers (db/results/leverage-layers.ts); null on rows computed before they were kept. */
  lev: ColumnType<number[] | null, never, never>;
  lev_long_lo: ColumnType<number[] | null, never, never>;
  lev_long_n: ColumnType<number[] | null, never, never>;
  lev_long: ColumnType<number[] | null, never, never>;
  lev_short_lo: ColumnType<number[] | null, never, never>;
  lev_short_n: ColumnType<number[] | null, never, never>;
  lev_short: ColumnType<number[] | null, never, never>;
}

/** An aggregate across venues (a base asset over a set of venues) under one requested parameter set. */
export interface AggregatesTable {
  agg_id: string;
  params_hash: string;
  symbol: string;
  venues: string[];
  params: ColumnType<unknown, string, string>;
  parts: ColumnType<unknown, string, string>;
  last_t: Date | null;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** Detected clusters per market, params and time. */
export interface ClustersTable {
  market_id: string;
  params_hash: string;
  t: Timestamp;
  rank: number;
  side: string;
  price_low: number;
  price_high: number;
  peak_price: number;
  notional: number;
  share_of_side: number;
  distance: number;
  composition: ColumnType<unknown, string, string>;
}

/** Model state checkpoints (the state at the end of bucket `t`). */
export interface ModelCheckpointsTable {
  market_id: string;
  params_hash: string;
  t: Timestamp;
  state: string;
  data_version: BigIntCol;
  created_at: Generated<Date>;
}

/** One run of the compute processor. */
export interface JobRunsTable {
  id: Generated<BigIntCol>;
  market_id: string;
  params_hash: string;
  started_at: Timestamp;
  finished_at: Date | string | null;
  buckets: number;
  status: string;
  error: string | null;
}

/** The Kysely database type: every table liqmap owns. */
export interface Database {
  markets: MarketsTable;
  trades: TradesTable;
  funding_rates: FundingRatesTable;
  liquidations: LiquidationsTable;
  open_interest: OpenInterestTable;
  mark_prices: MarkPricesTable;
  candles: CandlesTable;
  ingest_checkpoints: IngestCheckpointsTable;
  quarantine: QuarantineTable;
  market_versions: MarketVersionsTable;
  model_params: ModelParamsTable;
  heatmap_rows: HeatmapRowsTable;
  aggregates: AggregatesTable;
  clusters: ClustersTable;
  model_checkpoints: ModelCheckpointsTable;
  job_runs: JobRunsTable;
  position_history: PositionRowTable;
  positions: PositionRowTable;
  subgraph_rows: SubgraphRowsTable;
  market_state: MarketStateTable;
  compute_locks: ComputeLocksTable;
  live_gaps: LiveGapsTable;
  trade_parties: TradePartiesTable;
}

/** A market's compute lease. */
export interface ComputeLocksTable {
  market_id: string;
  owner: string;
  expires_at: Timestamp;
}

/** A position after one change (history) or its newest state (positions). Amounts: USD, tokens. */
export interface PositionRowTable {
  position_key: string;
  change_id: string;
  market_id: string;
  account: string;
  collateral_token: string;
  is_long: boolean;
  size_usd: Numeric;
  size_tokens: NullableNumeric;
  collateral_tokens: NullableNumeric;
  collateral_usd: Numeric;
  entry_price: NullableNumeric;
  open: boolean;
  block: BigIntCol;
  ts: Timestamp;
  market_token: string | null;
  collateral_is_index: boolean;
  collateral_price: NullableNumeric;
  borrowing_factor: NullableNumeric;
  funding_fee_per_size: NullableNumeric;
  pending_impact_tokens: NullableNumeric;
}

/** One update of a market's accumulator or Config parameter (GMX v2), in whole units. */
export interface MarketStateTable {
  market_id: string;
  kind: string;
  collateral_token: string;
  flag: boolean;
  entry_id: string;
  block: BigIntCol;
  ts: Timestamp;
  value: Numeric;
}

/** Which subgraph page (by its last block) wrote a canonical row. */
export interface SubgraphRowsTable {
  source_key: string;
  page_block: BigIntCol;
  kind: string;
  market_id: string;
  ts: Timestamp;
  key: string;
}
