import type { CanonicalEvent, FundingEvent, LiquidationEvent, OrderSide, TradeEvent } from '../../db/index.js';
import type { MarketStateRow, PositionChangeRow } from '../../db/index.js';
import type { FundingRateEntity, GmxV2Entity, LiquidationEntity, MarketConfigUpdateEntity, MarketFactorUpdateEntity, PositionChangeEntity } from './gmx-v2-entities.js';

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

/** How the mapping names one market (token decimals come from the entities, never from here). */
export interface GmxV2MarketInfo {
  /** Symbol used in the canonical market id `gmx:<symbol>`, e.g. `ETH-USD`. */
  readonly symbol: string;
}

/** Mapping configuration: market names by lower-case market token address. */
export interface GmxV2MappingConfig {
  readonly markets: Readonly<Record<string, GmxV2MarketInfo>>;
}

/**
 * Default names on Arbitrum One. Names only: an unlisted market is named by its market token
 * address, and every decimal comes from the subgraph's Token entities (copied onto each entity).
 */
export const GMX_V2_ARBITRUM: GmxV2MappingConfig = Object.freeze({
  markets: Object.freeze({
    '0x70d95587d40a2caf56bd97485ab3eec10bee6336': { symbol: 'ETH-USD' }, // ETH/USD [WETH-USDC]
    '0x47c031236e19d024b42f8ae6780e44a573170703': { symbol: 'BTC-USD' }, // BTC/USD [WBTC-USDC]
  }),
});

/** The canonical id of protocol-wide state (the subgraph's zero-address market). */
export const GMX_GLOBAL_MARKET = 'gmx:*';
const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';

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
  /** Market accumulator or Config updates. */
  readonly state: MarketStateRow[];
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
    case 'MarketFactorUpdate':
      return factorUpdate(entity, config);
    case 'MarketConfigUpdate':
      return configUpdate(entity, config);
  }
}

/** `gmx:<symbol>` for a configured market, else `gmx:<market token address>`. */
export function canonicalMarket(marketToken: string, config: GmxV2MappingConfig = GMX_V2_ARBITRUM): string {
  const address = marketToken.toLowerCase();
  if (address === ZERO_ADDRESS) return GMX_GLOBAL_MARKET;
  return `gmx:${config.markets[address]?.symbol ?? address}`;
}

const unknownDecimals = (token: string, market: string): string =>
  `token ${token} of market ${market} has unknown decimals (the subgraph's Token entity has none: a synthetic token missing from subgraph/src/synthetic-tokens.ts)`;

const microseconds = (seconds: number): number => seconds * 1_000_000;

function positionChange(e: PositionChangeEntity, config: GmxV2MappingConfig): CanonicalResult {
  const market = canonicalMarket(e.market, config);
  const ts = microseconds(e.timestamp);
  const idx = e.indexTokenDecimals;
  const col = e.collateralTokenDecimals;
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
    collateralIsIndex: e.collateralToken === e.indexToken,
    // A price is USD per smallest unit x 1e30: per whole token it is price / 10^(30 - decimals).
    collateralPrice: col === null ? null : formatFixed(e.collateralTokenPriceMin, GMX_USD_DECIMALS - col),
    borrowingFactor: formatFixed(e.borrowingFactor, GMX_USD_DECIMALS),
    fundingFeePerSize: col === null ? null : formatFixed(e.fundingFeeAmountPerSize, FUNDING_PER_SIZE_DECIMALS + col),
    pendingImpactTokens: idx === null ? null : formatFixed(e.pendingImpactAmount, idx),
  };
  if (e.sizeDeltaUsd === 0n) return { events: [], position, state: [], skipped: null };
  if (idx === null) return { events: [], position, state: [], skipped: unknownDecimals(e.indexToken, e.market) };
  if (e.executionPrice <= 0n) return { events: [], position, state: [], skipped: `execution price ${e.executionPrice} is not positive` };
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
  return { events: [trade], position, state: [], skipped: null };
}

function liquidation(e: LiquidationEntity, config: GmxV2MappingConfig): CanonicalResult {
  const idx = e.indexTokenDecimals;
  if (idx === null) return { events: [], position: null, state: [], skipped: unknownDecimals(e.indexToken, e.market) };
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
  return { events: [event], position: null, state: [], skipped: null };
}

function funding(e: FundingRateEntity, config: GmxV2MappingConfig): CanonicalResult {
  const perHour = e.fundingFactorPerSecond * 3600n;
  if (perHour !== 0n && e.longsPayShorts === null) {
    return { events: [], position: null, state: [], skipped: `funding direction of market ${e.market} at block ${e.blockNumber} is unknown` };
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
  return { events: [event], position: null, state: [], skipped: null };
}

/**
 * fundingFeeAmountPerSize is stored with FLOAT_PRECISION_SQRT (1e15) extra digits:
 * MarketUtils.getFundingAmount = sizeInUsd x diff / (1e30 x 1e15) smallest units.
 */
const FUNDING_PER_SIZE_DECIMALS = 15;

function factorUpdate(e: MarketFactorUpdateEntity, config: GmxV2MappingConfig): CanonicalResult {
  const base = { market: canonicalMarket(e.market, config), kind: e.kind, flag: e.isLong, entryId: e.id, block: e.blockNumber, ts: microseconds(e.timestamp) };
  if (e.kind === 'cumulativeBorrowingFactor') {
    return { events: [], position: null, state: [{ ...base, collateralToken: '', value: formatFixed(e.value, GMX_USD_DECIMALS) }], skipped: null };
  }
  if (e.collateralToken === null || e.collateralTokenDecimals === null) {
    return { events: [], position: null, state: [], skipped: unknownDecimals(e.collateralToken ?? '(none)', e.market) };
  }
  const value = formatFixed(e.value, FUNDING_PER_SIZE_DECIMALS + e.collateralTokenDecimals);
  return { events: [], position: null, state: [{ ...base, collateralToken: e.collateralToken, value }], skipped: null };
}

function configUpdate(e: MarketConfigUpdateEntity, config: GmxV2MappingConfig): CanonicalResult {
  // Every recorded key is a fraction or USD x 1e30 (per-second factors too).
  const row: MarketStateRow = {
    market: canonicalMarket(e.market, config),
    kind: e.key,
    collateralToken: '',
    flag: e.flag ?? false,
    entryId: e.id,
    block: e.blockNumber,
    ts: microseconds(e.timestamp),
    value: formatFixed(e.value, GMX_USD_DECIMALS),
  };
  return { events: [], position: null, state: [row], skipped: null };
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
