import { heatmapExtent, readHeatmapWindow, type HeatmapLayer, type HeatmapWindowRow } from '../../db/index.js';
import { commonStep } from '../../engine/index.js';
import type { ApiContext } from '../context.js';
import { userError } from '../errors.js';
import type { ResultsRef } from './results.js';

/** Columns a heatmap gets when the caller does not choose its time resolution. */
export const DEFAULT_COLUMNS = 720;
/** Price rows a heatmap gets when the caller does not choose its price bucket. */
export const DEFAULT_ROWS = 300;
/** Most cells (columns × rows) one heatmap may have. */
export const MAX_CELLS = 1_000_000;
/** Default price margin around the window's lowest and highest price (fraction). */
export const DEFAULT_PRICE_MARGIN = 0.15;

/** A heatmap as the API returns it: flat row-major arrays (`values[i × prices.length + j]`). */
export interface HeatmapMatrix {
  readonly layer: HeatmapLayer;
  /** Column times (bucket start of the row standing at the end of each column), epoch ms. */
  readonly times: number[];
  /** Lower edge of each price row, quote. */
  readonly prices: number[];
  /** Display price bucket, quote. */
  readonly priceBucket: number;
  /** Display column width, seconds. */
  readonly resolutionSeconds: number;
  /** Close of each column's bucket, quote. */
  readonly priceLine: number[];
  /** Longs (liquidation notional, or open notional by entry), quote per cell. */
  readonly long: number[];
  readonly short: number[];
}

/** What the caller chose (all optional) for a heatmap's window and grid. */
export interface HeatmapShape {
  readonly fromMs: number;
  readonly toMs: number;
  readonly resolutionSeconds?: number | null | undefined;
  readonly priceBucket?: number | null | undefined;
  readonly priceLow?: number | null | undefined;
  readonly priceHigh?: number | null | undefined;
  /** Only the liquidation levels of these leverages (×; validated by the caller). */
  readonly leverages?: readonly number[] | undefined;
}

/** Most quote per price row a caller may ask for (far above any price; keeps the arithmetic finite). */
export const MAX_PRICE = 1e15;

/**
 * Checks a heatmap's grid arguments before any work (the cell count, which needs the window's
 * extent, is checked by {@link readHeatmap}): resolutionSeconds an integer from 1 to the longest
 * range a query may cover, priceBucket above 0, priceLow/priceHigh from 0 to {@link MAX_PRICE}
 * with priceHigh above priceLow. Violations are BAD_USER_INPUT naming argument, value and range.
 */
export function checkHeatmapArgs(shape: Omit<HeatmapShape, 'fromMs' | 'toMs'>, maxRangeSeconds: number): void {
  const bad = (name: string, v: number, range: string) => userError('BAD_USER_INPUT', `${name} = ${v}: must be ${range}`);
  const r = shape.resolutionSeconds;
  if (r != null && (!Number.isInteger(r) || r < 1 || r > maxRangeSeconds)) throw bad('resolutionSeconds', r, `an integer 1 to ${maxRangeSeconds} (seconds: the longest range a query may cover, LIQMAP_MAX_RANGE_DAYS)`);
  const b = shape.priceBucket;
  if (b != null && !(b > 0 && b <= MAX_PRICE)) throw bad('priceBucket', b, `greater than 0, at most ${MAX_PRICE} (quote currency per price row)`);
  for (const [name, v] of [['priceLow', shape.priceLow], ['priceHigh', shape.priceHigh]] as const) {
    if (v != null && !(v >= 0 && v <= MAX_PRICE)) throw bad(name, v, `0 to ${MAX_PRICE} (quote currency per base unit)`);
  }
  if (shape.priceLow != null && shape.priceHigh != null && !(shape.priceHigh > shape.priceLow)) throw bad('priceHigh', shape.priceHigh, `above priceLow (${shape.priceLow})`);
}

/**
 * Reads a heatmap of persisted results: the time axis is cut into columns (the model bucket,
 * or wider so there are at most {@link DEFAULT_COLUMNS}; each column shows the levels standing
 * at its end), the price axis into rows (a whole number of model price buckets, at most
 * {@link DEFAULT_ROWS} by default) between the window's price range ± 15%.
 */
