import { floats } from '../reads/heatmap-window.js';

/** One leverage's pending liquidation levels in a persisted row (dense arrays from their `*Lo` price-bucket index, quote). */
export interface LeverageLayer {
  /** Leverage, ×. */
  readonly leverage: number;
  readonly longLo: number;
  readonly long: readonly number[];
  readonly shortLo: number;
  readonly short: readonly number[];
}

/**
 * A row's leverage layers as seven columns: `lev` (the leverages) and per side the start index,
 * length and one concatenated array of every layer's levels. Compact: the layers of a bucket
 * partition its levels (each leverage liquidates in its own band), so they hold about as many
 * numbers as the row's totals, in one row instead of one per leverage.
 */
export interface LayerColumns {
  readonly lev: number[];
  readonly lev_long_lo: number[];
  readonly lev_long_n: number[];
  readonly lev_long: number[];
  readonly lev_short_lo: number[];
  readonly lev_short_n: number[];
  readonly lev_short: number[];
}

/** Column names of {@link LayerColumns}, in COPY order. */
export const LAYER_COLUMNS = ['lev', 'lev_long_lo', 'lev_long_n', 'lev_long', 'lev_short_lo', 'lev_short_n', 'lev_short'] as const;

/** Encodes layers into their columns. */
export function encodeLayers(layers: readonly LeverageLayer[]): LayerColumns {
  const c: LayerColumns = { lev: [], lev_long_lo: [], lev_long_n: [], lev_long: [], lev_short_lo: [], lev_short_n: [], lev_short: [] };
  for (const l of layers) {
    c.lev.push(l.leverage);
    c.lev_long_lo.push(l.longLo);
    c.lev_long_n.push(l.long.length);
    c.lev_long.push(...l.long);
    c.lev_short_lo.push(l.shortLo);
    c.lev_short_n.push(l.short.length);
    c.lev_short.push(...l.short);
  }
  return c;
}

type Raw = number[] | string | null;

/** Decodes the columns as read (null `lev`: a row computed before layers were kept → null). */
export function decodeLayers(r: { lev: Raw; lev_long_lo: Raw; lev_long_n: Raw; lev_long: Raw; lev_short_lo: Raw; lev_short_n: Raw; lev_short: Raw }): LeverageLayer[] | null {
  if (r.lev === null) return null;
  const lev = floats(r.lev);
  const [llo, ln, lv, slo, sn, sv] = [r.lev_long_lo, r.lev_long_n, r.lev_long, r.lev_short_lo, r.lev_short_n, r.lev_short].map(floats) as [number[], number[], number[], number[], number[], number[]];
  let a = 0;
  let b = 0;
  return lev.map((leverage, i) => {
    const long = lv.slice(a, (a += ln[i] ?? 0));
    const short = sv.slice(b, (b += sn[i] ?? 0));
    return { leverage, longLo: llo[i] ?? 0, long, shortLo: slo[i] ?? 0, short };
  });
}

/** The sum of the layers of `leverages` as one side pair of dense arrays (an empty side: lo 0, no values). */
export function sumLayers(layers: readonly LeverageLayer[], leverages: ReadonlySet<number>): { longLo: number; long: number[]; shortLo: number; short: number[] } {
  const pick = layers.filter((l) => leverages.has(l.leverage));
  const side = (lo: (l: LeverageLayer) => number, vs: (l: LeverageLayer) => readonly number[]) => {
    const used = pick.filter((l) => vs(l).length > 0);
    if (used.length === 0) return { lo: 0, values: [] as number[] };
    const min = Math.min(...used.map(lo));
    const max = Math.max(...used.map((l) => lo(l) + vs(l).length));
    const values = new Array<number>(max - min).fill(0);
    for (const l of used) vs(l).forEach((v, x) => (values[lo(l) + x - min]! += v));
    return { lo: min, values };
  };
  const long = side((l) => l.longLo, (l) => l.long);
  const short = side((l) => l.shortLo, (l) => l.short);
  return { longLo: long.lo, long: long.values, shortLo: short.lo, short: short.values };
}
