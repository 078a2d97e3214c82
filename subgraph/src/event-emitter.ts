import { Address, BigInt, Bytes, Entity, ethereum, log, Value, ValueKind } from '@graphprotocol/graph-ts';
import { EventLog, EventLog1, EventLog2 } from '../generated/EventEmitter/EventEmitter';
import { ERC20 } from '../generated/EventEmitter/ERC20';
import {
  BorrowingState,
  FundingRate,
  FundingState,
  Liquidation,
  Market,
  MarketConfig,
  MarketConfigUpdate,
  MarketFactorUpdate,
  Position,
  PositionChange,
  PositionFees,
  Token,
} from '../generated/schema';
import { EventData } from './event-data';
import { configKeyName } from './config-keys';
import { syntheticToken } from './synthetic-tokens';

/** GMX v2 Order.OrderType.Liquidation. */
const ORDER_TYPE_LIQUIDATION = 7;

const ZERO = BigInt.zero();

// The three EventEmitter events differ only in their indexed topics; the payload is the same.

export function handleEventLog(event: EventLog): void {
  handle(event.params.eventName, new EventData(event.params.eventData), event);
}

export function handleEventLog1(event: EventLog1): void {
  handle(event.params.eventName, new EventData(event.params.eventData), event);
}

export function handleEventLog2(event: EventLog2): void {
  handle(event.params.eventName, new EventData(event.params.eventData), event);
}

function handle(name: string, data: EventData, event: ethereum.Event): void {
  if (name == 'PositionIncrease' || name == 'PositionDecrease') {
    handlePositionChange(name == 'PositionIncrease', data, event);
  } else if (name == 'PositionFeesCollected') {
    handlePositionFees(data, event);
  } else if (name == 'FundingFeeAmountPerSizeUpdated') {
    handleFundingPerSize(data, event, false);
  } else if (name == 'ClaimableFundingAmountPerSizeUpdated') {
    handleFundingPerSize(data, event, true);
  } else if (name == 'CumulativeBorrowingFactorUpdated') {
    handleBorrowingFactor(data, event);
  } else if (name == 'Funding') {
    handleFunding(data, event);
  } else if (name == 'MarketCreated') {
    handleMarketCreated(data, event);
  } else if (name == 'SetUint') {
    handleSetUint(data, event);
  }
  // Everything else the EventEmitter logs is filtered out by topic1 in subgraph.yaml.
}

/** `<tx hash>-<log index padded to 6 digits>`: fixed width, so string order = byte order. */
function logId(event: ethereum.Event): string {
  let index = event.logIndex.toString();
  while (index.length < 6) index = '0' + index;
  return event.transaction.hash.toHexString() + '-' + index;
}

/** blockNumber, blockHash, timestamp, transactionHash, logIndex: the fields every per-log entity has. */
function setLogFields(entity: Entity, event: ethereum.Event): void {
  entity.set('blockNumber', Value.fromBigInt(event.block.number));
  entity.set('blockHash', Value.fromBytes(event.block.hash));
  entity.set('timestamp', Value.fromBigInt(event.block.timestamp));
  entity.set('transactionHash', Value.fromBytes(event.transaction.hash));
  entity.set('logIndex', Value.fromBigInt(event.logIndex));
}

function side(isLong: boolean): string {
  return isLong ? 'long' : 'short';
}

/** `a` from the first key present (GMX renamed a few keys between releases). */
function uintOf(data: EventData, a: string, b: string): BigInt {
  const v = data.getUint(a);
  if (v !== null) return v;
  return data.uintOr(b, ZERO);
}

function loadToken(address: Address): Token {
  let token = Token.load(address);
  if (token !== null) return token;
  token = new Token(address);
  const erc20 = ERC20.bind(address);
  const decimals = erc20.try_decimals();
  if (decimals.reverted) {
    token.synthetic = true;
    const known = syntheticToken(address);
    if (known !== null) {
      token.decimals = known.decimals;
      token.symbol = known.symbol;
    } else log.warning('GMX token {} has no decimals(); prices of its markets stay raw', [address.toHexString()]);
  } else {
    token.synthetic = false;
    token.decimals = decimals.value;
    const symbol = erc20.try_symbol();
    if (!symbol.reverted) token.symbol = symbol.value;
  }
  token.save();
  return token;
}

