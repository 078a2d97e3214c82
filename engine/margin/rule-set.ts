import type { Exchange, Side } from '../types.js';
import type { Dec } from './decimal.js';

/**
 * What every rule set computes for a position. Money in quote currency, prices in quote per
 * base unit. `liquidationPrice` is null when the position cannot be liquidated by price
 * (over-collateralised, e.g. a 1× short fully backed by the index token).
 */
export interface MarginQuote {
  readonly exchange: Exchange;
  readonly side: Side;
  /** Price at which equity equals the maintenance requirement. */
  readonly liquidationPrice: Dec | null;
  /** Price at which equity reaches zero. */
  readonly bankruptcyPrice: Dec | null;
  /** Initial margin of the position, quote. */
  readonly initialMargin: Dec;
  /** Maintenance margin at the entry (or reference) price, quote. */
  readonly maintenanceMargin: Dec;
  /** 1-based tier (bracket) used at the liquidation price, when the venue has tiers. */
  readonly tier: number | null;
}

/**
 * A venue's liquidation rule as two functions of the mark price, so every rule set can be
 * checked the same way: at `liquidationPrice`, `equityAt` equals `maintenanceAt`.
 */
export interface RuleSet<P> {
  readonly exchange: Exchange;
  /** Margins, liquidation and bankruptcy prices of a position. */
  quote(position: P): MarginQuote;
  /** Equity backing the position at a mark price (collateral + PnL − costs), quote. */
  equityAt(position: P, mark: Dec): Dec;
  /** Maintenance requirement at a mark price, quote. */
  maintenanceAt(position: P, mark: Dec): Dec;
}

/** Whether the venue would liquidate the position at this mark price. */
export function isLiquidatable<P>(rules: RuleSet<P>, position: P, mark: Dec): boolean {
  return rules.equityAt(position, mark).lte(rules.maintenanceAt(position, mark));
}

/** Maintenance requirement over equity (≥ 1 means liquidatable); Infinity when equity ≤ 0. */
export function marginRatio<P>(rules: RuleSet<P>, position: P, mark: Dec): number {
  const eq = rules.equityAt(position, mark);
  if (eq.lte(0)) return Infinity;
  return rules.maintenanceAt(position, mark).div(eq).toNumber();
}
