import { z } from 'zod';

/**
 * The subgraph entities the pager reads (see subgraph/schema.graphql), as zod schemas: the
 * edge where graph-node's JSON becomes typed data. BigInt fields arrive as decimal strings and
 * become `bigint`; Bytes arrive as lower-case `0x` hex.
 *
 * Units are GMX's: USD ×1e30, token amounts in the token's smallest unit, prices in USD per
 * smallest unit ×1e30.
 */

const bigintString = z
  .string()
  .regex(/^-?\d+$/, 'expected an integer string')
  .transform((s) => BigInt(s));
const blockNumber = z
  .string()
  .regex(/^\d+$/, 'expected a block number')
  .transform((s) => Number(s))
  .refine((n) => Number.isSafeInteger(n), 'block number out of range');
const hex = z.string().regex(/^0x[0-9a-fA-F]*$/, 'expected 0x hex').transform((s) => s.toLowerCase());
const decimals = z.number().int().min(0).max(30).nullable();

/** Fields every paged entity has. */
const logFields = {
  id: z.string().min(1),
  blockNumber,
  blockHash: hex,
  timestamp: blockNumber,
  transactionHash: hex,
  logIndex: blockNumber,
};

export const positionChangeSchema = z.object({
  __typename: z.literal('PositionChange'),
  ...logFields,
  type: z.enum(['increase', 'decrease', 'liquidation']),
  orderType: z.number().int(),
  orderKey: hex,
  positionKey: hex,
  account: hex,
  market: hex,
  collateralToken: hex,
  indexToken: hex,
  isLong: z.boolean(),
  indexTokenDecimals: decimals,
  collateralTokenDecimals: decimals,
  sizeInUsd: bigintString,
  sizeInTokens: bigintString,
  collateralAmount: bigintString,
  sizeDeltaUsd: bigintString,
  sizeDeltaInTokens: bigintString,
  collateralDeltaAmount: bigintString,
  executionPrice: bigintString,
  collateralTokenPriceMin: bigintString,
  priceImpactUsd: bigintString,
  pendingImpactAmount: bigintString,
  borrowingFactor: bigintString,
  fundingFeeAmountPerSize: bigintString,
  basePnlUsd: bigintString.nullable(),
  positionFeeAmount: bigintString.nullable(),
  borrowingFeeUsd: bigintString.nullable(),
  fundingFeeAmount: bigintString.nullable(),
  totalCostAmount: bigintString.nullable(),
});

export const liquidationSchema = z.object({
  __typename: z.literal('Liquidation'),
  ...logFields,
  account: hex,
  market: hex,
  collateralToken: hex,
  indexToken: hex,
  isLong: z.boolean(),
  indexTokenDecimals: decimals,
  collateralTokenDecimals: decimals,
  sizeDeltaUsd: bigintString,
  sizeDeltaInTokens: bigintString,
  collateralDeltaAmount: bigintString,
  executionPrice: bigintString,
  basePnlUsd: bigintString.nullable(),
});

export const fundingRateSchema = z.object({
  __typename: z.literal('FundingRate'),
  ...logFields,
  market: hex,
  fundingFactorPerSecond: bigintString,
  longsPayShorts: z.boolean().nullable(),
});

export const marketFactorUpdateSchema = z.object({
  __typename: z.literal('MarketFactorUpdate'),
  ...logFields,
  market: hex,
  kind: z.enum(['cumulativeBorrowingFactor', 'fundingFeeAmountPerSize']),
  collateralToken: hex.nullable(),
  collateralTokenDecimals: decimals,
  isLong: z.boolean(),
  value: bigintString,
});

/** The Config keys the subgraph records (MarketConfigUpdate.key). */
export const GMX_CONFIG_KEYS = [
  'minCollateralFactorForLiquidation',
  'maxPositionImpactFactorForLiquidations',
  'minCollateralFactor',
  'minCollateralUsd',
  'positionFeeFactor',
  'fundingFactor',
  'borrowingFactor',
] as const;

export const marketConfigUpdateSchema = z.object({
  __typename: z.literal('MarketConfigUpdate'),
  ...logFields,
  market: hex,
  key: z.enum(GMX_CONFIG_KEYS),
  flag: z.boolean().nullable(),
  value: bigintString,
});

export type PositionChangeEntity = z.infer<typeof positionChangeSchema>;
export type MarketFactorUpdateEntity = z.infer<typeof marketFactorUpdateSchema>;
export type MarketConfigUpdateEntity = z.infer<typeof marketConfigUpdateSchema>;
export type LiquidationEntity = z.infer<typeof liquidationSchema>;
export type FundingRateEntity = z.infer<typeof fundingRateSchema>;

/** Any entity the pager reads. */
export type GmxV2Entity = PositionChangeEntity | LiquidationEntity | FundingRateEntity | MarketFactorUpdateEntity | MarketConfigUpdateEntity;

/** One paged collection: its GraphQL field, entity filter type and selection. */
export interface PagedCollection {
  /** Root query field, e.g. `positionChanges`. */
  readonly field: string;
  /** graph-node's generated filter input type, e.g. `PositionChange_filter`. */
  readonly filterType: string;
  readonly schema: z.ZodType<GmxV2Entity>;
  /** The selection set, without braces. */
  readonly selection: string;
}

const selectionOf = (shape: Record<string, unknown>): string => Object.keys(shape).filter((k) => k !== '__typename').join(' ');

/** The collections the GMX v2 pager reads, in a fixed order. */
export const GMX_V2_COLLECTIONS: readonly PagedCollection[] = [
  {
    field: 'positionChanges',
    filterType: 'PositionChange_filter',
    schema: positionChangeSchema,
    selection: selectionOf(positionChangeSchema.shape),
  },
  {
    field: 'liquidations',
    filterType: 'Liquidation_filter',
    schema: liquidationSchema,
    selection: selectionOf(liquidationSchema.shape),
  },
  {
    field: 'fundingRates',
    filterType: 'FundingRate_filter',
    schema: fundingRateSchema,
    selection: selectionOf(fundingRateSchema.shape),
  },
  {
    field: 'marketFactorUpdates',
    filterType: 'MarketFactorUpdate_filter',
    schema: marketFactorUpdateSchema,
    selection: selectionOf(marketFactorUpdateSchema.shape),
  },
  {
    field: 'marketConfigUpdates',
    filterType: 'MarketConfigUpdate_filter',
    schema: marketConfigUpdateSchema,
    selection: selectionOf(marketConfigUpdateSchema.shape),
  },
];
