import type { MarginMode, Side } from '../types.js';
import { EngineError } from '../errors.js';
import { Dec, sign, type Num } from './decimal.js';
import { fraction, leverageWithin, nonNegative, parse, positive } from './checks.js';
import type { MarginQuote, RuleSet } from './rule-set.js';
import type { TierRow } from './tier-rows.js';

/** One margin tier: from `lowerBound` notional (quote) up, at most `maxLeverage`. */
export interface HyperliquidTier {
  readonly lowerBound: string;
  readonly maxLeverage: number;
}

/**
 * Margin tiers by coin: a dated snapshot of Hyperliquid's docs (trading/margin-tiers, 2025-06).
 * `--max-leverage` replaces them with one tier.
 */
export const HYPERLIQUID_TIERS: Readonly<Record<string, readonly HyperliquidTier[]>> = {
  BTC: [
    { lowerBound: '0', maxLeverage: 40 },
    { lowerBound: '150000000', maxLeverage: 20 },
  ],
  ETH: [
    { lowerBound: '0', maxLeverage: 25 },
    { lowerBound: '100000000', maxLeverage: 15 },
  ],
  // The docs' margin-table ids 54 (SOL) and 52 (DOGE, HYPE and the other 10× coins), as the
  // info endpoint's `meta` lists them in public 2025 snapshots.
  SOL: [
    { lowerBound: '0', maxLeverage: 20 },
    { lowerBound: '70000000', maxLeverage: 10 },
  ],
  DOGE: [
    { lowerBound: '0', maxLeverage: 10 },
    { lowerBound: '20000000', maxLeverage: 5 },
  ],
  HYPE: [
    { lowerBound: '0', maxLeverage: 10 },
    { lowerBound: '20000000', maxLeverage: 5 },
  ],
};

/** A Hyperliquid perp position. */
export interface HyperliquidPosition {
  readonly coin: string;
  readonly side: Side;
  readonly mode: MarginMode;
  readonly qty: Num;
  readonly entry: Num;
  /** Isolated margin, quote (isolated mode). */
  readonly margin?: Num;
  /** Account value, quote (cross mode). */
  readonly accountValue?: Num;
  /** One tier with this max leverage instead of the coin's table. */
  readonly maxLeverage?: Num;
  readonly leverage?: Num;
  /** Cross: maintenance margin of the account's other positions, quote (part of maintenance_margin_required). */
  readonly otherMaintenance?: Num;
  /** A tier table with its own rates and deductions, instead of the coin's margin tiers. */
  readonly brackets?: readonly TierRow[];
}

interface Tier {
  readonly index: number;
  readonly floor: Dec;
  readonly cap: Dec;
  readonly mmr: Dec;
  readonly deduction: Dec;
  readonly maxLeverage: Dec;
}

function tiersOf(p: HyperliquidPosition): Tier[] {
  if (p.brackets !== undefined) {
    const rows = p.brackets;
    const last = rows.at(-1)!;
    const notional = positive(p.qty, 'qty').mul(positive(p.entry, 'entry'));
    if (notional.gte(last.cap)) throw new EngineError('INPUT_INVALID', `qty: position value ${notional.toFixed()} is above the last tier's cap ${last.cap} of the Hyperliquid ${p.coin} tier table`);
    // The last tier holds every larger notional, as the bundled tables' does (a short's
    // liquidation notional may pass its cap).
    return rows.map((r, i) => ({ index: i + 1, floor: new Dec(r.floor), cap: r === last ? new Dec(Infinity) : new Dec(r.cap), mmr: fraction(r.mmr, 'mmr'), deduction: new Dec(r.cum), maxLeverage: new Dec(r.maxLeverage) }));
  }
  const table: readonly { lowerBound: string; maxLeverage: Num }[] | undefined =
    p.maxLeverage !== undefined ? [{ lowerBound: '0', maxLeverage: p.maxLeverage }] : HYPERLIQUID_TIERS[p.coin.toUpperCase()];
  if (!table) throw new EngineError('SYMBOL_UNKNOWN', `no built-in Hyperliquid margin tiers for ${p.coin} (known: ${Object.keys(HYPERLIQUID_TIERS).join(', ')}); pass --max-leverage`);
  const out: Tier[] = [];
  table.forEach((t, i) => {
    const maxLeverage = positive(t.maxLeverage, 'maxLeverage');
    // Maintenance margin is half the initial margin at max leverage.
    const mmr = new Dec(1).div(maxLeverage.mul(2));
    const floor = new Dec(t.lowerBound);
    const prev = out[i - 1];
    // deduction_n = deduction_{n−1} + lowerBound_n × (MMR_n − MMR_{n−1})
    const deduction = prev ? prev.deduction.add(floor.mul(mmr.sub(prev.mmr))) : new Dec(0);
    if (prev) out[i - 1] = { ...prev, cap: floor };
    out.push({ index: i + 1, floor, cap: new Dec(Infinity), mmr, deduction, maxLeverage });
  });
  return out;
}

