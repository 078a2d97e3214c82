import type { RealizedLiquidation } from './accuracy.js';
import { bootstrapInterval, type BootstrapOptions, type Interval } from './bootstrap.js';
import { distanceDensity, type DistanceBaseline, type DistanceSample, type Direction } from './distance-baseline.js';
import { priceIndex } from './price-grid.js';

/**
 * A prediction as the fair score reads it: the model's pending notional per price bucket at
 * time t (keyed by the level the venue reports: liquidation or bankruptcy price), and the price
 * range trading traversed in (t, t + horizon].
 */
export interface RangedPrediction {
  /** Epoch ms: liquidations in (t, t + horizon] are scored. */
  readonly t: number;
  /** Price at t, quote. */
  readonly price: number;
  /** Quote per price bucket; bucket i covers [i × step, (i + 1) × step). */
  readonly priceStep: number;
  readonly long: ReadonlyMap<number, number>;
  readonly short: ReadonlyMap<number, number>;
  /** Lowest and highest price traded in (t, t + horizon], quote. */
  readonly traversedLow: number;
  readonly traversedHigh: number;
}

/**
 * The traversed buckets of one prediction and side (or of both sides, when the venue's records
 * carry no side): what the model and the baselines rank, and the notional realized in each.
 */
export interface CaptureUnit {
  readonly model: readonly number[];
  readonly samples: readonly DistanceSample[];
}

/** One prediction's contribution to the capture figures. */
export interface CaptureRecord {
  readonly t: number;
  /** Realized notional inside the traversed range (matching side), quote. */
  readonly realized: number;
  /** Liquidations inside it. */
  readonly liquidations: number;
  /** Realized notional of the horizon outside the traversed range (not scoreable), quote. */
  readonly outside: number;
  /** Traversed buckets ranked. */
  readonly buckets: number;
  /** Units (side ranges) of the prediction, kept for fitting the distance baseline. */
  readonly units: readonly CaptureUnit[];
}

/**
 * The notional in the top `q` share of buckets ranked by `scores` (descending). Ties at the
 * cut are taken in proportion (the expectation over a random tie-break), so a model that ranks
 * every bucket alike captures exactly q of the realized notional.
 */
export function topShareCaptured(scores: readonly number[], realized: readonly number[], q: number): number {
  const n = scores.length;
  if (n === 0) return 0;
  const order = scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let room = q * n;
  let captured = 0;
  for (let i = 0; i < n && room > 0; ) {
    let j = i;
    let groupRealized = 0;
    while (j < n && scores[order[j]!] === scores[order[i]!]) groupRealized += realized[order[j++]!]!;
    const size = j - i;
    captured += groupRealized * Math.min(1, room / size);
    room -= size;
    i = j;
  }
  return captured;
}

/**
 * How a score knows the side of each liquidation: the records say it (`reported`), it is
 * inferred from where the liquidation printed against the price at the prediction (`inferred`:
 * below it a long was liquidated, at or above it a short — a long's level standing at t is
 * below the price, a short's above, so only positions opened after t could print otherwise),
 * or both sides are ranked as one pool (`pooled`).
 */
export type SideBasis = 'reported' | 'inferred' | 'pooled';

/**
 * Builds one prediction's capture units from the liquidations realized in its horizon. With
 * sides (`reported`, or `inferred` for records without one), longs liquidated (forced sells)
 * are scored on the long levels between the traversed low and the price, shorts on the short
 * levels between the price and the high; `pooled` (or `false`), every traversed bucket is one
 * pool ranked by long + short notional.
 */