/** A nullable Int field of an entity, or -1 when it is unset (generated getters read null as 0). */
function intOrMinusOne(entity: Entity, field: string): i32 {
  const v = entity.get(field);
  if (v === null || v.kind == ValueKind.NULL) return -1;
  return v.toI32();
}

function handleMarketCreated(data: EventData, event: ethereum.Event): void {
  const marketToken = data.addressOr('marketToken');
  let market = Market.load(marketToken);
  if (market === null) market = new Market(marketToken);
  const indexToken = loadToken(data.addressOr('indexToken'));
  const longToken = loadToken(data.addressOr('longToken'));
  const shortToken = loadToken(data.addressOr('shortToken'));
  market.indexToken = indexToken.id;
  market.longToken = longToken.id;
  market.shortToken = shortToken.id;
  const indexDecimals = intOrMinusOne(indexToken, 'decimals');
  const longDecimals = intOrMinusOne(longToken, 'decimals');
  const shortDecimals = intOrMinusOne(shortToken, 'decimals');
  if (indexDecimals >= 0) market.indexTokenDecimals = indexDecimals;
  if (longDecimals >= 0) market.longTokenDecimals = longDecimals;
  if (shortDecimals >= 0) market.shortTokenDecimals = shortDecimals;
  market.createdAtBlock = event.block.number;
  market.createdAtTimestamp = event.block.timestamp;
  market.createdTx = event.transaction.hash;
  market.save();
}

function handlePositionFees(data: EventData, event: ethereum.Event): void {
  const orderKey = data.bytes32Or('orderKey');
  const id = event.transaction.hash.toHexString() + '-' + orderKey.toHexString();
  if (PositionFees.load(id) !== null) return;
  const fees = new PositionFees(id);
  fees.orderKey = orderKey;
  fees.positionKey = data.bytes32Or('positionKey');
  fees.market = data.addressOr('market');
  fees.collateralToken = data.addressOr('collateralToken');
  fees.isIncrease = data.boolOr('isIncrease', false);
  fees.positionFeeAmount = data.uintOr('positionFeeAmount', ZERO);
  // PositionEventUtils._emitPositionFees writes these keys without the struct prefixes
  // (`fees.funding.fundingFeeAmount` is logged as "fundingFeeAmount").
  fees.fundingFeeAmount = data.uintOr('fundingFeeAmount', ZERO);
  fees.borrowingFeeUsd = data.uintOr('borrowingFeeUsd', ZERO);
  fees.borrowingFeeAmount = data.uintOr('borrowingFeeAmount', ZERO);
  fees.totalCostAmount = data.uintOr('totalCostAmount', ZERO);
  fees.blockNumber = event.block.number;
  fees.timestamp = event.block.timestamp;
  fees.transactionHash = event.transaction.hash;
  fees.logIndex = event.logIndex;
  fees.save();
}

