import type { Side } from '../types.js';
import { EngineError } from '../errors.js';
import { Dec, type Num } from './decimal.js';
import { fraction, nonNegative, parse, positive } from './checks.js';
import type { MarginQuote, RuleSet } from './rule-set.js';

/** A GMX v2 (synthetics) position, in USD as the contracts keep it. */
export interface GmxPosition {
  readonly side: Side;
  /** Position size, USD (sizeInUsd). */
  readonly sizeUsd: Num;
  /** Position size, index tokens (sizeInTokens). */
  readonly sizeTokens: Num;
  /** Collateral amount in collateral tokens, valued at `collateralPrice` — or give `collateralUsd`. */
  readonly collateralTokens?: Num;
  /** Collateral value, USD, for a stable collateral token. */
  readonly collateralUsd?: Num;
  /** The collateral is the index token (e.g. ETH backing an ETH long): its value moves with price. */
  readonly collateralIsIndex?: boolean;
  /** Price of a non-index collateral token (default 1, a USD stablecoin). */
  readonly collateralPrice?: Num;
  /** minCollateralFactor of the market (0.01 = 1%, some markets 0.005). */
  readonly minCollateralFactor?: Num;
  /** minCollateralUsd of the protocol (default 1 USD). */
  readonly minCollateralUsd?: Num;
  /** Pending fees to close (position fee + borrowing + funding owed), USD. */
  readonly feesUsd?: Num;
  /** Price impact of closing, USD (negative = cost); positive impact is ignored. */
  readonly priceImpactUsd?: Num;
  /** maxPositionImpactFactorForLiquidations: caps the negative impact at size × factor. */
  readonly maxImpactFactorForLiquidations?: Num;
}

function inputs(p: GmxPosition) {
  const sizeUsd = positive(p.sizeUsd, 'sizeUsd');
  const sizeTokens = positive(p.sizeTokens, 'sizeTokens');
  const indexCollateral = p.collateralIsIndex === true;
  let collateralTokens: Dec | null = null;
  let collateralUsd: Dec | null = null;
  if (p.collateralTokens !== undefined) {
    collateralTokens = nonNegative(p.collateralTokens, 'collateralTokens');
    if (!indexCollateral) collateralUsd = collateralTokens.mul(p.collateralPrice === undefined ? 1 : positive(p.collateralPrice, 'collateralPrice'));
  } else if (p.collateralUsd !== undefined && !indexCollateral) {
    collateralUsd = nonNegative(p.collateralUsd, 'collateralUsd');
  } else {
    throw new EngineError('INPUT_INVALID', indexCollateral ? 'index-token collateral needs --collateral-tokens' : 'GMX needs --collateral-tokens or --collateral-usd');
  }
  const mcf = p.minCollateralFactor === undefined ? new Dec('0.01') : fraction(p.minCollateralFactor, 'minCollateralFactor');
  const minUsd = p.minCollateralUsd === undefined ? new Dec(1) : nonNegative(p.minCollateralUsd, 'minCollateralUsd');
  const fees = p.feesUsd === undefined ? new Dec(0) : nonNegative(p.feesUsd, 'feesUsd');
  let impact = p.priceImpactUsd === undefined ? new Dec(0) : Dec.min(parse(p.priceImpactUsd, 'priceImpactUsd'), 0);
  if (p.maxImpactFactorForLiquidations !== undefined) {
    const cap = sizeUsd.mul(fraction(p.maxImpactFactorForLiquidations, 'maxImpactFactorForLiquidations')).neg();
    impact = Dec.max(impact, cap);
  }
  const s = p.side === 'long' ? 1 : -1;
  // remaining(P) = a·P + b: collateral + PnL + capped impact − fees, linear in the index price.
  const a = sizeTokens.mul(s).add(indexCollateral ? collateralTokens! : 0);
  const b = sizeUsd.mul(-s).add(indexCollateral ? 0 : collateralUsd!).add(impact).sub(fees);
  const threshold = Dec.max(minUsd, sizeUsd.mul(mcf));
  return { sizeUsd, sizeTokens, a, b, threshold, indexCollateral, collateralTokens, collateralUsd, mcf };
}

/** The index price at which remaining collateral equals `target`, if price can get there. */
function priceWhere(x: ReturnType<typeof inputs>, target: Dec, side: Side): Dec | null {
  if (x.a.isZero()) return null;
  const p = target.sub(x.b).div(x.a);
  // Longs liquidate as price falls (a > 0), shorts as it rises (a < 0); otherwise never.
  if (side === 'long' ? x.a.lte(0) : x.a.gte(0)) return null;
  return p.gt(0) ? p : null;
}

/**
 * GMX v2 (gmx-synthetics PositionUtils.isPositionLiquidatable): remaining collateral =
 * collateral value + PnL + min(price impact, 0) capped at size × maxPositionImpactFactorForLiquidations
 * − fees; liquidatable when it is ≤ 0, below minCollateralUsd, or below size × minCollateralFactor.
 */
export const gmxV2: RuleSet<GmxPosition> = {
  exchange: 'gmx',
  quote(p): MarginQuote {
    const x = inputs(p);
    const entry = x.sizeUsd.div(x.sizeTokens);
    const initial = x.indexCollateral ? x.collateralTokens!.mul(entry) : x.collateralUsd!;
    return {
      exchange: 'gmx',
      side: p.side,
      liquidationPrice: priceWhere(x, x.threshold, p.side),
      bankruptcyPrice: priceWhere(x, new Dec(0), p.side),
      initialMargin: initial,
      maintenanceMargin: x.threshold,
      tier: null,
    };
  },
  equityAt(p, mark) {
    const x = inputs(p);
    return x.a.mul(mark).add(x.b);
  },
  maintenanceAt(p) {
    return inputs(p).threshold;
  },
};
