import { readHeatmapRowAt, type HeatmapRow, type LevelsAround } from '../../db/index.js';
import type { ApiContext } from '../context.js';
import { userError } from '../errors.js';
import type { ResultsRef } from './results.js';

/** Default half-width of a liquidation map around the price (fraction). */
export const DEFAULT_MAP_RANGE = 0.1;
/** Price rows a liquidation map gets when the caller does not choose its price bucket. */
export const DEFAULT_MAP_ROWS = 200;

/** The classic liquidation map: pending liquidations by price around the price at one time. */
export interface LiquidationMap {
  /** Bucket start of the levels shown, epoch ms. */
  readonly t: number;
  /** Close of that bucket, quote. */
  readonly price: number;
  /** Lower edge of each price row, quote. */
  readonly prices: number[];
  readonly priceBucket: number;
  /** Pending long (short) liquidation notional per row, quote. */
  readonly long: number[];
  readonly short: number[];
  /** Longs liquidated if price falls to the row's lower edge; shorts if it rises to its upper edge; quote. */
  readonly cumulativeLong: number[];
  readonly cumulativeShort: number[];
}

/** The persisted levels standing at `atMs` (the bucket at or just before it). */
export async function levelsAt(ctx: ApiContext, ref: ResultsRef, atMs: number): Promise<HeatmapRow> {
  const row = await readHeatmapRowAt(ctx.store, ref.market, ref.paramsHash, atMs);
  if (!row) throw missingLevels(ref, atMs);
  return row;
}

/** NOT_FOUND: no persisted levels at or before `atMs` (before the market's data starts). */
export function missingLevels(ref: ResultsRef, atMs: number) {
  return userError('NOT_FOUND', `no levels of "${ref.market}" at or before ${new Date(atMs).toISOString()}: its data starts at ${new Date(ref.span.firstMs).toISOString()}`);
}

/** Refuses a map's `range` outside (0, 1) and a `priceBucket` that is not above 0 (BAD_USER_INPUT), before anything is read. */
export function checkMapArgs(range: number, priceBucket: number | null | undefined): void {
  if (!(range > 0 && range < 1)) throw userError('BAD_USER_INPUT', 'range must be a fraction of the price between 0 and 1 (0.1 = ±10%)');
  if (priceBucket != null && !(priceBucket > 0)) throw userError('BAD_USER_INPUT', 'priceBucket must be greater than 0 (quote currency per price row)');
}

/** Rows' lower edges kept, across grids, before the memo is cleared. */
const MAX_GRID_PRICES = 200_000;
const gridPrices = new Map<string, Map<number, number>>();
let gridPriceCount = 0;

/**
 * The lower edge of row `i` of the grid of `k` price buckets of `step` (`i × k × step` to 12
 * significant digits), memoised: toPrecision for each of a map's ~200 rows was ~70 µs of every
 * request (5% of its CPU), for prices that repeat from one request to the next.
 */
function gridOf(k: number, step: number): (i: number) => number {
  const key = `${k}:${step}`;
  let prices = gridPrices.get(key);
  if (!prices) gridPrices.set(key, (prices = new Map()));
  const memo = prices;
  return (i) => {
    let v = memo.get(i);
    if (v === undefined) {
      v = Number((i * k * step).toPrecision(12));
      if (gridPriceCount >= MAX_GRID_PRICES) {
        for (const m of gridPrices.values()) m.clear();
        gridPriceCount = 0;
      }
      memo.set(i, v);
      gridPriceCount++;
    }
    return v;
  };
}

/**
 * Builds the liquidation map of a persisted row, `range` (fraction) either side of its price:
 * from the whole row, or from its slice around the price ({@link LevelsAround}, cut wide enough
 * for the same cells).
 */
export function liquidationMap(row: LevelsAround, range: number, priceBucket?: number | null): LiquidationMap {
  checkMapArgs(range, priceBucket);
  const step = row.priceStep;
  const lo = row.price * (1 - range);
  const hi = row.price * (1 + range);
  let k = Math.max(1, Math.ceil((hi - lo) / step / DEFAULT_MAP_ROWS));
  if (priceBucket != null) k = Math.max(1, Math.round(priceBucket / step));
  const j0 = Math.floor(lo / step / k);
  const n = Math.floor(hi / step / k) - j0 + 1;
  if (n > 100_000) throw userError('RANGE_TOO_LARGE', `the map would have ${n} price rows; at most 100000: widen priceBucket or narrow range`);
  const long = new Array<number>(n).fill(0);
  const short = new Array<number>(n).fill(0);
  const put = (out: number[], base: number, values: readonly number[]) =>
    values.forEach((v, x) => {
      const j = Math.floor((base + x) / k) - j0;
      if (j >= 0 && j < n) out[j] = (out[j] ?? 0) + v;
    });
  put(long, row.longLo, row.long);
  put(short, row.shortLo, row.short);
  const grid = gridOf(k, step);
  const prices = Array.from({ length: n }, (_, j) => grid(j0 + j));
  const priceRow = Math.floor(row.price / step / k) - j0;
  const cumulativeLong = new Array<number>(n).fill(0);
  const cumulativeShort = new Array<number>(n).fill(0);
  let acc = 0;
  for (let j = Math.min(priceRow, n - 1); j >= 0; j--) cumulativeLong[j] = acc += long[j] ?? 0;
  acc = 0;
  for (let j = Math.max(priceRow, 0); j < n; j++) cumulativeShort[j] = acc += short[j] ?? 0;
  return { t: row.t, price: row.price, prices, priceBucket: Number((k * step).toPrecision(12)), long, short, cumulativeLong, cumulativeShort };
}
