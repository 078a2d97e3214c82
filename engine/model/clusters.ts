import type { Side } from '../types.js';
import type { Cluster, LevelSnapshot } from './types.js';

/** Options of {@link detectClusters}; every field optional. */
export interface ClusterOptions {
  /** Which side(s) (default both). */
  readonly side?: Side | 'both';
  /** At most this many clusters, largest notional first (default 10). */
  readonly limit?: number;
  /** Drop clusters below this notional, quote (default 0). */
  readonly minNotional?: number;
  /** Smoothing radius, price buckets (triangular kernel; default 2). */
  readonly smoothing?: number;
  /** Keep peaks whose prominence is at least this share of the side's highest smoothed bucket (default 0.05). */
  readonly minProminence?: number;
  /** Only look this far from the current price, fraction (default 0.5). */
  readonly window?: number;
}

function smooth(values: Float64Array, radius: number): Float64Array {
  if (radius <= 0) return values.slice();
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    let s = 0;
    let w = 0;
    for (let k = -radius; k <= radius; k++) {
      const j = i + k;
      if (j < 0 || j >= values.length) continue;
      const wk = radius + 1 - Math.abs(k);
      s += values[j]! * wk;
      w += wk;
    }
    out[i] = s / w;
  }
  return out;
}

/**
 * Clusters of pending liquidations at one time: the side's profile is smoothed, its peaks
 * found, and each peak whose topographic prominence is large enough becomes a price range
 * (where the smoothed profile stays above half its prominence) with its raw notional, share of
 * the side, distance from the price and leverage composition.
 */
export function detectClusters(s: LevelSnapshot, opts: ClusterOptions = {}): Cluster[] {
  const sides: Side[] = opts.side === 'long' ? ['long'] : opts.side === 'short' ? ['short'] : ['long', 'short'];
  const out: Cluster[] = [];
  for (const side of sides) out.push(...sideClusters(s, side, opts));
  out.sort((a, b) => b.notional - a.notional);
  return out.filter((c) => c.notional >= (opts.minNotional ?? 0)).slice(0, opts.limit ?? 10);
}

function sideClusters(s: LevelSnapshot, side: Side, opts: ClusterOptions): Cluster[] {
  const levels = side === 'long' ? s.long : s.short;
  const window = opts.window ?? 0.5;
  const lo = Math.floor((s.price * (1 - window)) / s.priceStep);
  const hi = Math.ceil((s.price * (1 + window)) / s.priceStep);
  let minIdx = Infinity;
  let maxIdx = -Infinity;
  let total = 0;
  // forEach, not for-of: a snapshot's dense levels are read in a plain loop (no iterator objects).
  levels.forEach((v, k) => {
    total += v;
    if (k < lo || k > hi || v <= 0) return;
    if (k < minIdx) minIdx = k;
    if (k > maxIdx) maxIdx = k;
  });
  if (!Number.isFinite(minIdx) || total <= 0) return [];
  const radius = opts.smoothing ?? 2;
  const base = minIdx - radius;
  const n = maxIdx - minIdx + 1 + 2 * radius;
  const raw = new Float64Array(n);
  levels.forEach((v, k) => {
    if (k >= minIdx && k <= maxIdx) raw[k - base] = v;
  });
  const sm = smooth(raw, radius);
  let top = 0;
  for (const v of sm) top = Math.max(top, v);
  const minProm = (opts.minProminence ?? 0.05) * top;
  const byLev = side === 'long' ? s.longByLeverage : s.shortByLeverage;

  const clusters: Cluster[] = [];
  for (let i = 0; i < n; i++) {
    const v = sm[i]!;
    if (v <= 0 || (i > 0 && sm[i - 1]! >= v) || (i < n - 1 && sm[i + 1]! > v)) continue;
    // Prominence: the peak over the higher of the lowest points before a higher peak on each side.
    let leftMin = v;
    let j = i - 1;
    for (; j >= 0 && sm[j]! <= v; j--) leftMin = Math.min(leftMin, sm[j]!);
    if (j < 0) leftMin = Math.min(leftMin, 0);
    let rightMin = v;
    let k = i + 1;
    for (; k < n && sm[k]! <= v; k++) rightMin = Math.min(rightMin, sm[k]!);
    if (k >= n) rightMin = Math.min(rightMin, 0);
    const prominence = v - Math.max(leftMin, rightMin);
    if (prominence < minProm || prominence <= 0) continue;
    const floor = v - prominence / 2;
    let a = i;
    while (a > 0 && sm[a - 1]! > floor && sm[a - 1]! <= sm[a]! + 1e-300) a--;
    let b = i;
    while (b < n - 1 && sm[b + 1]! > floor && sm[b + 1]! <= sm[b]! + 1e-300) b++;
    let notional = 0;
    let peakRaw = -1;
    let peakIdx = i + base;
    for (let x = a; x <= b; x++) {
      notional += raw[x]!;
      if (raw[x]! > peakRaw) { peakRaw = raw[x]!; peakIdx = x + base; }
    }
    if (notional <= 0) continue;
    const composition: { leverage: number; notional: number }[] = [];
    for (const [lev, m] of byLev) {
      let sum = 0;
      for (let x = a + base; x <= b + base; x++) sum += m.get(x) ?? 0;
      if (sum > 0) composition.push({ leverage: lev, notional: sum });
    }
    composition.sort((p, q) => p.leverage - q.leverage);
    const peakPrice = (peakIdx + 0.5) * s.priceStep;
    clusters.push({
      side,
      priceLow: (a + base) * s.priceStep,
      priceHigh: (b + base + 1) * s.priceStep,
      peakPrice,
      notional,
      shareOfSide: notional / total,
      distanceFraction: (peakPrice - s.price) / s.price,
      leverageComposition: composition,
    });
  }
  return clusters;
}
