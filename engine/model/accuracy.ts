import type { Cluster } from './types.js';

/** Clusters predicted at time `t` (epoch ms) when price was `price`. */
export interface Prediction {
  readonly t: number;
  readonly price: number;
  readonly clusters: readonly Cluster[];
}

/** A liquidation that happened: forced-order side (`sell` = a long was liquidated), or null. */
export interface RealizedLiquidation {
  readonly t: number;
  readonly price: number;
  readonly notional: number;
  readonly side: 'buy' | 'sell' | null;
}

/** How well predicted clusters located realized liquidations. */
export interface AccuracyScore {
  /** Predictions scored (those with realized liquidations in their horizon). */
  readonly predictions: number;
  /** Realized notional in the horizons, quote. */
  readonly realizedNotional: number;
  /** Share of realized notional inside the model's predicted ranges (matching side), 0..1. */
  readonly hitShare: number;
  /** The same for the baseline bands. */
  readonly baselineHitShare: number;
  /** hitShare / baselineHitShare (null when the baseline caught nothing). */
  readonly lift: number | null;
  /** Share of the price axis the predicted ranges cover, averaged (a wide net catches more). */
  readonly coverage: number;
}

type Band = { side: 'long' | 'short'; low: number; high: number };

function sideMatches(band: Band, l: RealizedLiquidation): boolean {
  // A long is liquidated by a forced sell; unknown sides count for either.
  return l.side === null || (band.side === 'long' ? l.side === 'sell' : l.side === 'buy');
}

/**
 * The baseline without the model: for each predicted cluster, a band just as wide, centred at
 * the *mean* distance of that side's predicted clusters from the price. It knows how far
 * clusters tend to sit and how wide they are, but not where this model put them.
 */
export function baselineBands(p: Prediction): Band[] {
  const out: Band[] = [];
  for (const side of ['long', 'short'] as const) {
    const cs = p.clusters.filter((c) => c.side === side);
    if (cs.length === 0) continue;
    const meanDist = cs.reduce((s, c) => s + Math.abs((c.priceLow + c.priceHigh) / 2 - p.price), 0) / cs.length;
    const centre = side === 'long' ? p.price - meanDist : p.price + meanDist;
    for (const c of cs) {
      const w = c.priceHigh - c.priceLow;
      out.push({ side, low: centre - w / 2, high: centre + w / 2 });
    }
  }
  return out;
}

function caught(bands: readonly Band[], l: RealizedLiquidation): boolean {
  return bands.some((b) => sideMatches(b, l) && l.price >= b.low && l.price <= b.high);
}

/**
 * Scores predictions at each time t against the liquidations realized in (t, t + horizonMs]:
 * the share of realized notional inside the predicted ranges, next to the baseline's share.
 */
export function scoreAccuracy(predictions: readonly Prediction[], realized: readonly RealizedLiquidation[], horizonMs: number): AccuracyScore {
  const sorted = [...realized].sort((a, b) => a.t - b.t);
  let scored = 0;
  let total = 0;
  let hit = 0;
  let baseHit = 0;
  let coverage = 0;
  for (const p of predictions) {
    const inWindow = sorted.filter((l) => l.t > p.t && l.t <= p.t + horizonMs);
    if (inWindow.length === 0) continue;
    const model: Band[] = p.clusters.map((c) => ({ side: c.side, low: c.priceLow, high: c.priceHigh }));
    const base = baselineBands(p);
    scored++;
    coverage += model.reduce((s, b) => s + (b.high - b.low), 0) / p.price;
    for (const l of inWindow) {
      total += l.notional;
      if (caught(model, l)) hit += l.notional;
      if (caught(base, l)) baseHit += l.notional;
    }
  }
  const hitShare = total > 0 ? hit / total : 0;
  const baselineHitShare = total > 0 ? baseHit / total : 0;
  return { predictions: scored, realizedNotional: total, hitShare, baselineHitShare, lift: baselineHitShare > 0 ? hitShare / baselineHitShare : null, coverage: scored > 0 ? coverage / scored : 0 };
}
