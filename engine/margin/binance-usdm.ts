import type { MarginMode, Side } from '../types.js';
import { EngineError } from '../errors.js';
import { Dec, dec, sign, type Num } from './decimal.js';
import { leverageWithin, nonNegative, parse, positive } from './checks.js';
import type { MarginQuote, RuleSet } from './rule-set.js';
import { BINANCE_BRACKETS, type Bracket } from './binance-brackets.js';

/** A Binance USDⓈ-M position (one symbol; other positions enter as TMM1/UPNL1 in cross). */
export interface BinancePosition {
  readonly symbol: string;
  readonly side: Side;
  readonly mode: MarginMode;
  /** Hedge mode (LONG/SHORT position sides). With one position per side the formula is the one-way one. */
  readonly hedge?: boolean;
  /** Size, base units. */
  readonly qty: Num;
  /** Entry price, quote. */
  readonly entry: Num;
  /** Cross wallet balance, or the isolated position's wallet balance (default notional / leverage). */
  readonly wallet?: Num;
  /** Initial leverage (checked against the bracket's maximum). */
  readonly leverage?: Num;
  /** Override of the bracket: maintenance margin rate and amount. */
  readonly mmr?: Num;
  readonly cum?: Num;
  /** Brackets to use instead of the built-in snapshot. */
  readonly brackets?: readonly Bracket[];
  /** Cross: maintenance margin (TMM1) and unrealized PnL (UPNL1) of the other positions. */
  readonly otherMaintenance?: Num;
  readonly otherUpnl?: Num;
  /** Isolated: margin added to the position (negative: removed), quote, on top of the wallet balance. */
  readonly extraMargin?: Num;
}

interface Tier {
  readonly index: number;
  readonly floor: Dec;
  readonly cap: Dec;
  readonly mmr: Dec;
  readonly cum: Dec;
  readonly maxLeverage: Dec;
}

function tiersOf(p: BinancePosition): Tier[] {
  if (p.mmr !== undefined) {
    const mmr = nonNegative(p.mmr, 'mmr');
    return [{ index: 1, floor: new Dec(0), cap: new Dec(Infinity), mmr, cum: p.cum === undefined ? new Dec(0) : parse(p.cum, 'cum'), maxLeverage: new Dec(Infinity) }];
  }
  const brackets = p.brackets ?? BINANCE_BRACKETS[p.symbol.toUpperCase()]?.brackets;
  if (!brackets) {
    throw new EngineError('SYMBOL_UNKNOWN', `no built-in Binance brackets for ${p.symbol} (known: ${Object.keys(BINANCE_BRACKETS).join(', ')}); pass --mmr and --cum from /fapi/v1/leverageBracket`);
  }
  let floor = new Dec(0);
  return brackets.map((b, i) => {
    const t = { index: i + 1, floor, cap: dec(b.cap), mmr: dec(b.mmr), cum: dec(b.cum), maxLeverage: new Dec(b.maxLeverage) };
    floor = t.cap;
    return t;
  });
}

function tierOfNotional(tiers: readonly Tier[], notional: Dec): Tier {
  return tiers.find((t) => notional.lte(t.cap)) ?? tiers[tiers.length - 1]!;
}

