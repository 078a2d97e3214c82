import type { Side } from '../types.js';
import { EngineError } from '../errors.js';
import { Dec, type Num } from './decimal.js';
import { fraction, nonNegative, parse, positive } from './checks.js';
import type { MarginQuote, RuleSet } from './rule-set.js';

/**
 * The per-market parameters GMX v2's liquidation check reads from its DataStore
 * (MarketUtils.getMinCollateralFactorForLiquidation, getMaxPositionImpactFactorForLiquidations,
 * Keys.MIN_COLLATERAL_USD, the position fee factor). Fractions and USD in whole units.
 */
export interface GmxMarketParams {
  /** MIN_COLLATERAL_FACTOR_FOR_LIQUIDATION of the market (0.005 = 0.5%, 200×). */
  readonly minCollateralFactor: Num;
  /** MIN_COLLATERAL_USD (protocol-wide), USD. */
  readonly minCollateralUsd: Num;
  /** MAX_POSITION_IMPACT_FACTOR_FOR_LIQUIDATIONS of the market: caps the negative impact at size × factor. */
  readonly maxImpactFactorForLiquidations: Num;
  /** POSITION_FEE_FACTOR of closing (the factor for a close that worsens the pool's balance), fraction of size. */
  readonly positionFeeFactor?: Num;
}

/** A GMX v2 (synthetics) position, in USD and whole tokens. */
export interface GmxPosition extends Partial<GmxMarketParams> {
  readonly side: Side;
  /** Position size, USD (sizeInUsd). */
  readonly sizeUsd: Num;
  /** Position size, index tokens (sizeInTokens). */
  readonly sizeTokens: Num;
  /** Collateral amount, whole collateral tokens (collateralAmount) — or give `collateralUsd`. */
  readonly collateralTokens?: Num;
  /** Collateral value, USD, when the amount is not known (valued as given, price-independent). */
  readonly collateralUsd?: Num;
  /** The collateral is the index token (e.g. WETH backing an ETH long): valued at the index price. */
  readonly collateralIsIndex?: boolean;
  /** USD per whole collateral token for any other collateral, its own oracle price (USDC at 0.9998 is 0.9998). Default 1. */
  readonly collateralPrice?: Num;
  /** The position's borrowingFactor (cumulative factor at its last change), fraction. */
  readonly borrowingFactor?: Num;
  /** The market side's cumulative borrowing factor now, fraction: pending borrowing = size × (this − borrowingFactor). */
  readonly cumulativeBorrowingFactor?: Num;
  /** The position's fundingFeeAmountPerSize, whole collateral tokens per USD of size. */
  readonly fundingFeeAmountPerSize?: Num;
  /** The market's latest fundingFeeAmountPerSize for this collateral and side: pending funding = size × (latest − position's), in collateral tokens. */
  readonly latestFundingFeeAmountPerSize?: Num;
  /** Position.pendingImpactAmount (GMX ≥ 2.2), index tokens, signed (< 0: a cost), valued at the index price. */
  readonly pendingImpactTokens?: Num;
  /** Price impact of closing the whole size against the pool's imbalance, USD, signed (default 0: not known). */
  readonly priceImpactUsd?: Num;
  /** Other pending costs, USD (added to the fees). */
  readonly feesUsd?: Num;
}

/**
 * Remaining collateral as a function of the index price P, in GMX's terms:
 * `remaining(P) = a·P + b + impact(P)`, with `impact(P) = min(0, max(iP·P + i0, −cap))`.
 */
interface Linear {
  readonly a: Dec;
  readonly b: Dec;
  readonly iP: Dec;
  readonly i0: Dec;
  readonly cap: Dec;
  readonly threshold: Dec;
  readonly initialMargin: Dec;
}

const ZERO = new Dec(0);

function opt(v: Num | undefined, name: string, check: (v: Num, name: string) => Dec, fallback: Dec): Dec {
  return v === undefined ? fallback : check(v, name);
}

/** max(0, latest − own): what accrued since the position's last change (nothing when either is absent). */
function accrued(latest: Num | undefined, own: Num | undefined, latestName: string, ownName: string): Dec {
  if (latest === undefined || own === undefined) return ZERO;
  return Dec.max(ZERO, parse(latest, latestName).sub(parse(own, ownName)));
}

