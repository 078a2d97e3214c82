import { Decimal } from 'decimal.js';

/**
 * The reference evaluation of GMX v2's liquidation rule, for `check`: written apart from the
 * fast path (engine/margin/gmx-v2.ts solves remaining collateral = threshold in closed form on
 * each piece of the impact function). Here the contract's check
 * (PositionUtils.isPositionLiquidatable, forLiquidation = true) is evaluated literally at a
 * price, step by step, and the liquidation price is found by bisection on that predicate
 * alone, with its own decimal context, its own input derivation and its own price grid.
 * It imports nothing of engine/margin or engine/model.
 */
const D = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_EVEN });
type D = InstanceType<typeof D>;

/** A position after its last change, as the indexer stores it (decimal strings, whole units). */
export interface ReferenceGmxPosition {
  readonly isLong: boolean;
  readonly collateralToken: string;
  readonly collateralIsIndex: boolean;
  readonly sizeUsd: string;
  readonly sizeTokens: string | null;
  readonly collateralTokens: string | null;
  readonly collateralUsd: string;
  readonly collateralPrice: string | null;
  readonly borrowingFactor: string | null;
  readonly fundingFeePerSize: string | null;
  readonly pendingImpactTokens: string | null;
}

/** A market update (accumulator or Config key), whole units. */
export interface ReferenceGmxUpdate {
  readonly kind: string;
  readonly collateralToken: string;
  readonly flag: boolean;
  readonly value: string;
}

/** The market at the checked time. */
export interface ReferenceGmxMarket {
  /** The latest update of each (kind, collateral token, flag) at that time, in any order. */
  readonly latest: readonly ReferenceGmxUpdate[];
  /** Latest oracle price of each non-index collateral token, USD per whole token. */
  readonly collateralPrices: ReadonlyMap<string, string>;
  /** Parameters the indexed updates never set (the dated snapshot), whole units. */
  readonly fallback: {
    readonly minCollateralFactor: string;
    readonly minCollateralUsd: string;
    readonly maxImpactFactorForLiquidations: string;
    readonly positionFeeFactor: string;
  };
}

function lookup(m: ReferenceGmxMarket, kind: string, collateralToken = '', flag = false): D | null {
  const u = m.latest.find((x) => x.kind === kind && x.collateralToken === collateralToken && x.flag === flag);
  return u === undefined ? null : new D(u.value);
}

/** Whether GMX would liquidate `p` at index price `price`, following the contract's steps. */
export function referenceGmxLiquidatable(p: ReferenceGmxPosition, m: ReferenceGmxMarket, price: D): boolean {
  const size = new D(p.sizeUsd);
  const tokens = new D(p.sizeTokens ?? 0);
  // getPositionPnlUsd: position value at the price against its size in USD.
  const value = tokens.times(price);
  const pnl = p.isLong ? value.minus(size) : size.minus(value);
  // Collateral at the collateral token's own price (the index price for the index token).
  const ownPrice = m.collateralPrices.get(p.collateralToken) ?? p.collateralPrice;
  const collateralPrice: D | null = p.collateralIsIndex ? price : ownPrice === null ? null : new D(ownPrice);
  const collateralUsd = p.collateralTokens !== null && collateralPrice !== null ? new D(p.collateralTokens).times(collateralPrice) : new D(p.collateralUsd);
  // Price impact: closing impact not indexed (0) plus the pending impact at this price;
  // positive → 0, negative → capped at size × maxPositionImpactFactorForLiquidations.
  let impact = new D(p.pendingImpactTokens ?? 0).times(price);
  if (impact.gte(0)) {
    impact = new D(0);
  } else {
    const factor = lookup(m, 'maxPositionImpactFactorForLiquidations') ?? new D(m.fallback.maxImpactFactorForLiquidations);
    const floor = size.times(factor).negated();
    if (impact.lt(floor)) impact = floor;
  }
  // getPositionFees for the whole size: position fee, borrowing fee since the position's
  // factor, funding fee since its funding per size (collateral tokens, at the collateral price).
  const feeFactor = lookup(m, 'positionFeeFactor', '', false) ?? new D(m.fallback.positionFeeFactor);
  const positionFee = size.times(feeFactor);
  const cumulative = lookup(m, 'cumulativeBorrowingFactor', '', p.isLong);
  let borrowingFee = new D(0);
  if (cumulative !== null && p.borrowingFactor !== null) {
    const diff = cumulative.minus(p.borrowingFactor);
    if (diff.gt(0)) borrowingFee = size.times(diff);
  }
  const latestFunding = lookup(m, 'fundingFeeAmountPerSize', p.collateralToken, p.isLong);
  let fundingFee = new D(0);
  if (latestFunding !== null && p.fundingFeePerSize !== null) {
    const diff = latestFunding.minus(p.fundingFeePerSize);
    if (diff.gt(0)) {
      const fundingTokens = size.times(diff);
      fundingFee = collateralPrice === null ? fundingTokens : fundingTokens.times(collateralPrice);
    }
  }
  const remaining = collateralUsd.plus(pnl).plus(impact).minus(positionFee).minus(borrowingFee).minus(fundingFee);
  const minCollateralUsd = lookup(m, 'minCollateralUsd') ?? new D(m.fallback.minCollateralUsd);
  if (remaining.lt(minCollateralUsd)) return true;
  if (remaining.lte(0)) return true;
  const factor = lookup(m, 'minCollateralFactorForLiquidation') ?? new D(m.fallback.minCollateralFactor);
  return remaining.lt(size.times(factor));
}

