import type { GmxMarketParams } from './gmx-v2.js';

/** One market of the snapshot: its name and parameters (decimal strings, whole units). */
export interface GmxMarketSnapshot extends GmxMarketParams {
  /** Short name, e.g. `ETH-USD` (GMX: "ETH/USD [WETH-USDC]"). */
  readonly name: string;
  readonly positionFeeFactor: string;
  readonly minCollateralFactor: string;
  readonly minCollateralUsd: string;
  readonly maxImpactFactorForLiquidations: string;
}

/** Where the snapshot comes from. */
export const GMX_V2_PARAMS_SOURCE = 'gmx-io/gmx-synthetics config/markets.ts and config/general.ts at commit a5c0c883 (2026-03-13), network arbitrum';

/**
 * GMX v2 market parameters on Arbitrum One that the DataStore holds, for markets and times
 * the indexed Config `SetUint` history does not cover (the subgraph's MarketConfigUpdate
 * values win over these). A dated snapshot of {@link GMX_V2_PARAMS_SOURCE}: per market,
 * `minCollateralFactorForLiquidation`, `maxPositionImpactFactorForLiquidations` (from
 * `baseMarketConfig` unless the market overrides it), `positionFeeFactorForNegativeImpact`, and
 * the protocol-wide `minCollateralUsd`. Keys: lower-case market token addresses.
 */
export const GMX_V2_ARBITRUM_PARAMS: Readonly<Record<string, GmxMarketSnapshot>> = Object.freeze({
  // ETH/USD [WETH-USDC]: "minCollateralFactorForLiquidation: percentageToFloat("0.5%"), // 200x leverage"
  '0x70d95587d40a2caf56bd97485ab3eec10bee6336': { name: 'ETH-USD', minCollateralFactor: '0.005', maxImpactFactorForLiquidations: '0', minCollateralUsd: '1', positionFeeFactor: '0.0006' },
  // BTC/USD [WBTC.e-USDC]
  '0x47c031236e19d024b42f8ae6780e44a573170703': { name: 'BTC-USD', minCollateralFactor: '0.005', maxImpactFactorForLiquidations: '0', minCollateralUsd: '1', positionFeeFactor: '0.0006' },
});

/** `baseMarketConfig` of the same source: what a market not listed above starts with. */
export const GMX_V2_BASE_PARAMS: GmxMarketSnapshot = Object.freeze({
  name: 'base',
  minCollateralFactor: '0.01',
  maxImpactFactorForLiquidations: '0',
  minCollateralUsd: '1',
  positionFeeFactor: '0.0006',
});

/** The snapshot of a market by token address or name (case-insensitive), else the base config. */
export function gmxMarketParams(market: string): GmxMarketSnapshot {
  const key = market.toLowerCase();
  return GMX_V2_ARBITRUM_PARAMS[key] ?? Object.values(GMX_V2_ARBITRUM_PARAMS).find((m) => m.name.toLowerCase() === key.replace(/^gmx:/, '')) ?? GMX_V2_BASE_PARAMS;
}