function inputs(p: BinancePosition) {
  const qty = positive(p.qty, 'qty');
  const entry = positive(p.entry, 'entry');
  const notional = qty.mul(entry);
  const tiers = tiersOf(p);
  const entryTier = tierOfNotional(tiers, notional);
  const leverage = p.leverage === undefined ? undefined : leverageWithin(parse(p.leverage, 'leverage'), entryTier.maxLeverage, `Binance ${p.symbol} bracket ${entryTier.index}`);
  let wallet: Dec;
  if (p.wallet !== undefined) wallet = nonNegative(p.wallet, 'wallet');
  else if (p.mode === 'isolated' && leverage) wallet = notional.div(leverage);
  else throw new EngineError('INPUT_INVALID', p.mode === 'cross' ? 'cross mode needs --wallet (the cross wallet balance)' : 'isolated mode needs --wallet or --leverage');
  if (p.extraMargin !== undefined) {
    // The doc's isolated wallet balance: notional / leverage (+ added margin).
    if (p.mode !== 'isolated') throw new EngineError('INPUT_INVALID', 'extraMargin: margin is added to an isolated position; in cross mode raise --wallet');
    wallet = wallet.add(parse(p.extraMargin, 'extraMargin'));
  }
  const cross = p.mode === 'cross';
  const tmm = cross && p.otherMaintenance !== undefined ? nonNegative(p.otherMaintenance, 'otherMaintenance') : new Dec(0);
  const upnl = cross && p.otherUpnl !== undefined ? parse(p.otherUpnl, 'otherUpnl') : new Dec(0);
  return { qty, entry, notional, tiers, entryTier, leverage, wallet, tmm, upnl, s: sign(p.side) };
}

/**
 * LP = (WB − TMM1 + UPNL1 + cum − s·q·EP) / (q·MMR − s·q) for one tier (Binance FAQ "How to
 * Calculate Liquidation Price of USDⓈ-M Contracts"; with one position per side, one-way and
 * hedge mode give the same price).
 */
function lpForTier(x: ReturnType<typeof inputs>, t: Tier): Dec {
  const num = x.wallet.sub(x.tmm).add(x.upnl).add(t.cum).sub(x.qty.mul(x.entry).mul(x.s));
  const den = x.qty.mul(t.mmr).sub(x.qty.mul(x.s));
  return num.div(den);
}

/**
 * The liquidation price and its tier: the tier is the one of the notional *at the liquidation
 * price*, so each tier's price is tried and the one whose notional falls inside it is kept.
 */
function solve(x: ReturnType<typeof inputs>): { price: Dec | null; tier: Tier } {
  for (const t of x.tiers) {
    const lp = lpForTier(x, t);
    if (lp.lte(0)) continue;
    const n = x.qty.mul(lp);
    if (n.gt(t.floor) && n.lte(t.cap)) return { price: lp, tier: t };
  }
  // No consistent tier (a price at or below zero for a long): not liquidatable by price.
  return { price: null, tier: x.entryTier };
}

/**
 * The entry bracket's leverage cap for a cross position given without --leverage, or, when the
 * source does not give it, the nearest lower bracket's (caps fall as notional grows, so the
 * initial margin is a lower bound rather than notional / ∞ = 0).
 */
function knownCap(tiers: readonly Tier[], entryTier: Tier): Dec {
  for (let i = entryTier.index - 1; i >= 0; i--) if (tiers[i]!.maxLeverage.isFinite()) return tiers[i]!.maxLeverage;
  return entryTier.maxLeverage;
}

/** Binance USDⓈ-M rule set. */
export const binanceUsdm: RuleSet<BinancePosition> = {
  exchange: 'binance',
  quote(p): MarginQuote {
    const x = inputs(p);
    const { price, tier } = solve(x);
    const bankrupt = x.entry.sub(x.wallet.add(x.upnl).div(x.qty).mul(x.s));
    const leverage = x.leverage ?? (p.mode === 'isolated' ? x.notional.div(x.wallet) : knownCap(x.tiers, x.entryTier));
    return {
      exchange: 'binance',
      side: p.side,
      liquidationPrice: price,
      bankruptcyPrice: bankrupt.gt(0) ? bankrupt : null,
      initialMargin: x.notional.div(leverage),
      maintenanceMargin: x.notional.mul(x.entryTier.mmr).sub(x.entryTier.cum),
      tier: price ? tier.index : x.entryTier.index,
    };
  },
  equityAt(p, mark) {
    const x = inputs(p);
    return x.wallet.add(x.upnl).add(x.qty.mul(mark.sub(x.entry)).mul(x.s));
  },
  maintenanceAt(p, mark) {
    const x = inputs(p);
    const t = tierOfNotional(x.tiers, x.qty.mul(mark));
    return x.tmm.add(x.qty.mul(mark).mul(t.mmr)).sub(t.cum);
  },
};