function handlePositionChange(isIncrease: boolean, data: EventData, event: ethereum.Event): void {
  const id = logId(event);
  const account = data.addressOr('account');
  const marketAddress = data.addressOr('market');
  const collateralAddress = data.addressOr('collateralToken');
  const isLong = data.boolOr('isLong', false);
  const orderType = data.uintOr('orderType', ZERO).toI32();
  const orderKey = data.bytes32Or('orderKey');
  const positionKey = data.bytes32Or('positionKey');

  const change = new PositionChange(id);
  change.type = isIncrease ? 'increase' : orderType == ORDER_TYPE_LIQUIDATION ? 'liquidation' : 'decrease';
  change.orderType = orderType;
  change.orderKey = orderKey;
  change.positionKey = positionKey;
  change.account = account;
  change.market = marketAddress;
  change.collateralToken = collateralAddress;
  change.isLong = isLong;

  const market = Market.load(marketAddress);
  let indexDecimals: i32 = -1;
  if (market === null) {
    log.warning('PositionChange {} in unknown market {}', [id, marketAddress.toHexString()]);
    change.indexToken = Address.zero();
  } else {
    change.indexToken = market.indexToken;
    indexDecimals = intOrMinusOne(loadToken(Address.fromBytes(market.indexToken)), 'decimals');
    if (indexDecimals >= 0) change.indexTokenDecimals = indexDecimals;
  }
  const collateralDecimals = intOrMinusOne(loadToken(collateralAddress), 'decimals');
  if (collateralDecimals >= 0) change.collateralTokenDecimals = collateralDecimals;

  change.sizeInUsd = data.uintOr('sizeInUsd', ZERO);
  change.sizeInTokens = data.uintOr('sizeInTokens', ZERO);
  change.collateralAmount = data.uintOr('collateralAmount', ZERO);
  change.sizeDeltaUsd = data.uintOr('sizeDeltaUsd', ZERO);
  change.sizeDeltaInTokens = data.uintOr('sizeDeltaInTokens', ZERO);
  const collateralDelta = data.getIntOrUint('collateralDeltaAmount');
  if (collateralDelta === null) change.collateralDeltaAmount = ZERO;
  else change.collateralDeltaAmount = isIncrease ? collateralDelta : collateralDelta.abs().neg();
  change.executionPrice = data.uintOr('executionPrice', ZERO);
  change.indexTokenPriceMax = data.uintOr('indexTokenPrice.max', ZERO);
  change.indexTokenPriceMin = data.uintOr('indexTokenPrice.min', ZERO);
  change.collateralTokenPriceMax = data.uintOr('collateralTokenPrice.max', ZERO);
  change.collateralTokenPriceMin = data.uintOr('collateralTokenPrice.min', ZERO);
  // Increases of GMX >= 2.2 hold their impact back as pending (`pendingPriceImpactUsd`/`Amount`);
  // earlier increases applied it at once (`priceImpactUsd`/`priceImpactAmount`).
  const pendingUsd = data.getInt('pendingPriceImpactUsd');
  const pendingAmount = data.getInt('pendingPriceImpactAmount');
  change.pendingPriceImpactUsd = pendingUsd;
  change.pendingPriceImpactAmount = pendingAmount;
  const impactUsd = data.getInt('priceImpactUsd');
  change.priceImpactUsd = impactUsd !== null ? impactUsd : pendingUsd !== null ? pendingUsd : ZERO;
  change.priceImpactAmount = data.getInt('priceImpactAmount');
  change.basePnlUsd = data.getInt('basePnlUsd');
  change.uncappedBasePnlUsd = data.getInt('uncappedBasePnlUsd');
  // PositionEventUtils.emitPositionDecrease logs "values.priceImpactDiffUsd" (a uint item).
  change.priceImpactDiffUsd = data.getUint('values.priceImpactDiffUsd');
  change.proportionalPendingImpactUsd = data.getInt('proportionalPendingImpactUsd');
  change.totalImpactUsd = data.getInt('totalImpactUsd');
  change.borrowingFactor = data.uintOr('borrowingFactor', ZERO);
  change.fundingFeeAmountPerSize = data.uintOr('fundingFeeAmountPerSize', ZERO);

  const fees = PositionFees.load(event.transaction.hash.toHexString() + '-' + orderKey.toHexString());
  if (fees !== null) {
    change.positionFeeAmount = fees.positionFeeAmount;
    change.fundingFeeAmount = fees.fundingFeeAmount;
    change.borrowingFeeUsd = fees.borrowingFeeUsd;
    change.borrowingFeeAmount = fees.borrowingFeeAmount;
    change.totalCostAmount = fees.totalCostAmount;
  }

  let position = Position.load(positionKey);
  if (position === null) {
    position = new Position(positionKey);
    position.account = account;
    position.market = marketAddress;
    position.collateralToken = collateralAddress;
    position.isLong = isLong;
    position.openedAtBlock = event.block.number;
    position.changeCount = 0;
    position.pendingImpactAmount = ZERO;
  } else if (!position.open) {
    position.openedAtBlock = event.block.number;
    position.pendingImpactAmount = ZERO;
  }
  position.pendingImpactAmount = nextPendingImpact(position.pendingImpactAmount, isIncrease, pendingAmount, change.sizeInUsd, change.sizeDeltaUsd);
  change.pendingImpactAmount = position.pendingImpactAmount;

  setLogFields(change, event);
  change.save();

  position.sizeInUsd = change.sizeInUsd;
  position.sizeInTokens = change.sizeInTokens;
  position.collateralAmount = change.collateralAmount;
  position.borrowingFactor = change.borrowingFactor;
  position.fundingFeeAmountPerSize = change.fundingFeeAmountPerSize;
  position.open = change.sizeInUsd.gt(ZERO);
  position.lastUpdatedBlock = event.block.number;
  position.lastUpdatedTimestamp = event.block.timestamp;
  position.lastUpdatedTx = event.transaction.hash;
  position.changeCount = position.changeCount + 1;
  position.save();

  if (change.type == 'liquidation') {
    const liq = new Liquidation(id);
    liq.positionChange = id;
    liq.account = account;
    liq.market = marketAddress;
    liq.collateralToken = collateralAddress;
    liq.indexToken = change.indexToken;
    liq.isLong = isLong;
    if (indexDecimals >= 0) liq.indexTokenDecimals = indexDecimals;
    if (collateralDecimals >= 0) liq.collateralTokenDecimals = collateralDecimals;
    liq.sizeDeltaUsd = change.sizeDeltaUsd;
    liq.sizeDeltaInTokens = change.sizeDeltaInTokens;
    liq.collateralDeltaAmount = change.collateralDeltaAmount;
    liq.collateralAmount = change.collateralAmount;
    liq.executionPrice = change.executionPrice;
    liq.collateralTokenPriceMin = change.collateralTokenPriceMin;
    liq.basePnlUsd = change.basePnlUsd;
    liq.priceImpactUsd = change.priceImpactUsd;
    setLogFields(liq, event);
    liq.save();
  }
}

