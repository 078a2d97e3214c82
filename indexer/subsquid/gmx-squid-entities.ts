import { z } from 'zod';

/**
 * The parts of GMX's official Subsquid GraphQL API (gmx-synthetics squid, OpenReader dialect:
 * `limit`/`offset`, `orderBy: [field_ASC]`, `where: { field_eq, field_gt, AND, OR }`) that the
 * Subsquid source reads, as zod schemas. BigInt fields arrive as decimal strings, Int as numbers,
 * addresses as `0x` hex (case as the squid writes it: lower-cased here).
 * Field names from gmx-io/gmx-interface `sdk/src/codegen/subsquid.ts`.
 */

const bigintString = z
  .string()
  .regex(/^-?\d+$/, 'expected an integer string')
  .transform((s) => BigInt(s));
const hex = z.string().regex(/^0x[0-9a-fA-F]*$/, 'expected 0x hex').transform((s) => s.toLowerCase());
const int = z.number().int().nonnegative();

/** `PositionChange`: one increase or decrease; state fields are the position after it. */
export const squidPositionChangeSchema = z.object({
  id: z.string().min(1),
  block: int,
  /** Unix seconds. */
  timestamp: int,
  type: z.enum(['increase', 'decrease']),
  orderKey: hex,
  positionKey: hex,
  account: hex,
  market: hex,
  collateralToken: hex,
  isLong: z.boolean(),
  sizeInUsd: bigintString,
  sizeInTokens: bigintString,
  collateralAmount: bigintString,
  sizeDeltaUsd: bigintString,
  sizeDeltaInTokens: bigintString,
  collateralDeltaAmount: bigintString,
  executionPrice: bigintString,
  collateralTokenPriceMin: bigintString,
  priceImpactUsd: bigintString,
  basePnlUsd: bigintString,
});

/** `MarketInfo`: a market's tokens and current parameters (fractions ×1e30). */
export const squidMarketInfoSchema = z.object({
  id: z.string(),
  marketTokenAddress: hex,
  indexTokenAddress: hex,
  minCollateralFactorForLiquidation: bigintString,
  maxPositionImpactFactorForLiquidations: bigintString,
  minCollateralFactor: bigintString,
  positionFeeFactorForNegativeImpact: bigintString,
  positionFeeFactorForPositiveImpact: bigintString,
  fundingFactor: bigintString,
});

/** `squidStatus`: the squid's processed and finalized heights. */
export const squidStatusSchema = z.object({ height: int, finalizedHeight: int });

export type SquidPositionChange = z.infer<typeof squidPositionChangeSchema>;
export type SquidMarketInfo = z.infer<typeof squidMarketInfoSchema>;

const selectionOf = (shape: Record<string, unknown>): string => Object.keys(shape).join(' ');
export const SQUID_POSITION_CHANGE_FIELDS = selectionOf(squidPositionChangeSchema.shape);
export const SQUID_MARKET_INFO_FIELDS = selectionOf(squidMarketInfoSchema.shape);
