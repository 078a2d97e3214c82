import { quotePosition } from '../../engine/index.js';
import { exposeUserErrors } from '../errors.js';

/** `quote`: a position's margins and liquidation price on any supported exchange. */
export const quoteTypeDefs = /* GraphQL */ `
  "Exchanges whose margin rules the engine implements."
  enum QuoteExchange { binance bybit okx hyperliquid dydx gmx }

  "Isolated or cross margin."
  enum MarginMode { isolated cross }

  """
  A position, with the same inputs as \`liqmap quote\` (flag names in camelCase). Which fields
  are required depends on the exchange: binance symbol qty entry (wallet | leverage); bybit
  qty entry leverage; okx qty entry mmr (isolated: margin | leverage; cross: wallet leverage); hyperliquid coin qty entry; dydx
  qty oracle equity mmf; gmx sizeUsd sizeTokens (collateralTokens | collateralUsd).
  """
  input QuoteInput {
    exchange: QuoteExchange!
    "long or short."
    side: PositionSide!
    "Margin mode (default isolated; cross for binance, okx, hyperliquid and dydx). An input of the other mode is refused."
    mode: MarginMode
    "Venue symbol (binance: required, e.g. BTCUSDT; bybit, okx: optional)."
    symbol: String
    "Hyperliquid coin, e.g. BTC."
    coin: String
    "dYdX market, e.g. BTC-USD."
    market: String
    "Position size, base units."
    qty: Decimal
    "Entry price, quote per base unit."
    entry: Decimal
    "Binance isolated wallet balance (or cross wallet); OKX cross: USDT balance of the cross account, quote."
    wallet: Decimal
    "Leverage, ×."
    leverage: Decimal
    "Maintenance margin rate override, fraction."
    mmr: Decimal
    "Binance maintenance amount override, quote."
    cum: Decimal
    "Binance, OKX, Hyperliquid, dYdX cross: maintenance margin of other positions (OKX: plus their liquidation fees), quote."
    otherMaintenance: Decimal
    "Binance, OKX cross: unrealised PnL of other positions, quote."
    otherUpnl: Decimal
    "Binance hedge mode."
    hedge: Boolean
    "Bybit maintenance-margin deduction, quote."
    mmDeduction: Decimal
    "Bybit/OKX/Binance isolated: margin added to the position, quote."
    extraMargin: Decimal
    "Taker fee rate for the closing fee, fraction."
    takerFee: Decimal
    "OKX/Hyperliquid isolated margin, quote."
    margin: Decimal
    "Hyperliquid cross account value, quote."
    accountValue: Decimal
    "Hyperliquid asset max leverage, ×."
    maxLeverage: Decimal
    "dYdX oracle price, quote."
    oracle: Decimal
    "dYdX subaccount equity, quote."
    equity: Decimal
    "dYdX maintenance margin fraction."
    mmf: Decimal
    "dYdX initial margin fraction."
    imf: Decimal
    "GMX position size, USD."
    sizeUsd: Decimal
    "GMX position size, index tokens."
    sizeTokens: Decimal
    "GMX collateral, tokens."
    collateralTokens: Decimal
    "GMX collateral, USD."
    collateralUsd: Decimal
    "GMX: the collateral token is the index token."
    collateralIsIndex: Boolean
    "GMX collateral token price, USD."
    collateralPrice: Decimal
    "GMX min collateral factor, fraction."
    minCollateralFactor: Decimal
    "GMX min collateral, USD."
    minCollateralUsd: Decimal
    "GMX pending fees, USD."
    feesUsd: Decimal
    "GMX price impact on close, USD."
    priceImpactUsd: Decimal
    "GMX max negative impact factor for liquidations, fraction."
    maxImpactFactorForLiquidations: Decimal
    "GMX: a mark price at which to test liquidatability, USD."
    mark: Decimal
    "Funding paid since entry, quote (negative: received)."
    fundingPaid: Decimal
  }

  "A position's margins and liquidation price under the venue's rules (exact decimals)."
  type Quote {
    exchange: String!
    "long or short."
    side: String!
    "Price at which the position is liquidated, quote per base unit; null when no price can liquidate it."
    liquidationPrice: Decimal
    "Price at which the margin is exhausted, quote per base unit."
    bankruptcyPrice: Decimal
    "Initial margin, quote currency."
    initialMargin: Decimal!
    "Maintenance margin at the entry (or oracle) price, quote currency."
    maintenanceMargin: Decimal!
    "Risk tier / bracket used, when the venue has tiers."
    tier: Int
    "Whether the position is liquidatable at mark (GMX with mark)."
    liquidatable: Boolean
    "Maintenance requirement / equity at mark (≥ 1: liquidatable)."
    marginRatio: Decimal
    "The bundled tier table the quote read (venue, symbol, date and source); null when the input's own rate replaced it or the venue has none."
    brackets: String
  }

  extend type Query {
    "The engine's margins and liquidation price for a position on any supported exchange."
    quote(input: QuoteInput!): Quote!
  }
`;

/** Resolvers of {@link quoteTypeDefs}. */
export const quoteResolvers = {
  Query: {
    quote: exposeUserErrors(async (_: unknown, args: { input: Record<string, unknown> }) => {
      const input = Object.fromEntries(Object.entries(args.input).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [k, k === 'side' ? String(v).toLowerCase() : v]));
      return quotePosition(input);
    }),
  },
};
