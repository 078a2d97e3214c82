import type { Side } from '../types.js';
import type { LevelSnapshot } from './types.js';
import { priceIndex } from './price-grid.js';

/** A known (on-chain) position with its liquidation price from the venue's rule set. */
export interface KnownPosition {
  readonly side: Side;
  /** Size, USD/quote. */
  readonly sizeUsd: number;
  /** Entry price, quote (size / tokens). */
  readonly entryPrice: number;
  /** Liquidation price from the venue's rules (e.g. engine `gmxV2`), or null when none. */
  readonly liquidationPrice: number | null;
  /** Leverage (size / collateral), for cluster composition. */
  readonly leverage: number;
}

/**
 * The exact variant: levels from real positions instead of a leverage assumption. Each open
 * position contributes its size at its own liquidation price, and its entry to the OI profile.
 */
export function exactSnapshot(t: number, price: number, priceStep: number, positions: readonly KnownPosition[]): LevelSnapshot {
  const long = new Map<number, number>();
  const short = new Map<number, number>();
  const oiLong = new Map<number, number>();
  const oiShort = new Map<number, number>();
  const longByLeverage = new Map<number, Map<number, number>>();
  const shortByLeverage = new Map<number, Map<number, number>>();
  const add = (m: Map<number, number>, k: number, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  for (const p of positions) {
    const isLong = p.side === 'long';
    add(isLong ? oiLong : oiShort, priceIndex(p.entryPrice, priceStep), p.sizeUsd);
    if (p.liquidationPrice === null || !(p.liquidationPrice > 0)) continue;
    const idx = priceIndex(p.liquidationPrice, priceStep);
    // Notional at the liquidation price: tokens × liquidation price.
    const notional = (p.sizeUsd / p.entryPrice) * p.liquidationPrice;
    add(isLong ? long : short, idx, notional);
    const lev = Math.max(1, Math.round(p.leverage));
    const byLev = isLong ? longByLeverage : shortByLeverage;
    if (!byLev.has(lev)) byLev.set(lev, new Map());
    add(byLev.get(lev)!, idx, notional);
  }
  return { t, price, priceStep, long, short, oiLong, oiShort, longByLeverage, shortByLeverage, liquidatedLong: 0, liquidatedShort: 0 };
}