export async function readHeatmap(ctx: ApiContext, ref: ResultsRef, layer: HeatmapLayer, shape: HeatmapShape): Promise<HeatmapMatrix> {
  const extent = await heatmapExtent(ctx.store, ref.market, ref.paramsHash, shape.fromMs, shape.toMs);
  const width = ref.widthMs;
  if (!extent) return { layer, times: [], prices: [], priceBucket: 0, resolutionSeconds: width / 1000, priceLine: [], long: [], short: [] };
  let stepMs = width * Math.max(1, Math.ceil(extent.rows / DEFAULT_COLUMNS));
  if (shape.resolutionSeconds != null) {
    if (!(shape.resolutionSeconds > 0)) throw userError('BAD_USER_INPUT', 'resolutionSeconds must be greater than 0');
    stepMs = Math.max(1, Math.round((shape.resolutionSeconds * 1000) / width)) * width;
  }
  // Rows of different grid steps (the grid follows the price) are drawn on a common multiple
  // of all of them, so every model bucket falls in exactly one display row.
  const step = commonStep(extent.priceSteps);
  const lo = shape.priceLow ?? extent.minPrice * (1 - DEFAULT_PRICE_MARGIN);
  const hi = shape.priceHigh ?? extent.maxPrice * (1 + DEFAULT_PRICE_MARGIN);
  if (!(lo >= 0) || !(hi > lo)) throw userError('BAD_USER_INPUT', `price range: priceHigh (${hi}) must be above priceLow (${lo}) and both at least 0`);
  let k = Math.max(1, Math.ceil((hi - lo) / step / DEFAULT_ROWS));
  if (shape.priceBucket != null) {
    if (!(shape.priceBucket > 0)) throw userError('BAD_USER_INPUT', 'priceBucket must be greater than 0 (quote currency per price row)');
    k = Math.max(1, Math.round(shape.priceBucket / step));
  }
  const j0 = Math.floor(lo / step / k);
  const j1 = Math.floor(hi / step / k);
  const nRows = j1 - j0 + 1;
  const nCols = Math.ceil((extent.lastT - Math.floor(extent.firstT / stepMs) * stepMs + 1) / stepMs);
  if (nRows * nCols > MAX_CELLS) {
    throw userError('RANGE_TOO_LARGE', `the heatmap would have ${nCols} columns × ${nRows} price rows = ${nRows * nCols} cells; at most ${MAX_CELLS}: widen resolutionSeconds or priceBucket, or narrow the time or price range`);
  }
  const rows = await readHeatmapWindow(ctx.store, { market: ref.market, paramsHash: ref.paramsHash, fromMs: shape.fromMs, toMs: shape.toMs, stepMs, priceLo: j0 * k * step, priceHi: (j1 + 1) * k * step, layer, leverages: shape.leverages });
  return { layer, ...binRows(rows, j0, nRows, k, step), resolutionSeconds: stepMs / 1000 };
}

/**
 * Sums model price buckets into display rows of `k` × `step` quote each, from display row `j0`.
 * `step` is a multiple of every row's grid step ({@link commonStep}); a row on a finer grid (the
 * grid follows the price, day by day) is binned by price, each model bucket into the display row
 * holding it (were the display row not a multiple of a row's step, a bucket straddling two rows
 * would be split between them in proportion to its overlap with each).
 */
export function binRows(rows: readonly HeatmapWindowRow[], j0: number, nRows: number, k: number, step: number): Omit<HeatmapMatrix, 'layer' | 'resolutionSeconds'> {
  const long = new Array<number>(rows.length * nRows).fill(0);
  const short = new Array<number>(rows.length * nRows).fill(0);
  const width = k * step;
  rows.forEach((r, i) => {
    const add = (out: number[], j: number, v: number) => {
      if (j >= 0 && j < nRows) out[i * nRows + j]! += v;
    };
    const put = (out: number[], lo: number, values: readonly number[]) => {
      for (let x = 0; x < values.length; x++) {
        const v = values[x]!;
        if (v === 0) continue;
        if (r.priceStep === step) {
          add(out, Math.floor((lo + x) / k) - j0, v);
          continue;
        }
        // This row's bucket [a, b) in display-row units.
        const a = ((lo + x) * r.priceStep) / width;
        const b = ((lo + x + 1) * r.priceStep) / width;
        const ja = Math.floor(a + 1e-9);
        const jb = Math.floor(b - 1e-9);
        if (ja >= jb) add(out, ja - j0, v);
        else {
          const share = (ja + 1 - a) / (b - a);
          add(out, ja - j0, v * share);
          add(out, jb - j0, v * (1 - share));
        }
      }
    };
    put(long, r.aLo, r.a);
    put(short, r.bLo, r.b);
  });
  return {
    times: rows.map((r) => r.t),
    prices: Array.from({ length: nRows }, (_, j) => Number(((j0 + j) * k * step).toPrecision(12))),
    priceBucket: Number((k * step).toPrecision(12)),
    priceLine: rows.map((r) => r.price),
    long,
    short,
  };
}
