import type { ModelState } from './heatmap-model.js';
import { cohortLiquidationPrice } from './heatmap-model.js';
import { priceIndex } from './price-grid.js';
import { spreadMaps } from './level-spread.js';
import type { Cohort } from './side-index.js';

/**
 * The model's pending positions keyed by their bankruptcy price instead of their liquidation
 * price: price bucket → notional, quote, per side. A venue that reports the bankruptcy price on
 * its liquidation records (OKX, Bybit) is scored against these. The bankruptcy price is where
 * equity is zero — the liquidation-price formula with no maintenance margin — so it sits beyond
 * the liquidation price by about the maintenance rate. Given the snapshot's `price`, the levels
 * are spread by the level-spread prior as the served liquidation levels are (level-spread.ts).
 */
export function bankruptcyLevels(state: ModelState, price?: number): { long: Map<number, number>; short: Map<number, number> } {
  const step = state.priceStep;
  if (!step) return { long: new Map(), short: new Map() };
  const spread = state.params.levelSpread;
  if (price === undefined || !(spread > 0)) {
    // Sharp: one map a side, summed in cohort order (the sums of the model without the prior).
    const long = new Map<number, number>();
    const short = new Map<number, number>();
    for (const c of state.cohorts.values()) {
      const bp = cohortBankruptcyPrice(state, c);
      if (!(bp > 0) || !(c.size > 0)) continue;
      const m = c.long ? long : short;
      const i = priceIndex(bp, step);
      m.set(i, (m.get(i) ?? 0) + c.size * state.scale * bp);
    }
    return { long, short };
  }
  // Spread: per leverage layer, each by its own margin distance.
  const byLev = { long: new Map<number, Map<number, number>>(), short: new Map<number, Map<number, number>>() };
  for (const c of state.cohorts.values()) {
    const bp = cohortBankruptcyPrice(state, c);
    if (!(bp > 0) || !(c.size > 0)) continue;
    const side = c.long ? byLev.long : byLev.short;
    let m = side.get(c.lev);
    if (!m) side.set(c.lev, (m = new Map()));
    const i = priceIndex(bp, step);
    m.set(i, (m.get(i) ?? 0) + c.size * state.scale * bp);
  }
  return { long: spreadMaps(byLev.long, true, price, step, spread), short: spreadMaps(byLev.short, false, price, step, spread) };
}

const cohortBankruptcyPrice = (state: ModelState, c: Cohort): number => cohortLiquidationPrice(c.long, c.entry, c.lev, state.cumFunding - c.fundingAtEntry, 0, 0);

/**
 * Bankruptcy levels from persisted liquidation levels (the API scores stored results, which keep
 * liquidation levels only). With no maintenance amount (`maintenanceAmountFraction` 0: the first
 * bracket, and every bracket of some venues) a long's bankruptcy price is its liquidation price ×
 * (1 − m) and a short's × (1 + m), funding included, so each cell moves by that factor and its
 * notional (size × price) with it; binned by the cell's centre, a level lands within one bucket of
 * where {@link bankruptcyLevels} puts it. With the level-spread prior (the default) the stored
 * levels have already lost their tail beyond the price, and the bankruptcy levels, a maintenance
 * rate further out, would have lost less: the derived levels then hold a little less notional
 * than the exact spread ones (about 1–2% a side on a simulated two days at 0.4), placed alike.
 * Null with a maintenance amount: the shift then depends
 * on each position's entry, which stored levels do not keep.
 */
export function bankruptcyFromLiquidationLevels(
  levels: { readonly long: ReadonlyMap<number, number>; readonly short: ReadonlyMap<number, number> },
  priceStep: number,
  maintenanceMarginRate: number,
  maintenanceAmountFraction: number,
): { long: Map<number, number>; short: Map<number, number> } | null {
  if (maintenanceAmountFraction !== 0) return null;
  const shift = (m: ReadonlyMap<number, number>, k: number) => {
    const out = new Map<number, number>();
    for (const [i, v] of m) {
      const j = priceIndex((i + 0.5) * priceStep * k, priceStep);
      out.set(j, (out.get(j) ?? 0) + v * k);
    }
    return out;
  };
  return { long: shift(levels.long, 1 - maintenanceMarginRate), short: shift(levels.short, 1 + maintenanceMarginRate) };
}
