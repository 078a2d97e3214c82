/** engine/margin: exchange margin rules, funding, and position quotes. */
export { Dec, dec, type Num } from './decimal.js';
export { isLiquidatable, marginRatio, type MarginQuote, type RuleSet } from './rule-set.js';
export { binanceUsdm, type BinancePosition } from './binance-usdm.js';
export { BINANCE_BRACKETS, type Bracket, type BracketSnapshot } from './binance-brackets.js';
export { bybitLinear, type BybitPosition } from './bybit-linear.js';
export { BYBIT_RISK_LIMITS } from './bybit-risk-limits.js';
export { okxSwap, type OkxPosition } from './okx-swap.js';
export { hyperliquid, HYPERLIQUID_TIERS, type HyperliquidPosition, type HyperliquidTier } from './hyperliquid.js';
export { dydxV4, type DydxPosition } from './dydx-v4.js';
export { gmxV2, type GmxMarketParams, type GmxPosition } from './gmx-v2.js';
export { GmxMarketState, type GmxPositionState, type GmxStateUpdate } from './gmx-v2-state.js';
export { GMX_V2_ARBITRUM_PARAMS, GMX_V2_BASE_PARAMS, GMX_V2_PARAMS_SOURCE, gmxMarketParams, type GmxMarketSnapshot } from './gmx-v2-markets.js';
export { fundingRate, fundingPayment, fundingPaidSince, BINANCE_FUNDING, HYPERLIQUID_FUNDING, DYDX_FUNDING, type FundingRule } from './funding.js';
export { quoteInputSchema, type QuoteInput } from './quote-input.js';
export { parseBracketFile, type BracketFileContext } from './bracket-file.js';
export { type TierRow } from './tier-rows.js';
export { quotePosition, type QuoteResult } from './quote.js';
export { marketBrackets, bracketAt, type MarketBrackets, type MaintenanceBracket } from './bracket-registry.js';
