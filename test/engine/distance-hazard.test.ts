import { describe, expect, it } from 'vitest';
import { aggregateCapture, fallOffRate, fitDistanceBaseline, fitDistanceHazard, fitFallOff, hazardScores, HAZARD_FLOORS, type CaptureRecord, type CaptureUnit, type DistanceSample } from '../../engine/index.js';

const T0 = Date.UTC(2025, 0, 1);
const D = (i: number) => (i + 0.5) * 0.001; // bucket i's distance from the price

/** One prediction: one unit below the price with the model's notional `m` and the realized notional per bucket. */
function record(k: number, m: readonly number[], realized: readonly number[]): CaptureRecord {
  const samples: DistanceSample[] = m.map((_, i) => ({ direction: 'below', distance: D(i), realized: realized[i]! }));
  const unit: CaptureUnit = { model: m, samples };
  return { t: T0 + k * 3_600_000, realized: realized.reduce((s, x) => s + x, 0), liquidations: realized.filter((x) => x > 0).length, outside: 0, buckets: m.length, units: [unit] };
}

/** A known hazard: a level at distance d liquidates within the horizon at rate (d / 0.01)² e^(−d / 0.01). */
const hazard = (d: number) => (d / 0.01) ** 2 * Math.exp(-d / 0.01);

/**
 * Forty predictions of 60 buckets: the model's notional is a random-looking but known profile,
 * and what liquidated is exactly notional × hazard. Neither alone ranks the buckets as the
 * product does: the model puts its largest levels far from the price (they rarely liquidate
 * within an hour), the distance baseline does not know where the levels are.
 */
function world(): CaptureRecord[] {
  const out: CaptureRecord[] = [];
  for (let k = 0; k < 40; k++) {
    const m = Array.from({ length: 60 }, (_, i) => ((i * 37 + k * 11) % 17) * (1 + i / 10));
    out.push(record(k, m, m.map((v, i) => v * hazard(D(i)))));
  }
  return out;
}

describe('model × distance hazard', () => {
  it('fits the fall-off of a weighted exposure by maximum likelihood (exposure 1 is the distance baseline)', () => {
    const samples: DistanceSample[] = Array.from({ length: 300 }, (_, i) => ({ direction: 'below', distance: D(i), realized: 0 }));
    const exposure = samples.map((_, i) => 1 + (i % 7));
    const withExposure = samples.map((s, i) => ({ ...s, realized: 40 * exposure[i]! * hazard(s.distance) }));
    const f = fitFallOff(withExposure, exposure);
    expect(f.shape).toBe(2);
    expect(f.scale).toBeCloseTo(0.01, 5);
    expect(f.amplitude).toBeCloseTo(40, 3);
    // Unweighted it is the distance baseline's fit.
    expect(fitFallOff(withExposure)).toEqual(fitDistanceBaseline(withExposure).below);
  });

  it('recovers a known notional × hazard and captures what its product ranks, beyond the model and the distance baseline alone', () => {
    const recs = world();
    const train = recs.slice(0, 20);
    const test = recs.slice(20);
    const h = fitDistanceHazard(train);
    // The smallest floor and power 1: the realized notional is proportional to the notional.
    expect(h.power).toBe(1);
    expect(h.floor).toBe(HAZARD_FLOORS.at(-1));
    expect(h.below.shape).toBe(2);
    expect(h.below.scale).toBeCloseTo(0.01, 2);
    const baseline = fitDistanceBaseline(train.flatMap((r) => r.units.flatMap((u) => u.samples)));
    const s = aggregateCapture(test, baseline, [0.2], { resamples: 0 }, (u) => hazardScores(h, u));
    const f = s.figures[0]!;
    // The oracle's capture: ranking each unit by the true notional × hazard.
    const oracle = aggregateCapture(test, null, [0.2], { resamples: 0 }, (u) => u.model.map((v, i) => v * hazard(u.samples[i]!.distance))).figures[0]!.hazard!.value!;
    expect(f.hazard!.value).toBeCloseTo(oracle, 3);
    expect(f.hazard!.value!).toBeGreaterThan(f.model.value! + 0.1);
    expect(f.hazard!.value!).toBeGreaterThan(f.distance!.value! + 0.1);
    expect(f.hazardMinusDistance!.value).toBeCloseTo(f.hazard!.value! - f.distance!.value!, 12);
    expect(f.hazardLift!.value).toBeCloseTo(f.hazard!.value! / 0.2, 12);
  });

  it('where the model says nothing (no notional anywhere) ranks as the distance baseline does', () => {
    const recs = Array.from({ length: 20 }, (_, k) => record(k, new Array<number>(60).fill(0), Array.from({ length: 60 }, (_, i) => 100 * hazard(D(i)) * (1 + (k % 3)))));
    const h = fitDistanceHazard(recs);
    const baseline = fitDistanceBaseline(recs.flatMap((r) => r.units.flatMap((u) => u.samples)));
    for (const u of recs[0]!.units) {
      const a = hazardScores(h, u);
      const b = u.samples.map((x) => fallOffRate(baseline.below, x.distance));
      // The same shape up to the fits' tolerance (each a golden-section search of its own).
      for (let i = 0; i < a.length; i++) expect(a[i]! / a[0]! / (b[i]! / b[0]!)).toBeCloseTo(1, 5);
    }
    const f = aggregateCapture(recs, baseline, [0.2], { resamples: 0 }, (u) => hazardScores(h, u)).figures[0]!;
    expect(f.hazard!.value).toBeCloseTo(f.distance!.value!, 12);
  });
});
