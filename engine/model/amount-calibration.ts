import { bootstrapInterval, type BootstrapOptions, type Interval } from './bootstrap.js';

/** Ranks 1..n with ties given their average rank. */
function ranks(xs: readonly number[]): number[] {
  const order = xs.map((_, i) => i).sort((a, b) => xs[a]! - xs[b]!);
  const r = new Array<number>(xs.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && xs[order[j + 1]!] === xs[order[i]!]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[order[k]!] = avg;
    i = j + 1;
  }
  return r;
}

/** Spearman rank correlation of paired samples (Pearson on average ranks); null when undefined (n < 3 or a constant side). */
export function spearman(xs: readonly number[], ys: readonly number[]): number | null {
  const n = xs.length;
  if (n < 3 || ys.length !== n) return null;
  const rx = ranks(xs);
  const ry = ranks(ys);
  const mean = (n + 1) / 2;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const a = rx[i]! - mean;
    const b = ry[i]! - mean;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : null;
}

/** One time bucket (and side) of the amount calibration. */
export interface AmountSample {
  /** Bucket start, epoch ms. */
  readonly t: number;
  /** Notional the model said would be crossed: its levels (at the previous bucket's end) inside this bucket's low/high, quote. */
  readonly predicted: number;
  /** The model-free predictor: |close / open − 1| × volume. */
  readonly modelFree: number;
  /** Realized liquidation notional in the bucket, quote. */
  readonly realized: number;
}

/** The amount calibration over a backtest. */
export interface AmountScore {
  /** Time buckets (× sides) compared. */
  readonly samples: number;
  readonly liquidations: number;
  readonly realizedNotional: number;
  /** Spearman(predicted crossed, realized), with its interval. */
  readonly model: Interval;
  /** Spearman(|return| × volume, realized). */
  readonly modelFree: Interval;
}

/**
 * Spearman rank correlations of predicted-crossed and of the model-free predictor with the
 * realized notional, resampling time buckets (a bucket's sides together).
 */
export function scoreAmounts(samples: readonly AmountSample[], liquidations: number, boot: BootstrapOptions = {}): AmountScore {
  const times = [...new Set(samples.map((s) => s.t))].sort((a, b) => a - b);
  const byT = new Map<number, AmountSample[]>();
  for (const s of samples) {
    let l = byT.get(s.t);
    if (!l) byT.set(s.t, (l = []));
    l.push(s);
  }
  const pick = (f: (s: AmountSample) => number) => (idx: readonly number[]) => {
    const xs: number[] = [];
    const ys: number[] = [];
    for (const i of idx) {
      for (const s of byT.get(times[i]!)!) {
        xs.push(f(s));
        ys.push(s.realized);
      }
    }
    return spearman(xs, ys);
  };
  return {
    samples: samples.length,
    liquidations,
    realizedNotional: samples.reduce((s, x) => s + x.realized, 0),
    model: bootstrapInterval(times.length, pick((s) => s.predicted), boot),
    modelFree: bootstrapInterval(times.length, pick((s) => s.modelFree), boot),
  };
}