function inputs(p: HyperliquidPosition) {
  const qty = positive(p.qty, 'qty');
  const entry = positive(p.entry, 'entry');
  const tiers = tiersOf(p);
  const notional = qty.mul(entry);
  const entryTier = tiers.find((t) => notional.lt(t.cap)) ?? tiers[tiers.length - 1]!;
  const leverage = p.leverage === undefined ? entryTier.maxLeverage : leverageWithin(parse(p.leverage, 'leverage'), entryTier.maxLeverage, `Hyperliquid ${p.coin} tier ${entryTier.index}`);
  let margin: Dec;
  if (p.mode === 'isolated') {
    if (p.margin === undefined) throw new EngineError('INPUT_INVALID', 'isolated mode needs --margin (the isolated margin)');
    margin = positive(p.margin, 'margin');
  } else {
    if (p.accountValue === undefined) throw new EngineError('INPUT_INVALID', 'cross mode needs --account-value');
    margin = positive(p.accountValue, 'accountValue');
  }
  const others = p.mode === 'cross' && p.otherMaintenance !== undefined ? nonNegative(p.otherMaintenance, 'otherMaintenance') : new Dec(0);
  return { qty, entry, notional, tiers, entryTier, leverage, margin, others, s: sign(p.side) };
}

function tierAt(tiers: readonly Tier[], notional: Dec): Tier {
  return tiers.find((t) => notional.lt(t.cap)) ?? tiers[tiers.length - 1]!;
}

/**
 * Hyperliquid (docs trading/liquidations): liq = price − side × margin_available / size /
 * (1 − l × side) with l = MMR = 1/(2 × max leverage) and margin_available = margin − MM (in
 * cross, MM counts the account's other positions too); with
 * tiers, MM = notional × MMR − deduction, and the tier is the one at the liquidation price.
 */
export const hyperliquid: RuleSet<HyperliquidPosition> = {
  exchange: 'hyperliquid',
  quote(p): MarginQuote {
    const x = inputs(p);
    let lp: Dec | null = null;
    let tier = x.entryTier;
    for (const t of x.tiers) {
      // margin + s·q·(P − E) = others + q·P·MMR − deduction
      const price = x.qty.mul(x.entry).mul(x.s).sub(x.margin).add(x.others).sub(t.deduction).div(x.qty.mul(new Dec(x.s).sub(t.mmr)));
      const n = x.qty.mul(price);
      if (price.gt(0) && n.gte(t.floor) && n.lt(t.cap)) {
        lp = price;
        tier = t;
        break;
      }
    }
    const bp = x.entry.sub(x.margin.div(x.qty).mul(x.s));
    return {
      exchange: 'hyperliquid',
      side: p.side,
      liquidationPrice: lp,
      bankruptcyPrice: bp.gt(0) ? bp : null,
      initialMargin: x.notional.div(x.leverage),
      maintenanceMargin: x.notional.mul(x.entryTier.mmr).sub(x.entryTier.deduction),
      tier: tier.index,
    };
  },
  equityAt(p, mark) {
    const x = inputs(p);
    return x.margin.add(mark.sub(x.entry).mul(x.qty).mul(x.s));
  },
  maintenanceAt(p, mark) {
    const x = inputs(p);
    const t = tierAt(x.tiers, x.qty.mul(mark));
    return x.others.add(x.qty.mul(mark).mul(t.mmr)).sub(t.deduction);
  },
};
