import { BINANCE_BRACKETS } from './binance-brackets.js';
import { BYBIT_RISK_LIMITS } from './bybit-risk-limits.js';
import { HYPERLIQUID_TIERS } from './hyperliquid.js';

/** One maintenance bracket as the model reads it: notional up to `cap` (quote), rate, amount (quote). */
export interface MaintenanceBracket {
  readonly cap: number;
  readonly rate: number;
  readonly amount: number;
  /** Highest leverage the venue allows in the bracket (Infinity when the source does not say). */
  readonly maxLeverage: number;
}

/** A venue symbol's dated bracket table. */
export interface MarketBrackets {
  readonly venue: string;
  readonly symbol: string;
  /** Date of the snapshot, as its source gives it. */
  readonly asOf: string;
  readonly source: string;
  readonly tiers: readonly MaintenanceBracket[];
}

/** Caps beyond the last published bound (the table's last tier holds every larger notional). */
const UNBOUNDED = 1e15;

/**
 * Per venue: the symbol's built-in table, or null. One entry per venue; the tables themselves
 * live next to each venue's rule set (where `liqmap quote` reads them too), each with its
 * source and date. No table is bundled for OKX (its position tiers are served by
 * /api/v5/public/position-tiers and none was found published), dYdX (each market's margin
 * fractions are on-chain parameters) or GMX (no tiers): their markets use the model's default.
 */
const VENUES: Readonly<Record<string, (symbol: string) => MarketBrackets | null>> = {
  binance(symbol) {
    const s = BINANCE_BRACKETS[symbol];
    if (!s) return null;
    return { venue: 'binance', symbol, asOf: s.asOf, source: s.source, tiers: s.brackets.map((b) => ({ cap: Number(b.cap), rate: Number(b.mmr), amount: Number(b.cum), maxLeverage: b.maxLeverage })) };
  },
  bybit(symbol) {
    const r = BYBIT_RISK_LIMITS[symbol];
    if (!r) return null;
    return { venue: 'bybit', symbol, asOf: r.asOf, source: r.source, tiers: r.brackets.map((t) => ({ cap: Number(t.cap), rate: Number(t.mmr), amount: Number(t.cum), maxLeverage: t.maxLeverage })) };
  },
  hyperliquid(symbol) {
    const table = HYPERLIQUID_TIERS[symbol];
    if (!table) return null;
    // MMR = 1/(2 × max leverage); deduction_n = deduction_{n−1} + lowerBound_n × (MMR_n − MMR_{n−1}).
    const tiers: MaintenanceBracket[] = [];
    let prevRate = 0;
    let amount = 0;
    table.forEach((t, i) => {
      const rate = 1 / (2 * t.maxLeverage);
      amount += Number(t.lowerBound) * (rate - prevRate);
      prevRate = rate;
      const next = table[i + 1];
      tiers.push({ cap: next ? Number(next.lowerBound) : UNBOUNDED, rate, amount, maxLeverage: t.maxLeverage });
    });
    return { venue: 'hyperliquid', symbol, asOf: '2025-06', source: 'Hyperliquid docs, trading/margin-tiers', tiers };
  },
};

/**
 * The maintenance brackets of a market (`venue:SYMBOL`, e.g. `binance:ETHUSDT`,
 * `hyperliquid:BTC`), or null when liqmap bundles none for it.
 */
export function marketBrackets(marketId: string): MarketBrackets | null {
  const i = marketId.indexOf(':');
  if (i <= 0) return null;
  const venue = marketId.slice(0, i).toLowerCase();
  const symbol = marketId.slice(i + 1).toUpperCase();
  return VENUES[venue]?.(symbol) ?? null;
}

/** The bracket holding a position of `notional` (quote): the first whose cap holds it, else the last. */
export function bracketAt(b: MarketBrackets, notional: number): MaintenanceBracket {
  return b.tiers.find((t) => notional <= t.cap) ?? b.tiers.at(-1)!;
}
