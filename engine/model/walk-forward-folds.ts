import type { RealizedLiquidation } from './accuracy.js';

/** The folds' default count: the published report's and the CLI's (`--folds`). */
export const DEFAULT_FOLDS = 4;
/** The most folds a caller may ask for (the CLI's `--folds`, the `accuracy` query's `folds`): each is a fit. */
export const MAX_FOLDS = 20;

/** Options of {@link walkForwardFolds}. */
export interface FoldOptions {
  /** Folds of equal liquidation count (≥ 2; 2 is the single split). */
  readonly folds: number;
  /** No fold is shorter than this, ms (a prediction's horizon). */
  readonly horizonMs: number;
  /** With 2 folds only: the share of the liquidations before the split (default 0.5). */
  readonly trainFraction?: number;
}

/**
 * The bucket boundary by which `fraction` of the realized liquidations had happened (by count,
 * so a burst early in the period does not leave a window nearly empty), kept inside the covered
 * period.
 */
export function splitTime(realized: readonly RealizedLiquidation[], bucketMs: number, fraction: number): number {
  const ts = realized.map((l) => l.t).sort((a, b) => a - b);
  if (ts.length === 0) return 0;
  const k = Math.min(ts.length - 1, Math.max(0, Math.floor(ts.length * fraction)));
  const from = Math.floor(ts[0]! / bucketMs) * bucketMs;
  const to = (Math.floor(ts.at(-1)! / bucketMs) + 1) * bucketMs;
  return Math.min(to - bucketMs, Math.max(from + bucketMs, Math.round(ts[k]! / bucketMs) * bucketMs));
}

/**
 * The starts of folds 2..k of an expanding-window walk-forward: the bucket boundaries by which
 * 1/k, 2/k, … of the liquidations had happened (each as {@link splitTime}, so 2 folds give its
 * split exactly). A boundary closer than the horizon to the previous one, to the covered period's
 * start or to its end is dropped (its fold merges into the next), so no fold is shorter than the
 * horizon. When that leaves none, the single split at half is kept, as before folds existed: a
 * short window is still scored in and out of sample. Empty without liquidations.
 */
export function walkForwardFolds(realized: readonly RealizedLiquidation[], bucketMs: number, opts: FoldOptions): number[] {
  if (realized.length === 0) return [];
  const k = Math.max(2, Math.trunc(opts.folds));
  let first = Infinity;
  let last = -Infinity;
  for (const l of realized) {
    first = Math.min(first, l.t);
    last = Math.max(last, l.t);
  }
  const from = Math.floor(first / bucketMs) * bucketMs;
  const to = (Math.floor(last / bucketMs) + 1) * bucketMs;
  const fractions = k === 2 ? [opts.trainFraction ?? 0.5] : Array.from({ length: k - 1 }, (_, j) => (j + 1) / k);
  const out: number[] = [];
  let prev = from;
  for (const f of fractions) {
    const s = splitTime(realized, bucketMs, f);
    if (s > prev && s - prev >= opts.horizonMs && to - s >= opts.horizonMs) {
      out.push(s);
      prev = s;
    }
  }
  return out.length > 0 ? out : [splitTime(realized, bucketMs, opts.trainFraction ?? 0.5)];
}
