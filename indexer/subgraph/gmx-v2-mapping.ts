import type { CanonicalEvent, FundingEvent, LiquidationEvent, OrderSide, TradeEvent } from '../../db/index.js';
import type { PositionChangeRow } from '../../db/index.js';
import type { FundingRateEntity, GmxV2Entity, LiquidationEntity, PositionChangeEntity } from './gmx-v2-entities.js';

/**
 * GMX v2 subgraph entities → canonical events and position snapshots. Pure: no I/O, no clock.
 *
 * GMX fixed point: USD ×1e30; a price is USD per smallest token unit ×1e30, so for an index
 * token with d decimals, USD per whole token = price / 10^(30 − d). All conversions here are
 * exact decimal strings (bigint arithmetic); only entry prices divide, to {@link ENTRY_PRICE_SCALE} digits.
 */

/** 1e30: GMX's USD and price precision. */
export const GMX_USD_DECIMALS = 30;
/** Fraction digits kept by divisions (entry price), rounded half away from zero. */
export const ENTRY_PRICE_SCALE = 18;

/** What the mapping knows about one market beyond the entity. */
export interface GmxV2MarketInfo {
  /** Symbol used in the canonical market id `gmx:<symbol>`, e.g. `ETH-USD`. */
  readonly symbol: string;
  /** Index token decimals; used when the entity carries none (synthetic index tokens). */
  readonly indexTokenDecimals?: number;
}

/** Mapping configuration: markets by lower-case market token address, token decimals by address. */
export interface GmxV2MappingConfig {
  readonly markets: Readonly<Record<string, GmxV2MarketInfo>>;
  readonly tokenDecimals: Readonly<Record<string, number>>;
}

/**
 * The default table for Arbitrum One: the two main markets and the tokens whose decimals the
 * subgraph cannot read (GMX synthetic index tokens have no contract). Extend it for more markets;
 * an unlisted market is named by its market token address.
 */
export const GMX_V2_ARBITRUM: GmxV2MappingConfig = Object.freeze({
  markets: Object.freeze({
    // ETH/USD [WETH-USDC]
    '0x70d95587d40a2caf56bd97485ab3eec10bee6336': { symbol: 'ETH-USD', indexTokenDecimals: 18 },
    // BTC/USD [WBTC-USDC]
    '0x47c031236e19d024b42f8ae6780e44a573170703': { symbol: 'BTC-USD', indexTokenDecimals: 8 },
  }),
  tokenDecimals: Object.freeze({
    '0x82af49447d8a07e3bd95bd0d56f35241523fbab1': 18, // WETH
    '0x2f2a2543b76a4166549f7aab2e75bef0aefc5b0f': 8, // WBTC
    '0x47904963fc8b2340414262125af798b9655e58cd': 8, // BTC (synthetic)
    '0xaf88d065e77c8cc2239327c5edb3a432268e5831': 6, // USDC
    '0xff970a61a04b1ca14834a43f5de4533ebddb5cc8': 6, // USDC.e
  }),
});

/**
 * A position's state after one change: what the exact (per-position) liquidation model needs.
 * Amounts are decimal strings in whole units (USD, tokens).
 */
export interface PositionSnapshot extends PositionChangeRow {
  /** The GMX market token (lower-case address) the canonical `market` was named from. */
  readonly marketToken: string;
}

/** What one entity becomes. `skipped` says why an entity produced nothing it should have. */
export interface CanonicalResult {
  readonly events: CanonicalEvent[];
  readonly position: PositionSnapshot | null;
  readonly skipped: string | null;
}

/**
 * Maps one subgraph entity to canonical events (and, for a position change, the position after it).
 *
 * - PositionChange with a non-zero size delta → a `trade` (id = entity id; price = executionPrice
 *   in USD per index token; qty = sizeDeltaInTokens in index tokens; side = the direction of the
 *   order: increase long / decrease short buy, increase short / decrease long sell), plus a snapshot.
 *   A collateral-only change gives only the snapshot.
 * - Liquidation → a `liquidation` (sell for a long, buy for a short; notional = sizeDeltaUsd).
 * - FundingRate → a `funding` print per hour: fundingFactorPerSecond × 3600, positive when longs pay.
 *
 * Never throws: an entity that cannot be converted (unknown decimals, unknown funding
 * direction) is returned with no events and a `skipped` reason.
 *
 * @example
 * toCanonical(positionChange).events[0] // { kind: 'trade', market: 'gmx:ETH-USD', price: '3412.57', qty: '7.3258...', ... }
 */
export function toCanonical(entity: GmxV2Entity, config: GmxV2MappingConfig = GMX_V2_ARBITRUM): CanonicalResult {
  switch (entity.__typename) {
    case 'PositionChange':
      return positionChange(entity, config);
    case 'Liquidation':
      return liquidation(entity, config);
    case 'FundingRate':
      return funding(entity, config);
  }
}

/** `gmx:<symbol>` for a configured market, else `gmx:<market token address>`. */
export function canonicalMarket(marketToken: string, config: GmxV2MappingConfig = GMX_V2_ARBITRUM): string {
  const address = marketToken.toLowerCase();
  return `gmx:${config.markets[address]?.symbol ?? address}`;
}

function indexDecimals(e: { market: string; indexToken: string; indexTokenDecimals: number | null }, config: GmxV2MappingConfig): number | null {
  return e.indexTokenDecimals ?? config.markets[e.market]?.indexTokenDecimals ?? config.tokenDecimals[e.indexToken] ?? null;
}

