import type { ModelState } from './heatmap-model.js';
import { cohortLiquidationPrice } from './heatmap-model.js';
import { priceIndex } from './price-grid.js';

/**
 * The model's pending positions keyed by their bankruptcy price instead of their liquidation
 * price: price bucket → notional, quote, per side. A venue that reports the bankruptcy price on
 * its liquidation records (OKX, Bybit) is scored against these. The bankruptcy price is where
 * equity is zero — the liquidation-price formula with no maintenance margin — so it sits beyond
 * the liquidation price by about the maintenance rate.
 */
export function bankruptcyLevels(state: ModelState): { long: Map<number, number>; short: Map<number, number> } {
  const long = new Map<number, number>();
  const short = new Map<number, number>();
  const step = state.priceStep;
  if (!step) return { long, short };
  for (const c of state.cohorts.values()) {
    const bp = cohortLiquidationPrice(c.long, c.entry, c.lev, state.cumFunding - c.fundingAtEntry, 0, 0);
    if (!(bp > 0) || !(c.size > 0)) continue;
    const m = c.long ? long : short;
    const i = priceIndex(bp, step);
    m.set(i, (m.get(i) ?? 0) + c.size * state.scale * bp);
  }
  return { long, short };
}
