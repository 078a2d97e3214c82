import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** A figure with its bootstrapped confidence interval. */
export interface Interval {
  /** The figure on the sample as observed (null when there was nothing to score). */
  readonly value: number | null;
  /** Lower and upper bounds of the interval (null when there was nothing to score). */
  readonly low: number | null;
  readonly high: number | null;
}

/** Options of {@link bootstrapInterval}. */
export interface BootstrapOptions {
  /** Resamples (default 1000). */
  readonly resamples?: number;
  /** PRNG seed: the same seed gives the same interval (default 1). */
  readonly seed?: number;
  /**
   * Length of the resampled blocks of consecutive observations (default 1). Predictions whose
   * horizons overlap are not independent: resampling blocks as long as the overlap keeps that
   * dependence in each resample (a moving-block bootstrap), so the interval is not too narrow.
   * Capped at a fifth of the observations: a resample needs several blocks to vary at all.
   */
  readonly block?: number;
  /** Confidence level (default 0.95). */
  readonly level?: number;
}

/**
 * A percentile confidence interval for `stat` over `n` time-ordered observations, by resampling
 * the observations (in blocks) with replacement. `stat` gets the indexes of a resample and
 * returns the figure, or null when it is undefined on that resample (those are skipped).
 */
export function bootstrapInterval(n: number, stat: (indexes: readonly number[]) => number | null, opts: BootstrapOptions = {}): Interval {
  return stratifiedBootstrapInterval([{ n, block: opts.block }], (idx) => stat(idx[0]!), opts);
}

/** One stratum of {@link stratifiedBootstrapInterval}: its observations and their block length. */
export interface Stratum {
  readonly n: number;
  readonly block?: number | undefined;
}

/**
 * The same percentile interval over several independent strata (e.g. venue-coin pairs): each
 * resample draws every stratum's observations (in its own blocks) from that stratum only, so a
 * figure pooled over pairs keeps each pair's weight and dependence. `stat` gets one index list
 * per stratum. `opts.block` is ignored (each stratum has its own).
 */
export function stratifiedBootstrapInterval(strata: readonly Stratum[], stat: (indexes: readonly (readonly number[])[]) => number | null, opts: BootstrapOptions = {}): Interval {
  const all = strata.map((s) => Array.from({ length: s.n }, (_, i) => i));
  const value = strata.some((s) => s.n > 0) ? stat(all) : null;
  if (value === null) return { value: null, low: null, high: null };
  const resamples = opts.resamples ?? 1000;
  const blocks = strata.map((s) => Math.max(1, Math.min(Math.floor(s.n / 5), Math.trunc(s.block ?? 1))));
  const level = opts.level ?? 0.95;
  const rng = xoroshiro128plus(opts.seed ?? 1);
  const figures: number[] = [];
  const idx = strata.map((s) => new Array<number>(s.n));
  for (let r = 0; r < resamples; r++) {
    for (let g = 0; g < strata.length; g++) {
      const n = strata[g]!.n;
      const block = blocks[g]!;
      const out = idx[g]!;
      let k = 0;
      while (k < n) {
        const start = uniformInt(rng, 0, n - block);
        for (let j = 0; j < block && k < n; j++) out[k++] = start + j;
      }
    }
    const f = stat(idx);
    if (f !== null && Number.isFinite(f)) figures.push(f);
  }
  if (figures.length === 0) return { value, low: null, high: null };
  figures.sort((a, b) => a - b);
  const at = (p: number) => figures[Math.min(figures.length - 1, Math.max(0, Math.floor(p * (figures.length - 1) + 0.5)))]!;
  return { value, low: at((1 - level) / 2), high: at(1 - (1 - level) / 2) };
}