function collateralDecimals(e: { collateralToken: string; collateralTokenDecimals: number | null }, config: GmxV2MappingConfig): number | null {
  return e.collateralTokenDecimals ?? config.tokenDecimals[e.collateralToken] ?? null;
}

const microseconds = (seconds: number): number => seconds * 1_000_000;

function positionChange(e: PositionChangeEntity, config: GmxV2MappingConfig): CanonicalResult {
  const market = canonicalMarket(e.market, config);
  const ts = microseconds(e.timestamp);
  const idx = indexDecimals(e, config);
  const col = collateralDecimals(e, config);
  const position: PositionSnapshot = {
    key: e.positionKey,
    account: e.account,
    market,
    marketToken: e.market,
    collateralToken: e.collateralToken,
    isLong: e.isLong,
    sizeUsd: formatFixed(e.sizeInUsd, GMX_USD_DECIMALS),
    sizeTokens: idx === null ? null : formatFixed(e.sizeInTokens, idx),
    collateralTokens: col === null ? null : formatFixed(e.collateralAmount, col),
    collateralUsd: formatFixed(e.collateralAmount * e.collateralTokenPriceMin, GMX_USD_DECIMALS),
    entryPrice:
      idx === null || e.sizeInTokens === 0n
        ? null
        : divideToDecimal(e.sizeInUsd * 10n ** BigInt(idx), e.sizeInTokens * 10n ** BigInt(GMX_USD_DECIMALS), ENTRY_PRICE_SCALE),
    open: e.sizeInUsd > 0n,
    block: e.blockNumber,
    ts,
    changeId: e.id,
  };
  if (e.sizeDeltaUsd === 0n) return { events: [], position, skipped: null };
  if (idx === null) {
    return { events: [], position, skipped: `index token ${e.indexToken} of market ${e.market} has unknown decimals; add it to the mapping config` };
  }
  if (e.executionPrice <= 0n) return { events: [], position, skipped: `execution price ${e.executionPrice} is not positive` };
  const buys = e.type === 'increase' ? e.isLong : !e.isLong;
  const trade: TradeEvent = {
    kind: 'trade',
    market,
    ts,
    tradeId: e.id,
    price: formatFixed(e.executionPrice, GMX_USD_DECIMALS - idx),
    qty: formatFixed(e.sizeDeltaInTokens, idx),
    side: buys ? 'buy' : 'sell',
  };
  return { events: [trade], position, skipped: null };
}

function liquidation(e: LiquidationEntity, config: GmxV2MappingConfig): CanonicalResult {
  const idx = indexDecimals(e, config);
  if (idx === null) {
    return { events: [], position: null, skipped: `index token ${e.indexToken} of market ${e.market} has unknown decimals; add it to the mapping config` };
  }
  const side: OrderSide = e.isLong ? 'sell' : 'buy';
  const event: LiquidationEvent = {
    kind: 'liquidation',
    market: canonicalMarket(e.market, config),
    ts: microseconds(e.timestamp),
    side,
    price: formatFixed(e.executionPrice, GMX_USD_DECIMALS - idx),
    qty: formatFixed(e.sizeDeltaInTokens, idx),
    notional: formatFixed(e.sizeDeltaUsd, GMX_USD_DECIMALS),
    key: e.id,
  };
  return { events: [event], position: null, skipped: null };
}

function funding(e: FundingRateEntity, config: GmxV2MappingConfig): CanonicalResult {
  const perHour = e.fundingFactorPerSecond * 3600n;
  if (perHour !== 0n && e.longsPayShorts === null) {
    return { events: [], position: null, skipped: `funding direction of market ${e.market} at block ${e.blockNumber} is unknown` };
  }
  const signed = e.longsPayShorts === false ? -perHour : perHour;
  const event: FundingEvent = {
    kind: 'funding',
    market: canonicalMarket(e.market, config),
    ts: microseconds(e.timestamp),
    rate: formatFixed(signed, GMX_USD_DECIMALS),
    markPrice: null,
    intervalHours: 1,
  };
  return { events: [event], position: null, skipped: null };
}

/**
 * `value / 10^decimals` as an exact decimal string without trailing zeros:
 * `formatFixed(3412570000000000n, 12)` → `'3412.57'`, `formatFixed(-5n, 2)` → `'-0.05'`.
 */
export function formatFixed(value: bigint, decimals: number): string {
  if (!Number.isInteger(decimals)) throw new RangeError(`decimals must be an integer, got ${decimals}`);
  if (decimals <= 0) return (value * 10n ** BigInt(-decimals)).toString();
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, -decimals);
  const fraction = digits.slice(-decimals).replace(/0+$/, '');
  const text = fraction === '' ? whole : `${whole}.${fraction}`;
  return negative && text !== '0' ? `-${text}` : text;
}

/** `num / den` to `scale` fraction digits, rounded half away from zero, trailing zeros trimmed. */
export function divideToDecimal(num: bigint, den: bigint, scale: number): string {
  if (den === 0n) throw new RangeError('division by zero');
  const negative = num < 0n !== den < 0n;
  const n = num < 0n ? -num : num;
  const d = den < 0n ? -den : den;
  const scaled = n * 10n ** BigInt(scale);
  let q = scaled / d;
  if ((scaled % d) * 2n >= d) q += 1n;
  return formatFixed(negative ? -q : q, scale);
}
