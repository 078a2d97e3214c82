import { Dec, dec, type Num } from './decimal.js';
import type { Side } from '../types.js';

/** Funding-rate parameters of a venue. */
export interface FundingRule {
  /** Interest rate per 8 hours (0.0001 = 0.01%). */
  readonly interest8h: Num;
  /** Clamp on (interest − premium), per 8 hours (Binance and Hyperliquid: 0.0005). */
  readonly clamp8h: Num;
  /** Cap on the absolute rate per 8 hours (Binance: 0.75 × tier-1 MMR; Hyperliquid: 4%/h ⇒ 0.32). */
  readonly cap8h: Num;
  /** Hours between payments (8 on Binance by default, 1 on Hyperliquid and dYdX). */
  readonly intervalHours: number;
}

/** Binance USDⓈ-M (FAQ 360033525031): cap = 0.75 × tier-1 MMR (0.4% for BTCUSDT ⇒ 0.3%). */
export const BINANCE_FUNDING: FundingRule = { interest8h: '0.0001', clamp8h: '0.0005', cap8h: '0.003', intervalHours: 8 };
/** Hyperliquid (docs trading/funding): paid hourly, capped at 4% per hour. */
export const HYPERLIQUID_FUNDING: FundingRule = { interest8h: '0.0001', clamp8h: '0.0005', cap8h: '0.32', intervalHours: 1 };
/** dYdX v4: hourly; the 8-hour rate is clamped to 600% × (IMF − MMF) (0.05 − 0.03 ⇒ 12%). */
export const DYDX_FUNDING: FundingRule = { interest8h: '0.0001', clamp8h: '0.0005', cap8h: '0.12', intervalHours: 1 };

/**
 * The rate charged per funding interval from the (time-weighted) 8-hour premium index:
 * F = P + clamp(I − P, −c, +c), capped at ±cap, then scaled to the interval (N/8 of the 8-hour
 * rate). Positive: longs pay shorts.
 */
export function fundingRate(premium8h: Num, rule: FundingRule): Dec {
  const p = dec(premium8h);
  const i = dec(rule.interest8h);
  const c = dec(rule.clamp8h);
  const cap = dec(rule.cap8h);
  const f8 = Dec.max(cap.neg(), Dec.min(cap, p.add(Dec.min(c, Dec.max(c.neg(), i.sub(p))))));
  return f8.mul(rule.intervalHours).div(8);
}

/**
 * Funding paid by a position at one print, quote: notional at the reference (mark/oracle)
 * price × rate. Positive means the position paid (a long when the rate is positive).
 */
export function fundingPayment(side: Side, qty: Num, referencePrice: Num, rate: Num): Dec {
  const paid = dec(qty).mul(dec(referencePrice)).mul(dec(rate));
  return side === 'long' ? paid : paid.neg();
}

/** Funding paid since entry over a series of prints (rate and reference price each), quote. */
export function fundingPaidSince(side: Side, qty: Num, prints: readonly { rate: Num; price: Num }[]): Dec {
  return prints.reduce((sum, p) => sum.add(fundingPayment(side, qty, p.price, p.rate)), new Dec(0));
}
