import type { Side } from '../types.js';
import { EngineError } from '../errors.js';
import { Dec, sign, type Num } from './decimal.js';
import { fraction, parse, positive } from './checks.js';
import type { MarginQuote, RuleSet } from './rule-set.js';

/** An OKX USDT-margined swap position in isolated margin. */
export interface OkxPosition {
  readonly symbol?: string;
  readonly side: Side;
  readonly qty: Num;
  readonly entry: Num;
  /** Isolated margin, quote (default entry × qty / leverage). */
  readonly margin?: Num;
  readonly leverage?: Num;
  /** Maintenance margin rate of the position's tier. */
  readonly mmr: Num;
  /** Taker fee rate (the fee to close is part of the maintenance requirement). */
  readonly takerFee?: Num;
  /** Margin added or removed (negative: e.g. funding paid), quote. */
  readonly extraMargin?: Num;
}

function inputs(p: OkxPosition) {
  const qty = positive(p.qty, 'qty');
  const entry = positive(p.entry, 'entry');
  let margin: Dec;
  if (p.margin !== undefined) margin = positive(p.margin, 'margin');
  else if (p.leverage !== undefined) margin = qty.mul(entry).div(positive(p.leverage, 'leverage'));
  else throw new EngineError('INPUT_INVALID', 'OKX needs --margin or --leverage');
  if (p.extraMargin !== undefined) margin = margin.add(parse(p.extraMargin, 'extraMargin'));
  const rate = fraction(p.mmr, 'mmr').add(p.takerFee === undefined ? 0 : fraction(p.takerFee, 'takerFee'));
  return { qty, entry, margin, rate, s: sign(p.side) };
}

/**
 * OKX USDT-margined isolated: margin ratio = (margin + UPL) / (qty × mark × (MMR + fee)),
 * liquidated at ratio ≤ 100%, so long LP = (entry − margin/qty)/(1 − MMR − fee) and
 * short LP = (entry + margin/qty)/(1 + MMR + fee).
 */
export const okxSwap: RuleSet<OkxPosition> = {
  exchange: 'okx',
  quote(p): MarginQuote {
    const x = inputs(p);
    const lp = x.entry.sub(x.margin.div(x.qty).mul(x.s)).div(new Dec(1).sub(x.rate.mul(x.s)));
    const bp = x.entry.sub(x.margin.div(x.qty).mul(x.s));
    return {
      exchange: 'okx',
      side: p.side,
      liquidationPrice: lp.gt(0) ? lp : null,
      bankruptcyPrice: bp.gt(0) ? bp : null,
      initialMargin: x.margin,
      maintenanceMargin: x.qty.mul(x.entry).mul(x.rate),
      tier: null,
    };
  },
  equityAt(p, mark) {
    const x = inputs(p);
    return x.margin.add(mark.sub(x.entry).mul(x.qty).mul(x.s));
  },
  maintenanceAt(p, mark) {
    const x = inputs(p);
    return x.qty.mul(mark).mul(x.rate);
  },
};