function handleFundingPerSize(data: EventData, event: ethereum.Event, claimable: boolean): void {
  const market = data.addressOr('market');
  const collateralToken = data.addressOr('collateralToken');
  const isLong = data.boolOr('isLong', false);
  const delta = data.uintOr('delta', ZERO);
  const value = uintOf(data, 'value', 'nextValue');
  const id = market.toHexString() + '-' + collateralToken.toHexString() + '-' + side(isLong);
  let state = FundingState.load(id);
  if (state === null) {
    state = new FundingState(id);
    state.market = market;
    state.collateralToken = collateralToken;
    state.isLong = isLong;
    state.fundingFeeAmountPerSize = ZERO;
    state.fundingFeeAmountPerSizeDelta = ZERO;
    state.claimableFundingAmountPerSize = ZERO;
    state.claimableFundingAmountPerSizeDelta = ZERO;
  }
  if (claimable) {
    state.claimableFundingAmountPerSize = value;
    state.claimableFundingAmountPerSizeDelta = delta;
  } else {
    state.fundingFeeAmountPerSize = value;
    state.fundingFeeAmountPerSizeDelta = delta;
    // The side whose funding fee per size grows is the side that pays.
    if (delta.gt(ZERO)) {
      const m = Market.load(market);
      if (m !== null) {
        m.lastFundingPayerIsLong = isLong;
        m.save();
      }
    }
  }
  state.lastUpdatedBlock = event.block.number;
  state.lastUpdatedTimestamp = event.block.timestamp;
  state.save();
  if (!claimable) saveFactorUpdate(event, market, 'fundingFeeAmountPerSize', collateralToken, isLong, value, delta);
}

/** One accumulator update as history (the mutable *State entities keep only the latest). */
function saveFactorUpdate(event: ethereum.Event, market: Address, kind: string, collateralToken: Address | null, isLong: boolean, value: BigInt, delta: BigInt): void {
  const u = new MarketFactorUpdate(logId(event));
  u.market = market;
  u.kind = kind;
  if (collateralToken !== null) {
    u.collateralToken = collateralToken;
    const decimals = intOrMinusOne(loadToken(collateralToken), 'decimals');
    if (decimals >= 0) u.collateralTokenDecimals = decimals;
  }
  u.isLong = isLong;
  u.value = value;
  u.delta = delta;
  setLogFields(u, event);
  u.save();
}

function handleBorrowingFactor(data: EventData, event: ethereum.Event): void {
  const market = data.addressOr('market');
  const isLong = data.boolOr('isLong', false);
  const id = market.toHexString() + '-' + side(isLong);
  let state = BorrowingState.load(id);
  if (state === null) {
    state = new BorrowingState(id);
    state.market = market;
    state.isLong = isLong;
  }
  state.cumulativeBorrowingFactor = uintOf(data, 'nextValue', 'value');
  state.delta = data.uintOr('delta', ZERO);
  state.lastUpdatedBlock = event.block.number;
  state.lastUpdatedTimestamp = event.block.timestamp;
  state.save();
  saveFactorUpdate(event, market, 'cumulativeBorrowingFactor', null, isLong, state.cumulativeBorrowingFactor, state.delta);
}

