import type { GmxPosition } from './gmx-v2.js';
import { gmxMarketParams } from './gmx-v2-markets.js';

/**
 * One update of a GMX v2 market's accumulator or Config parameter, whole units (the indexer's
 * `market_state` rows): `cumulativeBorrowingFactor` (flag = isLong), `fundingFeeAmountPerSize`
 * (per collateral token, flag = isLong), or a Config key such as
 * `minCollateralFactorForLiquidation` (flag = the key's bool; `positionFeeFactor`'s is
 * balanceWasImproved).
 */
export interface GmxStateUpdate {
  readonly kind: string;
  /** '' when the kind has none. */
  readonly collateralToken: string;
  readonly flag: boolean;
  readonly value: string;
}

/** What the rule needs of one position after its last change (the indexer's position rows). */
export interface GmxPositionState {
  readonly isLong: boolean;
  /** Canonical market id, e.g. `gmx:ETH-USD`. */
  readonly market: string;
  /** GMX market token address; picks the parameter snapshot when no Config update is indexed. */
  readonly marketToken: string | null;
  readonly collateralToken: string;
  readonly collateralIsIndex: boolean;
  readonly sizeUsd: string;
  readonly sizeTokens: string | null;
  readonly collateralTokens: string | null;
  /** USD, at the change's collateral price (used only when the amount is not known). */
  readonly collateralUsd: string;
  /** USD per whole collateral token at the change. */
  readonly collateralPrice: string | null;
  readonly borrowingFactor: string | null;
  readonly fundingFeePerSize: string | null;
  readonly pendingImpactTokens: string | null;
}

const keyOf = (kind: string, collateralToken: string, flag: boolean): string => `${kind}|${collateralToken}|${flag}`;

/**
 * A GMX v2 market's state as of some time: apply its updates in time order, then ask for the
 * rule's input of any open position. Parameters never set by an indexed Config update come from
 * the dated snapshot ({@link gmxMarketParams}); accumulators never updated since a position's
 * change count as unchanged (no pending fee).
 */
export class GmxMarketState {
  readonly #values = new Map<string, string>();
  readonly #prices = new Map<string, string>();
  /** Bumped by every update and price: a cached liquidation price older than this is stale. */
  version = 0;

  /** Applies one accumulator or Config update. */
  apply(u: GmxStateUpdate): void {
    this.#values.set(keyOf(u.kind, u.collateralToken, u.flag), u.value);
    this.version++;
  }

  /** Records a collateral token's latest oracle price (USD per whole token), e.g. from a position change. */
  price(collateralToken: string, usd: string | null): void {
    if (usd === null || this.#prices.get(collateralToken) === usd) return;
    this.#prices.set(collateralToken, usd);
    this.version++;
  }

  #get(kind: string, collateralToken = '', flag = false): string | undefined {
    return this.#values.get(keyOf(kind, collateralToken, flag));
  }

  /**
   * The rule's input for `p` now: its size and collateral (collateral at its own latest price,
   * or the index price when it is the index token), the borrowing and funding accrued since its
   * last change from the market's accumulators, its pending impact, and the market's parameters.
   * Null when the position lacks what the rule needs (no size in tokens).
   */
  inputOf(p: GmxPositionState): GmxPosition | null {
    if (p.sizeTokens === null || !(Number(p.sizeTokens) > 0) || !(Number(p.sizeUsd) > 0)) return null;
    const snapshot = gmxMarketParams(p.marketToken ?? p.market);
    const price = this.#prices.get(p.collateralToken) ?? p.collateralPrice;
    const collateral = p.collateralIsIndex
      ? p.collateralTokens === null
        ? null
        : { collateralTokens: p.collateralTokens, collateralIsIndex: true }
      : p.collateralTokens !== null && price !== null
        ? { collateralTokens: p.collateralTokens, collateralPrice: price }
        : { collateralUsd: p.collateralUsd };
    if (collateral === null) return null;
    const borrowing = this.#get('cumulativeBorrowingFactor', '', p.isLong);
    const funding = this.#get('fundingFeeAmountPerSize', p.collateralToken, p.isLong);
    return {
      side: p.isLong ? 'long' : 'short',
      sizeUsd: p.sizeUsd,
      sizeTokens: p.sizeTokens,
      ...collateral,
      ...(p.borrowingFactor === null ? {} : { borrowingFactor: p.borrowingFactor, cumulativeBorrowingFactor: borrowing ?? p.borrowingFactor }),
      ...(p.fundingFeePerSize === null ? {} : { fundingFeeAmountPerSize: p.fundingFeePerSize, latestFundingFeeAmountPerSize: funding ?? p.fundingFeePerSize }),
      ...(p.pendingImpactTokens === null ? {} : { pendingImpactTokens: p.pendingImpactTokens }),
      minCollateralFactor: this.#get('minCollateralFactorForLiquidation') ?? snapshot.minCollateralFactor,
      minCollateralUsd: this.#get('minCollateralUsd') ?? snapshot.minCollateralUsd,
      maxImpactFactorForLiquidations: this.#get('maxPositionImpactFactorForLiquidations') ?? snapshot.maxImpactFactorForLiquidations,
      // The close is assumed to worsen the pool's balance (the higher fee): the pool's open
      // interest that decides it is not indexed.
      positionFeeFactor: this.#get('positionFeeFactor', '', false) ?? snapshot.positionFeeFactor,
    };
  }
}
