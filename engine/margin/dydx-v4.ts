import type { MarginMode, Side } from '../types.js';
import { Dec, sign, type Num } from './decimal.js';
import { fraction, nonNegative, parse, positive } from './checks.js';
import type { MarginQuote, RuleSet } from './rule-set.js';

/** A dYdX v4 perpetual position, priced at the oracle. */
export interface DydxPosition {
  readonly market?: string;
  readonly side: Side;
  readonly mode: MarginMode;
  readonly qty: Num;
  /** Oracle price the equity was measured at, quote. */
  readonly oracle: Num;
  /** Account (or isolated subaccount) equity at `oracle`, quote. */
  readonly equity: Num;
  /** Maintenance and initial margin fractions (0.03 = 3%). */
  readonly mmf: Num;
  readonly imf?: Num;
  /** Cross: maintenance requirement of the other positions, quote. */
  readonly otherMaintenance?: Num;
}

function inputs(p: DydxPosition) {
  const qty = positive(p.qty, 'qty');
  const s = sign(p.side);
  const oracle = positive(p.oracle, 'oracle');
  const equity = parse(p.equity, 'equity');
  const mmf = fraction(p.mmf, 'mmf');
  const imf = p.imf === undefined ? mmf.mul(2) : fraction(p.imf, 'imf');
  const others = p.mode === 'cross' && p.otherMaintenance !== undefined ? nonNegative(p.otherMaintenance, 'otherMaintenance') : new Dec(0);
  return { qty, s, signed: qty.mul(s), oracle, equity, mmf, imf, others };
}

/**
 * dYdX v4 (docs concepts/trading/liquidations): with s the signed size and e the equity at the
 * oracle price p, p′ = (e − s·p − MMR_others)/(|s|·MMF − s); isolated has no other positions.
 */
export const dydxV4: RuleSet<DydxPosition> = {
  exchange: 'dydx',
  quote(p): MarginQuote {
    const x = inputs(p);
    const lp = x.equity.sub(x.signed.mul(x.oracle)).sub(x.others).div(x.qty.mul(x.mmf).sub(x.signed));
    const bp = x.equity.sub(x.signed.mul(x.oracle)).div(x.signed.neg());
    return {
      exchange: 'dydx',
      side: p.side,
      liquidationPrice: lp.gt(0) ? lp : null,
      bankruptcyPrice: bp.gt(0) ? bp : null,
      initialMargin: x.qty.mul(x.oracle).mul(x.imf),
      maintenanceMargin: x.qty.mul(x.oracle).mul(x.mmf),
      tier: null,
    };
  },
  equityAt(p, mark) {
    const x = inputs(p);
    return x.equity.add(x.signed.mul(mark.sub(x.oracle)));
  },
  maintenanceAt(p, mark) {
    const x = inputs(p);
    return x.qty.mul(mark).mul(x.mmf).add(x.others);
  },
};
