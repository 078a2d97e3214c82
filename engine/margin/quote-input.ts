import { z } from 'zod';

const decimal = z.union([z.string(), z.number()]).transform(String).refine((s) => /^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s.trim()), 'must be a decimal number');
const side = z.enum(['long', 'short']);
const mode = z.enum(['isolated', 'cross']);

/** A tier table (`--brackets`, parsed by parseBracketFile): decimals as text. */
const brackets = z.array(z.strictObject({ floor: decimal, cap: decimal, mmr: decimal, cum: decimal, maxLeverage: z.number().positive() })).min(1);

const common = {
  side,
  /** Funding paid since entry, quote (negative: received); it erodes (or grows) the margin. */
  fundingPaid: decimal.optional(),
};

/**
 * `liqmap quote` / GraphQL `quote` input, per exchange (flag names in camelCase). Strict: a field
 * the venue does not read is refused, since dropping it would quote as if it were not given.
 */
export const quoteInputSchema = z.discriminatedUnion('exchange', [
  z.strictObject({ exchange: z.literal('binance'), ...common, symbol: z.string().min(1), mode: mode.default('isolated'), qty: decimal, entry: decimal, wallet: decimal.optional(), leverage: decimal.optional(), mmr: decimal.optional(), cum: decimal.optional(), otherMaintenance: decimal.optional(), otherUpnl: decimal.optional(), hedge: z.boolean().optional(), extraMargin: decimal.optional(), brackets: brackets.optional() }),
  z.strictObject({ exchange: z.literal('bybit'), ...common, symbol: z.string().optional(), mode: z.literal('isolated').default('isolated'), qty: decimal, entry: decimal, leverage: decimal, mmr: decimal.optional(), mmDeduction: decimal.optional(), extraMargin: decimal.optional(), takerFee: decimal.optional(), brackets: brackets.optional() }),
  z.strictObject({ exchange: z.literal('okx'), ...common, symbol: z.string().optional(), mode: mode.default('isolated'), qty: decimal, entry: decimal, margin: decimal.optional(), leverage: decimal.optional(), mmr: decimal.optional(), extraMargin: decimal.optional(), takerFee: decimal.optional(), wallet: decimal.optional(), otherMaintenance: decimal.optional(), otherUpnl: decimal.optional(), brackets: brackets.optional() }),
  z.strictObject({ exchange: z.literal('hyperliquid'), ...common, coin: z.string().min(1), mode: mode.default('isolated'), qty: decimal, entry: decimal, margin: decimal.optional(), accountValue: decimal.optional(), maxLeverage: decimal.optional(), leverage: decimal.optional(), otherMaintenance: decimal.optional(), brackets: brackets.optional() }),
  z.strictObject({ exchange: z.literal('dydx'), ...common, market: z.string().optional(), mode: mode.default('isolated'), qty: decimal, oracle: decimal, equity: decimal, mmf: decimal, imf: decimal.optional(), otherMaintenance: decimal.optional() }),
  z.strictObject({ exchange: z.literal('gmx'), ...common, gmxMarket: z.string().min(1).optional(), sizeUsd: decimal, sizeTokens: decimal, collateralTokens: decimal.optional(), collateralUsd: decimal.optional(), collateralIsIndex: z.boolean().optional(), collateralPrice: decimal.optional(), minCollateralFactor: decimal.optional(), minCollateralUsd: decimal.optional(), feesUsd: decimal.optional(), priceImpactUsd: decimal.optional(), maxImpactFactorForLiquidations: decimal.optional(), positionFeeFactor: decimal.optional(), borrowingFactor: decimal.optional(), cumulativeBorrowingFactor: decimal.optional(), fundingFeeAmountPerSize: decimal.optional(), latestFundingFeeAmountPerSize: decimal.optional(), pendingImpactTokens: decimal.optional(), mark: decimal.optional() }),
]);

/** A parsed quote input. */
export type QuoteInput = z.output<typeof quoteInputSchema>;