function handleFunding(data: EventData, event: ethereum.Event): void {
  const market = data.addressOr('market');
  const rate = new FundingRate(logId(event));
  rate.market = market;
  rate.fundingFactorPerSecond = data.uintOr('fundingFactorPerSecond', ZERO);
  // MarketEventUtils.emitFunding logs only the magnitude; the direction is the side whose
  // funding fee per size grew last.
  const m = Market.load(market);
  if (m !== null) {
    const payer = m.get('lastFundingPayerIsLong');
    if (payer !== null && payer.kind != ValueKind.NULL) rate.longsPayShorts = payer.toBoolean();
  }
  setLogFields(rate, event);
  rate.save();
}

/**
 * Position.pendingImpactAmount after a change, as the contracts keep it: an increase adds its
 * `pendingPriceImpactAmount` (IncreasePositionUtils); a decrease removes the proportional part
 * mulDiv(pending, sizeDeltaUsd, sizeInUsd before, roundUpMagnitude = pending < 0)
 * (DecreasePositionCollateralUtils._getProportionalPendingImpactValues); a close leaves 0.
 */
function nextPendingImpact(pending: BigInt, isIncrease: boolean, added: BigInt | null, sizeAfter: BigInt, sizeDelta: BigInt): BigInt {
  if (isIncrease) return added === null ? pending : pending.plus(added);
  if (sizeAfter.isZero()) return ZERO;
  const before = sizeAfter.plus(sizeDelta);
  if (before.isZero() || pending.isZero()) return pending;
  const magnitude = pending.abs().times(sizeDelta);
  let part = magnitude.div(before);
  if (pending.lt(ZERO) && !part.times(before).equals(magnitude)) part = part.plus(BigInt.fromI32(1));
  return pending.lt(ZERO) ? pending.plus(part) : pending.minus(part);
}

/**
 * Config.setUint(baseKey, data, value) for the keys the liquidation rule reads. `data` is the
 * abi-encoded rest of the DataStore key: (market), (market, bool) or empty (protocol-wide).
 */
function handleSetUint(data: EventData, event: ethereum.Event): void {
  const baseKey = data.getBytes32('baseKey');
  if (baseKey === null) return;
  const name = configKeyName(baseKey.toHexString());
  if (name == '') return;
  const encoded = data.getBytes('data');
  const raw = encoded === null ? Bytes.empty() : encoded;
  let market = Address.zero();
  if (raw.length >= 32) market = Address.fromBytes(Bytes.fromUint8Array(raw.subarray(12, 32)));
  const hasFlag = raw.length >= 64;
  const flag = hasFlag && raw[63] != 0;
  const value = data.uintOr('value', ZERO);

  const u = new MarketConfigUpdate(logId(event));
  u.market = market;
  u.key = name;
  if (hasFlag) u.flag = flag;
  u.value = value;
  setLogFields(u, event);
  u.save();

  let config = MarketConfig.load(market);
  if (config === null) config = new MarketConfig(market);
  if (name == 'minCollateralFactorForLiquidation') config.minCollateralFactorForLiquidation = value;
  else if (name == 'maxPositionImpactFactorForLiquidations') config.maxPositionImpactFactorForLiquidations = value;
  else if (name == 'minCollateralFactor') config.minCollateralFactor = value;
  else if (name == 'positionFeeFactor' && flag) config.positionFeeFactorForPositiveImpact = value;
  else if (name == 'positionFeeFactor') config.positionFeeFactorForNegativeImpact = value;
  else if (name == 'fundingFactor') config.fundingFactor = value;
  else if (name == 'borrowingFactor' && flag) config.borrowingFactorForLongs = value;
  else if (name == 'borrowingFactor') config.borrowingFactorForShorts = value;
  else if (name == 'minCollateralUsd') config.minCollateralUsd = value;
  config.lastUpdatedBlock = event.block.number;
  config.save();
}