export function captureRecord(p: RangedPrediction, inHorizon: readonly RealizedLiquidation[], basis: SideBasis | boolean): CaptureRecord {
  const sides: SideBasis = basis === true ? 'reported' : basis === false ? 'pooled' : basis;
  const sided = sides !== 'pooled';
  const sideOf = (l: RealizedLiquidation) => (l.side !== null || sides !== 'inferred' ? l.side : l.price < p.price ? 'sell' : 'buy');
  const step = p.priceStep;
  const lo = priceIndex(Math.min(p.traversedLow, p.price), step);
  const hi = priceIndex(Math.max(p.traversedHigh, p.price), step);
  const at = priceIndex(p.price, step);
  const units: CaptureUnit[] = [];
  let realizedIn = 0;
  let count = 0;
  let outside = 0;
  const build = (from: number, to: number, score: (i: number) => number, take: (l: RealizedLiquidation) => boolean) => {
    const realized = new Array<number>(to - from + 1).fill(0);
    for (const l of inHorizon) {
      if (!take(l)) continue;
      const i = priceIndex(l.price, step);
      if (i < from || i > to) {
        outside += l.notional;
        continue;
      }
      realized[i - from] = realized[i - from]! + l.notional;
      realizedIn += l.notional;
      count++;
    }
    const model: number[] = [];
    const samples: DistanceSample[] = [];
    for (let i = from; i <= to; i++) {
      const centre = (i + 0.5) * step;
      const direction: Direction = centre < p.price ? 'below' : 'above';
      model.push(score(i));
      samples.push({ direction, distance: Math.abs(centre - p.price) / p.price, realized: realized[i - from]! });
    }
    units.push({ model, samples });
  };
  if (sided) {
    build(lo, at, (i) => p.long.get(i) ?? 0, (l) => sideOf(l) === 'sell');
    build(at, hi, (i) => p.short.get(i) ?? 0, (l) => sideOf(l) === 'buy');
  } else {
    build(lo, hi, (i) => (p.long.get(i) ?? 0) + (p.short.get(i) ?? 0), () => true);
  }
  return { t: p.t, realized: realizedIn, liquidations: count, outside, buckets: units.reduce((s, u) => s + u.model.length, 0), units };
}

/** Traversed-range capture at one q: model, distance baseline, and a model that knows nothing. */
export interface CaptureFigure {
  /** Share of the traversed buckets taken, 0..1. */
  readonly q: number;
  /** Share of realized notional in the model's top-q buckets, 0..1, with its interval. */
  readonly model: Interval;
  /** The same for the distance-only baseline (null without a fitted baseline). */
  readonly distance: Interval | null;
  /** capture / q for the model and the distance baseline. */
  readonly modelLift: Interval;
  readonly distanceLift: Interval | null;
  /** Model capture − distance capture, with its interval (paired over the same resamples). */
  readonly modelMinusDistance: Interval | null;
  /** The same three for the model × distance hazard (null without a fitted hazard; see distance-hazard.ts). */
  readonly hazard: Interval | null;
  readonly hazardLift: Interval | null;
  readonly hazardMinusDistance: Interval | null;
}

/** A ranking of a unit's buckets other than the model's own (the model × distance hazard). */
export type UnitRanking = (u: CaptureUnit) => readonly number[];

/** The capture figures over a set of predictions. */
export interface CaptureScore {
  /** Predictions with realized notional inside their traversed range. */
  readonly predictions: number;
  readonly liquidations: number;
  /** Realized notional scored, quote. */
  readonly realizedNotional: number;
  /** Share of the horizons' realized notional that fell inside the traversed range, 0..1. */
  readonly insideTraversed: number | null;
  /** Traversed buckets ranked per prediction, mean. */
  readonly bucketsPerPrediction: number | null;
  readonly figures: readonly CaptureFigure[];
}

/** The q values reported by default: 10%, 20%, 30% of the traversed buckets. */
export const DEFAULT_QS: readonly number[] = Object.freeze([0.1, 0.2, 0.3]);

/** One fold's predictions and what was fitted before the fold (see {@link aggregatePooledCapture}). */
export interface CaptureGroup {
  readonly records: readonly CaptureRecord[];
  readonly baseline: DistanceBaseline | null;
  readonly hazard?: UnitRanking | null;
}

/**
 * Aggregates capture records: capture(q) = Σ captured / Σ realized over the predictions (a
 * notional-weighted share), with block-bootstrapped intervals over prediction times.
 */
