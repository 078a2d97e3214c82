import { fallOffRate, fitFallOff, type FallOff } from './distance-baseline.js';
import { topShareCaptured, type CaptureRecord, type CaptureUnit } from './traversed-capture.js';

/**
 * The model × distance hazard: a traversed bucket's expected liquidations as what the model says
 * stands there times how likely a level at that distance from the price is to be liquidated
 * within the horizon. The model knows where positions were opened, the distance baseline how
 * liquidations fall off with distance; neither alone is the expected notional. Fitted on a
 * training window only (the model's levels are never fitted: only the hazard's shape and scale,
 * by Poisson likelihood with the model's notional as the exposure, and two exponents chosen by
 * the training capture), and reported next to the pure model, never instead of it.
 *
 * Exposure of bucket b in a unit (one prediction's side range): (m_b^power / mean) + floor, the
 * model's notional to a power, scaled by its mean over the unit (so units of any size weigh
 * alike) plus a floor: a bucket the model holds nothing in can still liquidate (positions the
 * model never saw), and a large floor is the distance baseline itself, so the fit can fall back
 * to it where the model says nothing useful.
 */
export interface DistanceHazard {
  readonly below: FallOff;
  readonly above: FallOff;
  /** Exponent on the model's notional (1 = proportional). */
  readonly power: number;
  /** Exposure every bucket has whatever the model says, in units of the unit's mean. */
  readonly floor: number;
  /** Training buckets and the training capture at `q` the exponents were chosen by. */
  readonly samples: number;
  readonly trainCapture: number | null;
}

/** The exponents tried, fixed before any score was read (largest floor first: ties keep it). */
export const HAZARD_POWERS: readonly number[] = Object.freeze([0.5, 1]);
export const HAZARD_FLOORS: readonly number[] = Object.freeze([10, 1, 0.1, 0.01]);

function exposures(u: CaptureUnit, power: number, floor: number): number[] {
  const m = u.model.map((v) => (v > 0 ? v ** power : 0));
  const mean = m.reduce((s, v) => s + v, 0) / Math.max(1, m.length);
  return m.map((v) => (mean > 0 ? v / mean : 0) + floor);
}

/** The hazard's score of each bucket of a unit (what it ranks by). */
export function hazardScores(h: DistanceHazard, u: CaptureUnit): number[] {
  const e = exposures(u, h.power, h.floor);
  return u.samples.map((s, i) => e[i]! * fallOffRate(h[s.direction], s.distance));
}

/**
 * Fits the hazard on training records: for each (power, floor) the fall-off by maximum
 * likelihood (per side, or one for both with `symmetric`, as the distance baseline), then the
 * pair with the best training capture at `q` (default 20%).
 */
export function fitDistanceHazard(records: readonly CaptureRecord[], opts: { symmetric?: boolean; q?: number } = {}): DistanceHazard {
  const q = opts.q ?? 0.2;
  const units = records.filter((r) => r.realized > 0).flatMap((r) => r.units);
  const realized = units.reduce((s, u) => s + u.samples.reduce((a, x) => a + x.realized, 0), 0);
  const samples = units.flatMap((u) => u.samples);
  let best: DistanceHazard | null = null;
  for (const power of HAZARD_POWERS) {
    for (const floor of HAZARD_FLOORS) {
      const e = units.flatMap((u) => exposures(u, power, floor));
      const side = (dir: 'below' | 'above' | null) => {
        const idx = samples.map((_, i) => i).filter((i) => dir === null || samples[i]!.direction === dir);
        return fitFallOff(idx.map((i) => samples[i]!), idx.map((i) => e[i]!));
      };
      const both = opts.symmetric ? side(null) : null;
      const h0 = { below: both ?? side('below'), above: both ?? side('above'), power, floor, samples: samples.length };
      const captured = units.reduce((s, u) => s + topShareCaptured(hazardScores({ ...h0, trainCapture: null }, u), u.samples.map((x) => x.realized), q), 0);
      const trainCapture = realized > 0 ? captured / realized : null;
      if (best === null || (trainCapture ?? -1) > (best.trainCapture ?? -1) + 1e-12) best = { ...h0, trainCapture };
    }
  }
  return best!;
}