/**
 * The price where `referenceGmxLiquidatable` flips, by bisection to a relative width of 1e-40:
 * for a long the highest liquidatable price below the first safe doubling of the entry, for a
 * short the lowest above the last safe halving. Null when no price liquidates it (or every price does).
 */
export function referenceGmxLiquidationPrice(p: ReferenceGmxPosition, m: ReferenceGmxMarket): D | null {
  if (p.sizeTokens === null || !new D(p.sizeTokens).gt(0)) return null;
  const liquidatable = (x: D) => referenceGmxLiquidatable(p, m, x);
  const entry = new D(p.sizeUsd).div(p.sizeTokens);
  // The side where price liquidates: longs below, shorts above.
  const bad = (x: D) => (p.isLong ? liquidatable(x) : !liquidatable(x));
  let lo = new D(0);
  if (!bad(lo)) return null;
  let hi = entry;
  for (let i = 0; bad(hi); i++) {
    if (i >= 256) return null;
    lo = hi;
    hi = hi.times(2);
  }
  for (let i = 0; i < 400 && hi.minus(lo).gt(hi.times('1e-40')); i++) {
    const mid = lo.plus(hi).div(2);
    if (bad(mid)) lo = mid;
    else hi = mid;
  }
  return lo.plus(hi).div(2);
}

/** Price-bucket maps of one time bucket, shaped as the fast path's snapshots (leverage maps left empty). */
export interface ReferenceGmxSnapshot {
  readonly t: number;
  readonly price: number;
  readonly priceStep: number;
  readonly long: Map<number, number>;
  readonly short: Map<number, number>;
  readonly oiLong: Map<number, number>;
  readonly oiShort: Map<number, number>;
  readonly longByLeverage: Map<number, Map<number, number>>;
  readonly shortByLeverage: Map<number, Map<number, number>>;
  readonly liquidatedLong: number;
  readonly liquidatedShort: number;
}

/**
 * Every open position at its reference liquidation price: size in tokens × that price in the
 * price bucket floor(price / step), long or short; and its size (USD) in the bucket of its
 * entry price (size / tokens) on the open-interest side.
 */
export function referenceGmxSnapshot(t: number, price: number, priceStep: number, positions: readonly ReferenceGmxPosition[], market: ReferenceGmxMarket): ReferenceGmxSnapshot {
  const step = new D(priceStep);
  const cells = { long: new Map<number, D>(), short: new Map<number, D>(), oiLong: new Map<number, D>(), oiShort: new Map<number, D>() };
  const add = (map: Map<number, D>, at: D, v: D) => {
    const k = at.div(step).floor().toNumber();
    map.set(k, (map.get(k) ?? new D(0)).plus(v));
  };
  for (const p of positions) {
    if (p.sizeTokens === null || !new D(p.sizeTokens).gt(0)) continue;
    add(p.isLong ? cells.oiLong : cells.oiShort, new D(p.sizeUsd).div(p.sizeTokens), new D(p.sizeUsd));
    const lp = referenceGmxLiquidationPrice(p, market);
    if (lp === null) continue;
    add(p.isLong ? cells.long : cells.short, lp, new D(p.sizeTokens).times(lp));
  }
  const toNumbers = (map: Map<number, D>) => new Map([...map].map(([k, v]) => [k, v.toNumber()] as [number, number]));
  return {
    t,
    price,
    priceStep,
    long: toNumbers(cells.long),
    short: toNumbers(cells.short),
    oiLong: toNumbers(cells.oiLong),
    oiShort: toNumbers(cells.oiShort),
    longByLeverage: new Map(),
    shortByLeverage: new Map(),
    liquidatedLong: 0,
    liquidatedShort: 0,
  };
}
