/** Which side of the price a price bucket lies on (long levels sit below, short levels above). */
export type Direction = 'below' | 'above';

/** One traversed price bucket as the distance baseline sees it. */
export interface DistanceSample {
  readonly direction: Direction;
  /** |bucket centre − price| / price at the prediction. */
  readonly distance: number;
  /** Realized liquidation notional in the bucket within the horizon, quote. */
  readonly realized: number;
}

/**
 * Fall-off on one side: rate(d) = amplitude × (d / scale)^shape × exp(−d / scale). With shape 0
 * the rate falls off from the price exponentially; a positive shape lets it rise to a peak at
 * shape × scale first (levels right at the price are the ones a recent move already cleared).
 */
export interface FallOff {
  /** Scale of the rate, quote per traversed bucket (the rate at distance 0 when shape = 0). */
  readonly amplitude: number;
  /** Distance (fraction of price) over which the tail falls by a factor e. */
  readonly scale: number;
  /** Exponent of the rise before the fall, 0..4 (0 = falls from the price on). */
  readonly shape: number;
}

/**
 * The distance-only baseline: how much realized notional a traversed price bucket holds as a
 * function of its distance from the price alone, per side, fitted on a training window. It knows
 * how liquidations usually fall off with distance and nothing about where positions were opened.
 * The rise-then-fall form nests the plain exponential fall-off: a baseline forced to decrease
 * from the price would rank the buckets next to it first, which on venues that report the
 * bankruptcy price (beyond the liquidation price) is worse than knowing nothing — a straw man.
 */
export interface DistanceBaseline {
  readonly below: FallOff;
  readonly above: FallOff;
  /** Traversed buckets and realized notional behind the fit. */
  readonly samples: number;
  readonly realized: number;
}

/** The baseline's expected notional for a bucket on `direction` at distance `d`. */
export function distanceDensity(b: DistanceBaseline, direction: Direction, d: number): number {
  return fallOffRate(b[direction], d);
}

/** rate(d) of one fall-off. */
export function fallOffRate(f: FallOff, d: number): number {
  const x = d / f.scale;
  return f.amplitude * (f.shape === 0 ? 1 : x ** f.shape) * Math.exp(-x);
}

const MIN_SCALE = 1e-5;
const MAX_SCALE = 1;
const SHAPES = Array.from({ length: 17 }, (_, i) => i / 4);

/**
 * Fits one side's fall-off by maximum (Poisson) likelihood: every traversed bucket is an
 * exposure (1 each, or `exposure[i]`: the distance hazard weighs each bucket by what the model
 * says stands there), its realized notional the count, expected amplitude × exposure × g(d).
 * For a given shape and scale the best amplitude is ΣR / Σ exposure·g(d), which leaves a grid
 * over the shape (0..4 by ¼) and a golden-section search over log scale (bounded to [1e-5, 1])
 * for each. A bucket with realized notional must have a positive exposure (else the likelihood
 * is −∞ whatever the fall-off).
 */
export function fitFallOff(samples: readonly DistanceSample[], exposure?: readonly number[]): FallOff {
  const total = samples.reduce((s, x) => s + x.realized, 0);
  if (samples.length === 0 || !(total > 0)) return { amplitude: 0, scale: MAX_SCALE, shape: 0 };
  const d = samples.map((x) => Math.max(x.distance, 1e-12));
  const r = samples.map((x) => x.realized);
  const w = exposure ?? null;
  const logLik = (shape: number, scale: number): { ll: number; amplitude: number } => {
    let e = 0;
    let rl = 0;
    for (let i = 0; i < d.length; i++) {
      const x = d[i]! / scale;
      const lg = shape * Math.log(x) - x;
      e += (w ? w[i]! : 1) * Math.exp(lg);
      if (r[i]! > 0) rl += r[i]! * lg;
    }
    const amplitude = total / e;
    return { ll: total * Math.log(amplitude) + rl - total, amplitude };
  };
  let best: FallOff & { ll: number } = { amplitude: 0, scale: MAX_SCALE, shape: 0, ll: -Infinity };
  const g = (Math.sqrt(5) - 1) / 2;
  for (const shape of SHAPES) {
    const f = (ls: number) => logLik(shape, Math.exp(ls)).ll;
    let lo = Math.log(MIN_SCALE);
    let hi = Math.log(MAX_SCALE);
    let x1 = hi - g * (hi - lo);
    let x2 = lo + g * (hi - lo);
    let f1 = f(x1);
    let f2 = f(x2);
    for (let i = 0; i < 80 && hi - lo > 1e-7; i++) {
      if (f1 < f2) {
        lo = x1;
        x1 = x2;
        f1 = f2;
        x2 = lo + g * (hi - lo);
        f2 = f(x2);
      } else {
        hi = x2;
        x2 = x1;
        f2 = f1;
        x1 = hi - g * (hi - lo);
        f1 = f(x1);
      }
    }
    const scale = Math.exp((lo + hi) / 2);
    const { ll, amplitude } = logLik(shape, scale);
    if (best.ll === -Infinity || ll > best.ll + 1e-9 * Math.abs(best.ll)) best = { amplitude, scale, shape, ll };
  }
  return { amplitude: best.amplitude, scale: best.scale, shape: best.shape };
}

/**
 * Fits the distance baseline on the traversed buckets of a training window. With `symmetric`
 * (records without sides, both sides pooled in one ranking) one fall-off is fitted to both
 * directions: a separate amplitude per direction would only learn which way the training
 * window trended, a bet on the trend rather than knowledge of distance.
 */
export function fitDistanceBaseline(samples: readonly DistanceSample[], opts: { symmetric?: boolean } = {}): DistanceBaseline {
  const both = opts.symmetric ? fitFallOff(samples) : null;
  return {
    below: both ?? fitFallOff(samples.filter((s) => s.direction === 'below')),
    above: both ?? fitFallOff(samples.filter((s) => s.direction === 'above')),
    samples: samples.length,
    realized: samples.reduce((s, x) => s + x.realized, 0),
  };
}
