import { stratifiedBootstrapInterval, type BootstrapOptions, type Interval } from './bootstrap.js';
import { topShareCaptured, type CaptureRecord } from './traversed-capture.js';

/**
 * One venue-coin's records under the current model and under a variant of it: the same
 * predictions (same times, traversed ranges and realized liquidations), ranked differently.
 */
export interface TrialPair {
  readonly base: readonly CaptureRecord[];
  readonly variant: readonly CaptureRecord[];
  /** Bootstrap block length of the pair (predictions whose horizons overlap). */
  readonly block: number;
}

/** What a variant did to the capture at one q. */
export interface TrialScore {
  readonly q: number;
  /** Per pair: variant capture − current capture, paired over the same resampled predictions. */
  readonly perPair: readonly Interval[];
  /** The mean of the per-pair gains, each pair resampled within itself (a stratified bootstrap). */
  readonly pooled: Interval;
  /** Pairs where the gain's interval is above zero, and below it. */
  readonly better: number;
  readonly worse: number;
}

function captured(records: readonly CaptureRecord[], q: number): Map<number, { captured: number; realized: number }> {
  const out = new Map<number, { captured: number; realized: number }>();
  for (const r of records) {
    if (!(r.realized > 0)) continue;
    out.set(r.t, { captured: r.units.reduce((s, u) => s + topShareCaptured(u.model, u.samples.map((x) => x.realized), q), 0), realized: r.realized });
  }
  return out;
}

/**
 * Scores a variant against the current model (a change to the model is kept only when it
 * improves the out-of-sample capture beyond this interval). The gain is paired: each resample
 * takes the same predictions for both, so the interval is of the difference itself, not of two
 * noisy figures compared by eye. Predictions missing from either side are left out.
 */
export function scoreTrial(pairs: readonly TrialPair[], q: number, boot: BootstrapOptions = {}): TrialScore {
  const aligned = pairs.map((p) => {
    const a = captured(p.base, q);
    const b = captured(p.variant, q);
    const rows = [...a].filter(([t]) => b.has(t)).sort(([x], [y]) => x - y).map(([t, v]) => ({ base: v.captured, variant: b.get(t)!.captured, realized: v.realized }));
    return { rows, block: p.block };
  });
  const gain = (rows: readonly { base: number; variant: number; realized: number }[], idx: readonly number[]): number | null => {
    let cb = 0;
    let cv = 0;
    let t = 0;
    for (const i of idx) {
      cb += rows[i]!.base;
      cv += rows[i]!.variant;
      t += rows[i]!.realized;
    }
    return t > 0 ? (cv - cb) / t : null;
  };
  const perPair = aligned.map((p) => stratifiedBootstrapInterval([{ n: p.rows.length, block: p.block }], (idx) => gain(p.rows, idx[0]!), boot));
  const used = aligned.filter((p) => p.rows.length > 0);
  const pooled = stratifiedBootstrapInterval(
    used.map((p) => ({ n: p.rows.length, block: p.block })),
    (idx) => {
      const gains = used.map((p, g) => gain(p.rows, idx[g]!)).filter((x): x is number => x !== null);
      return gains.length > 0 ? gains.reduce((s, x) => s + x, 0) / gains.length : null;
    },
    boot,
  );
  return { q, perPair, pooled, better: perPair.filter((i) => i.low !== null && i.low > 0).length, worse: perPair.filter((i) => i.high !== null && i.high < 0).length };
}