export function aggregateCapture(records: readonly CaptureRecord[], baseline: DistanceBaseline | null, qs: readonly number[] = DEFAULT_QS, boot: BootstrapOptions = {}, hazard: UnitRanking | null = null): CaptureScore {
  return aggregatePooledCapture([{ records, baseline, hazard }], qs, boot);
}

/**
 * The capture figures pooled over groups of predictions (the folds of a walk-forward, in time
 * order), each ranked by its own group's baseline and hazard: every prediction's captured
 * notional is computed once with its own fold's fit, and the moving-block bootstrap resamples
 * the pooled, time-ordered predictions, each carrying its figures. One group is
 * {@link aggregateCapture}. The baseline (and the hazard) figures need one in every group.
 */
export function aggregatePooledCapture(groups: readonly CaptureGroup[], qs: readonly number[] = DEFAULT_QS, boot: BootstrapOptions = {}): CaptureScore {
  const records = groups.flatMap((g) => g.records);
  const ofGroup = groups.flatMap((g) => g.records.filter((r) => r.realized > 0).map(() => g));
  const scored = records.filter((r) => r.realized > 0);
  const realizedOf = (u: CaptureUnit) => u.samples.map((x) => x.realized);
  // Per record and q: captured notional by the model and the baseline.
  const model = scored.map((r) => qs.map((q) => r.units.reduce((s, u) => s + topShareCaptured(u.model, realizedOf(u), q), 0)));
  const dist = groups.length > 0 && groups.every((g) => g.baseline)
    ? scored.map((r, i) => {
        const baseline = ofGroup[i]!.baseline!;
        return qs.map((q) => r.units.reduce((s, u) => s + topShareCaptured(u.samples.map((x) => distanceDensity(baseline, x.direction, x.distance)), realizedOf(u), q), 0));
      })
    : null;
  const haz = groups.length > 0 && groups.every((g) => g.hazard)
    ? scored.map((r, i) => {
        const ranked = r.units.map(ofGroup[i]!.hazard!);
        return qs.map((q) => r.units.reduce((s, u, j) => s + topShareCaptured(ranked[j]!, realizedOf(u), q), 0));
      })
    : null;
  const share = (rows: number[][], k: number) => (idx: readonly number[]) => {
    let c = 0;
    let t = 0;
    for (const i of idx) {
      c += rows[i]![k]!;
      t += scored[i]!.realized;
    }
    return t > 0 ? c / t : null;
  };
  const figures = qs.map((q, k): CaptureFigure => {
    const m = share(model, k);
    const d = dist ? share(dist, k) : null;
    const h = haz ? share(haz, k) : null;
    const minus = (a: (i: readonly number[]) => number | null, b: (i: readonly number[]) => number | null) =>
      bootstrapInterval(
        scored.length,
        (i) => {
          const x = a(i);
          const y = b(i);
          return x === null || y === null ? null : x - y;
        },
        boot,
      );
    const div = (f: (i: readonly number[]) => number | null) => (i: readonly number[]) => {
      const v = f(i);
      return v === null ? null : v / q;
    };
    return {
      q,
      model: bootstrapInterval(scored.length, m, boot),
      distance: d ? bootstrapInterval(scored.length, d, boot) : null,
      modelLift: bootstrapInterval(scored.length, div(m), boot),
      distanceLift: d ? bootstrapInterval(scored.length, div(d), boot) : null,
      modelMinusDistance: d ? minus(m, d) : null,
      hazard: h ? bootstrapInterval(scored.length, h, boot) : null,
      hazardLift: h ? bootstrapInterval(scored.length, div(h), boot) : null,
      hazardMinusDistance: h && d ? minus(h, d) : null,
    };
  });
  const realized = scored.reduce((s, r) => s + r.realized, 0);
  const all = records.reduce((s, r) => s + r.realized + r.outside, 0);
  return {
    predictions: scored.length,
    liquidations: scored.reduce((s, r) => s + r.liquidations, 0),
    realizedNotional: realized,
    insideTraversed: all > 0 ? records.reduce((s, r) => s + r.realized, 0) / all : null,
    bucketsPerPrediction: scored.length > 0 ? scored.reduce((s, r) => s + r.buckets, 0) / scored.length : null,
    figures,
  };
}