function linear(p: GmxPosition): Linear {
  const sizeUsd = positive(p.sizeUsd, 'sizeUsd');
  const sizeTokens = positive(p.sizeTokens, 'sizeTokens');
  const s = p.side === 'long' ? 1 : -1;
  const index = p.collateralIsIndex === true;
  const price = opt(p.collateralPrice, 'collateralPrice', positive, new Dec(1));
  const tokens = p.collateralTokens === undefined ? null : nonNegative(p.collateralTokens, 'collateralTokens');
  const usd = p.collateralUsd === undefined ? null : nonNegative(p.collateralUsd, 'collateralUsd');
  if (tokens === null && (usd === null || index)) {
    throw new EngineError('INPUT_INVALID', index ? 'index-token collateral needs --collateral-tokens' : 'GMX needs --collateral-tokens or --collateral-usd');
  }
  // Pending fees since the position's last update (PositionPricingUtils.getPositionFees for the
  // whole size): borrowing in USD, funding in collateral tokens, the close's position fee.
  const borrowing = sizeUsd.mul(accrued(p.cumulativeBorrowingFactor, p.borrowingFactor, 'cumulativeBorrowingFactor', 'borrowingFactor'));
  const fundingTokens = sizeUsd.mul(accrued(p.latestFundingFeeAmountPerSize, p.fundingFeeAmountPerSize, 'latestFundingFeeAmountPerSize', 'fundingFeeAmountPerSize'));
  const positionFee = sizeUsd.mul(opt(p.positionFeeFactor, 'positionFeeFactor', fraction, ZERO));
  const otherFees = opt(p.feesUsd, 'feesUsd', nonNegative, ZERO);
  // Collateral net of funding owed, valued at the collateral's own price (the index price for index collateral).
  let a = sizeTokens.mul(s);
  let b = sizeUsd.mul(-s).sub(borrowing).sub(positionFee).sub(otherFees);
  if (index) a = a.add(tokens!.sub(fundingTokens));
  else b = b.add(tokens === null ? usd!.sub(fundingTokens.mul(price)) : tokens.sub(fundingTokens).mul(price));
  const mcf = opt(p.minCollateralFactor, 'minCollateralFactor', fraction, new Dec('0.01'));
  const minUsd = opt(p.minCollateralUsd, 'minCollateralUsd', nonNegative, new Dec(1));
  const entry = sizeUsd.div(sizeTokens);
  return {
    a,
    b,
    iP: opt(p.pendingImpactTokens, 'pendingImpactTokens', parse, ZERO),
    i0: opt(p.priceImpactUsd, 'priceImpactUsd', parse, ZERO),
    // No factor given: the negative impact is not capped.
    cap: p.maxImpactFactorForLiquidations === undefined ? new Dec(Infinity) : sizeUsd.mul(fraction(p.maxImpactFactorForLiquidations, 'maxImpactFactorForLiquidations')),
    threshold: Dec.max(minUsd, sizeUsd.mul(mcf), ZERO),
    initialMargin: tokens === null ? usd! : tokens.mul(index ? entry : price),
  };
}

/** impact(P): min(impact, 0), the negative side capped at size × maxPositionImpactFactorForLiquidations. */
function impactAt(x: Linear, price: Dec): Dec {
  const raw = x.iP.mul(price).add(x.i0);
  if (raw.gte(0)) return ZERO;
  return Dec.max(raw, x.cap.neg());
}

function remainingAt(x: Linear, price: Dec): Dec {
  return x.a.mul(price).add(x.b).add(impactAt(x, price));
}

/**
 * The index price at which remaining collateral equals `target`, if price can get there:
 * solved on each piece of the piecewise-linear impact (uncapped, capped, zero). Longs take the
 * highest crossing where remaining rises with price, shorts the lowest where it falls.
 */
function priceWhere(x: Linear, target: Dec, side: Side): Dec | null {
  const breaks: Dec[] = [];
  if (!x.iP.isZero()) {
    breaks.push(x.i0.neg().div(x.iP));
    if (x.cap.isFinite()) breaks.push(x.cap.neg().sub(x.i0).div(x.iP));
  }
  const cuts = [ZERO, ...breaks.filter((v) => v.gt(0)).sort((m, n) => m.comparedTo(n)), new Dec(Infinity)];
  let best: Dec | null = null;
  for (let i = 0; i + 1 < cuts.length; i++) {
    const lo = cuts[i]!;
    const hi = cuts[i + 1]!;
    const mid = hi.isFinite() ? lo.add(hi).div(2) : lo.add(1).mul(2);
    // On this piece impact is c·P + d.
    const raw = x.iP.mul(mid).add(x.i0);
    const [c, d] = raw.gte(0) ? [ZERO, ZERO] : raw.lt(x.cap.neg()) ? [ZERO, x.cap.neg()] : [x.iP, x.i0];
    const slope = x.a.add(c);
    if (slope.isZero() || (side === 'long' ? slope.lt(0) : slope.gt(0))) continue;
    const p = target.sub(x.b).sub(d).div(slope);
    if (p.lte(lo) || p.gt(hi) || p.lte(0)) continue;
    if (best === null || (side === 'long' ? p.gt(best) : p.lt(best))) best = p;
  }
  return best;
}

/**
 * GMX v2 (gmx-synthetics PositionUtils.isPositionLiquidatable, forLiquidation = true):
 * remaining collateral = collateral × its price + PnL + min(price impact of closing + pending
 * impact, 0) capped at size × maxPositionImpactFactorForLiquidations − (position fee of the
 * close + borrowing fee + funding fee pending since the last update); liquidatable when it is
 * below minCollateralUsd, ≤ 0, or below size × minCollateralFactorForLiquidation.
 */
export const gmxV2: RuleSet<GmxPosition> = {
  exchange: 'gmx',
  quote(p): MarginQuote {
    const x = linear(p);
    return {
      exchange: 'gmx',
      side: p.side,
      liquidationPrice: priceWhere(x, x.threshold, p.side),
      bankruptcyPrice: priceWhere(x, ZERO, p.side),
      initialMargin: x.initialMargin,
      maintenanceMargin: x.threshold,
      tier: null,
    };
  },
  equityAt(p, mark) {
    return remainingAt(linear(p), mark);
  },
  maintenanceAt(p) {
    return linear(p).threshold;
  },
};
