import type { MarginMode, Side } from '../types.js';
import { EngineError } from '../errors.js';
import { Dec, sign, type Num } from './decimal.js';
import { fraction, leverageWithin, nonNegative, parse, positive } from './checks.js';
import type { MarginQuote, RuleSet } from './rule-set.js';
import { tierHolding, type TierRow } from './tier-rows.js';

/**
 * An OKX USDT-margined swap position, isolated or cross. Cross is the single-currency cross
 * margin of OKX's "spot and futures" account mode: the USDT balance of the cross account backs
 * every cross position settled in USDT, and other positions enter as their maintenance and PnL.
 */
export interface OkxPosition {
  readonly symbol?: string;
  readonly side: Side;
  /** Default isolated. */
  readonly mode?: MarginMode;
  readonly qty: Num;
  readonly entry: Num;
  /** Isolated margin, quote (default entry × qty / leverage). */
  readonly margin?: Num;
  readonly leverage?: Num;
  /** Maintenance margin rate of the position's tier (or give `brackets`). */
  readonly mmr?: Num;
  /**
   * Tier table: the tier is the one holding the notional at entry, since OKX tiers by position
   * size (contracts), which a price move does not change.
   */
  readonly brackets?: readonly TierRow[];
  /** Taker fee rate (the fee to close is part of the maintenance requirement). */
  readonly takerFee?: Num;
  /** Isolated: margin added or removed (negative: e.g. funding paid), quote. */
  readonly extraMargin?: Num;
  /**
   * Cross: USDT balance of the cross account (`cashBal`), less what the margin ratio also
   * deducts (margin of isolated positions, open orders and their fees), quote.
   */
  readonly wallet?: Num;
  /** Cross: maintenance margin plus liquidation fee of the other cross positions in USDT, quote. */
  readonly otherMaintenance?: Num;
  /** Cross: unrealized PnL of the other cross positions in USDT, quote. */
  readonly otherUpnl?: Num;
}

function tierOf(p: OkxPosition, notional: Dec): { index: number | null; mmr: Dec; maxLeverage: Dec } {
  if (p.brackets !== undefined) {
    const t = tierHolding(p.brackets, notional, p.symbol ? `the OKX ${p.symbol} tier table` : 'the OKX tier table');
    return { index: t.index, mmr: fraction(t.mmr, 'mmr'), maxLeverage: t.maxLeverage };
  }
  if (p.mmr === undefined) throw new EngineError('INPUT_INVALID', 'OKX needs --mmr (the maintenance margin rate of the position tier, /api/v5/public/position-tiers) or --brackets');
  return { index: null, mmr: fraction(p.mmr, 'mmr'), maxLeverage: new Dec(Infinity) };
}

/**
 * The position's terms of the margin ratio: `collateral` is what backs it before its own PnL
 * (isolated: its margin; cross: the balance plus the other positions' PnL), `others` what the
 * requirement holds besides it (cross: the other positions' maintenance and fees).
 */
function inputs(p: OkxPosition) {
  const qty = positive(p.qty, 'qty');
  const entry = positive(p.entry, 'entry');
  const notional = qty.mul(entry);
  const tier = tierOf(p, notional);
  const where = tier.index === null ? 'OKX' : `OKX tier ${tier.index}`;
  const leverage = p.leverage === undefined ? undefined : leverageWithin(parse(p.leverage, 'leverage'), tier.maxLeverage, where);
  let collateral: Dec;
  let others = new Dec(0);
  let initialMargin: Dec;
  if (p.mode === 'cross') {
    if (p.wallet === undefined) throw new EngineError('INPUT_INVALID', 'OKX cross mode needs --wallet (the USDT balance of the cross account)');
    const lev = leverage ?? (tier.maxLeverage.isFinite() ? tier.maxLeverage : undefined);
    if (lev === undefined) throw new EngineError('INPUT_INVALID', 'OKX cross mode needs --leverage (the position\'s leverage, for its initial margin)');
    collateral = nonNegative(p.wallet, 'wallet').add(p.otherUpnl === undefined ? 0 : parse(p.otherUpnl, 'otherUpnl'));
    others = p.otherMaintenance === undefined ? others : nonNegative(p.otherMaintenance, 'otherMaintenance');
    initialMargin = notional.div(lev);
  } else {
    if (p.margin !== undefined) collateral = positive(p.margin, 'margin');
    else if (leverage !== undefined) collateral = notional.div(leverage);
    else throw new EngineError('INPUT_INVALID', 'OKX needs --margin or --leverage');
    if (p.extraMargin !== undefined) collateral = collateral.add(parse(p.extraMargin, 'extraMargin'));
    initialMargin = collateral;
  }
  const rate = tier.mmr.add(p.takerFee === undefined ? 0 : fraction(p.takerFee, 'takerFee'));
  return { qty, entry, notional, tier, rate, collateral, others, initialMargin, s: sign(p.side) };
}

/**
 * OKX USDT-margined swap, liquidated when the margin ratio reaches 100%:
 * - isolated: (margin + UPL) / (qty × mark × (MMR + fee));
 * - cross: (USDT cross balance + UPL of the cross positions − the deductions `wallet` already
 *   nets) / (maintenance margin + liquidation fees), the liquidation fee of a perpetual being
 *   position value × taker fee (OKX help "Spot and futures mode: cross margin trading",
 *   okx.com/help/360054225072, field mgnRatio; "Tiered maintenance margin ratio rules":
 *   liquidation when the ratio falls to 100%).
 * OKX publishes no closed-form cross liquidation price ("estimated", for one position): this
 * is the price where that documented ratio is 1 with everything but this position held fixed.
 * With c the collateral, o the others' requirement and r = MMR + fee:
 * c + s·q·(P − E) = o + q·P·r  ⇒  P = (s·q·E + o − c) / (q·(s − r)).
 */
export const okxSwap: RuleSet<OkxPosition> = {
  exchange: 'okx',
  quote(p): MarginQuote {
    const x = inputs(p);
    const lp = x.qty.mul(x.entry).mul(x.s).add(x.others).sub(x.collateral).div(x.qty.mul(new Dec(x.s).sub(x.rate)));
    const bp = x.entry.sub(x.collateral.div(x.qty).mul(x.s));
    return {
      exchange: 'okx',
      side: p.side,
      liquidationPrice: lp.gt(0) ? lp : null,
      bankruptcyPrice: bp.gt(0) ? bp : null,
      initialMargin: x.initialMargin,
      maintenanceMargin: x.notional.mul(x.rate),
      tier: x.tier.index,
    };
  },
  equityAt(p, mark) {
    const x = inputs(p);
    return x.collateral.add(mark.sub(x.entry).mul(x.qty).mul(x.s));
  },
  maintenanceAt(p, mark) {
    const x = inputs(p);
    return x.others.add(x.qty.mul(mark).mul(x.rate));
  },
};
