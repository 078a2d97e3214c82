import type { Side } from '../types.js';
import { EngineError } from '../errors.js';
import { Dec, sign, type Num } from './decimal.js';
import { fraction, leverageWithin, nonNegative, parse, positive } from './checks.js';
import type { MarginQuote, RuleSet } from './rule-set.js';
import { BYBIT_RISK_LIMITS } from './bybit-risk-limits.js';
import type { TierRow } from './tier-rows.js';

/** A Bybit USDT linear perpetual position in isolated margin. */
export interface BybitPosition {
  readonly symbol?: string;
  readonly side: Side;
  readonly qty: Num;
  readonly entry: Num;
  readonly leverage: Num;
  /** Maintenance margin rate of the risk-limit tier (default: the symbol's tier of the position value). */
  readonly mmr?: Num;
  /** Maintenance margin deduction of the tier, quote. */
  readonly mmDeduction?: Num;
  /** Margin added (positive) or taken out, e.g. by funding (negative), quote. */
  readonly extraMargin?: Num;
  /** Taker fee rate: when given, the fee to close is part of the initial margin (unified account). */
  readonly takerFee?: Num;
  /** Risk-limit tiers to use instead of the bundled ones: the one holding the position value at entry. */
  readonly brackets?: readonly TierRow[];
}

function inputs(p: BybitPosition) {
  const qty = positive(p.qty, 'qty');
  const entry = positive(p.entry, 'entry');
  const symbol = p.symbol?.toUpperCase();
  const notional = qty.mul(entry);
  // The tier is the first whose risk limit holds the position value (fixed at entry), of the
  // caller's table (--brackets) or else the bundled one; with --mmr, a bundled tier that holds
  // the value still caps the leverage.
  const bundled = p.brackets === undefined && symbol ? BYBIT_RISK_LIMITS[symbol] : undefined;
  if (p.mmr === undefined && p.brackets === undefined && !bundled) {
    throw new EngineError('SYMBOL_UNKNOWN', `no built-in Bybit risk limit for ${p.symbol ?? '(no symbol)'} (known: ${Object.keys(BYBIT_RISK_LIMITS).join(', ')}); pass --mmr and --mm-deduction`);
  }
  const rows: readonly { cap: string; mmr: string; cum: string; maxLeverage: number }[] = p.brackets ?? bundled?.brackets ?? [];
  const index = rows.findIndex((t) => notional.lte(t.cap));
  const tier = index >= 0 ? rows[index] : undefined;
  if (p.mmr === undefined && !tier) {
    const last = rows.at(-1)!;
    throw new EngineError(
      'INPUT_INVALID',
      p.brackets
        ? `qty: position value ${notional.toFixed()} is above the last tier's cap ${last.cap} of ${symbol ? `the Bybit ${symbol} tier table` : 'the Bybit tier table'}`
        : `qty: position value ${notional.toFixed()} is above Bybit ${symbol} risk-limit tier ${rows.length} (${last.cap}, the last tier bundled); pass --mmr and --mm-deduction of its tier`,
    );
  }
  const s = sign(p.side);
  const mmr = fraction(p.mmr ?? tier!.mmr, 'mmr');
  const deduction = p.mmDeduction !== undefined ? nonNegative(p.mmDeduction, 'mmDeduction') : new Dec(p.mmr !== undefined ? 0 : tier!.cum);
  const where = !tier ? 'Bybit' : p.brackets ? `Bybit tier ${index + 1}` : `Bybit ${symbol} risk-limit tier ${index + 1}`;
  const leverage = leverageWithin(parse(p.leverage, 'leverage'), new Dec(tier?.maxLeverage ?? Infinity), where);
  let im = notional.div(leverage);
  if (p.takerFee !== undefined) {
    // Fee to close at the bankruptcy price: long qty·entry·(1 − 1/lev)·fee, short (1 + 1/lev).
    im = im.add(notional.mul(new Dec(1).sub(new Dec(s).div(leverage))).mul(fraction(p.takerFee, 'takerFee')));
  }
  const mm = notional.mul(mmr).sub(deduction);
  const extra = p.extraMargin === undefined ? new Dec(0) : parse(p.extraMargin, 'extraMargin');
  return { qty, entry, s, im, mm, extra, tier: p.mmr === undefined ? index + 1 : null };
}

/**
 * Bybit USDT perpetual, isolated (Bybit help "Liquidation Price (USDT Contract)"):
 * long LP = entry − (IM − MM)/qty − extra/qty, short LP = entry + (IM − MM)/qty + extra/qty.
 * MM is fixed at entry, so equity (IM + extra + PnL) meets it linearly.
 */
export const bybitLinear: RuleSet<BybitPosition> = {
  exchange: 'bybit',
  quote(p): MarginQuote {
    const x = inputs(p);
    const lp = x.entry.sub(x.im.sub(x.mm).add(x.extra).div(x.qty).mul(x.s));
    const bp = x.entry.sub(x.im.add(x.extra).div(x.qty).mul(x.s));
    return { exchange: 'bybit', side: p.side, liquidationPrice: lp.gt(0) ? lp : null, bankruptcyPrice: bp.gt(0) ? bp : null, initialMargin: x.im, maintenanceMargin: x.mm, tier: x.tier };
  },
  equityAt(p, mark) {
    const x = inputs(p);
    return x.im.add(x.extra).add(mark.sub(x.entry).mul(x.qty).mul(x.s));
  },
  maintenanceAt(p) {
    return inputs(p).mm;
  },
};
