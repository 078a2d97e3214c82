import { EngineError } from '../errors.js';
import { Dec, dec } from './decimal.js';

/**
 * One maintenance tier of a caller's table (`liqmap quote --brackets`), decimals kept as the
 * text they were given: position notional from `floor` to `cap` (quote), maintenance margin
 * rate, maintenance amount (Binance `cum`, Bybit `mmDeduction`, Hyperliquid deduction) and the
 * highest leverage of the tier.
 */
export interface TierRow {
  readonly floor: string;
  readonly cap: string;
  readonly mmr: string;
  readonly cum: string;
  readonly maxLeverage: number;
}

/** A tier of a table, as decimals, with its 1-based index. */
export interface HeldTier {
  readonly index: number;
  readonly mmr: Dec;
  readonly cum: Dec;
  readonly maxLeverage: Dec;
}

/**
 * The tier whose (floor, cap] holds `notional` (the bound Binance's and Bybit's built-in
 * tables use), for venues whose tier is fixed at entry. A notional above the last cap is
 * refused: the table says nothing of its rate.
 */
export function tierHolding(rows: readonly TierRow[], notional: Dec, where: string): HeldTier {
  const i = rows.findIndex((r) => notional.lte(r.cap));
  if (i < 0) throw new EngineError('INPUT_INVALID', `qty: position value ${notional.toFixed()} is above the last tier's cap ${rows.at(-1)!.cap} of ${where}`);
  const r = rows[i]!;
  return { index: i + 1, mmr: dec(r.mmr), cum: dec(r.cum), maxLeverage: new Dec(r.maxLeverage) };
}
