import type { CanonicalEvent } from '../../db/index.js';

/** Parameters of the demo market. All times epoch ms, UTC. */
export interface SimulatorOptions {
  readonly market: string;
  readonly seed: number;
  readonly startMs: number;
  readonly days: number;
  /** Starting mid price, quote. */
  readonly startPrice: number;
  /** Mean trades per minute. */
  readonly tradesPerMinute: number;
}

/** Defaults: a BTC-like market over three days starting 2024-01-01. */
export const DEFAULT_SIMULATOR: SimulatorOptions = {
  market: 'demo:BTCUSDT',
  seed: 42,
  startMs: Date.UTC(2024, 0, 1),
  days: 3,
  startPrice: 42_000,
  tradesPerMinute: 60,
};

/** mulberry32: a tiny seeded PRNG, so the demo is the same on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A deterministic synthetic perpetual market, minute by minute: a random-walk mid price whose
 * volatility clusters (GARCH(1,1)-like), Poisson trade arrivals with Pareto (heavy-tailed)
 * sizes, open interest that drifts with volume and drops on sharp moves, liquidations on those
 * moves, and funding every 8 hours from the premium. Yields events in time order.
 */
export function* simulateMarket(options: Partial<SimulatorOptions> = {}): Generator<CanonicalEvent> {
  const o = { ...DEFAULT_SIMULATOR, ...options };
  const rnd = prng(o.seed);
  const normal = () => {
    const u = Math.max(rnd(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
  };
  const minutes = Math.round(o.days * 24 * 60);
  let price = o.startPrice;
  let variance = 0.0008 ** 2; // per-minute variance
  const omega = 0.05 * 0.0008 ** 2;
  let oi = 5_000; // base units
  let premium = 0;
  let tradeId = 1;
  let lastShock = 0;
  for (let m = 0; m < minutes; m++) {
    const t0 = o.startMs + m * 60_000;
    // GARCH(1,1): today's variance from yesterday's shock and variance.
    variance = omega + 0.1 * lastShock ** 2 + 0.85 * variance;
    const ret = Math.sqrt(variance) * normal();
    lastShock = ret;
    const open = price;
    const close = open * Math.exp(ret);
    premium = 0.9 * premium + 0.1 * (ret * 5 + 0.00005 * normal());
    // Trades: Poisson count, prices along a bridge from open to close, Pareto sizes.
    const intensity = o.tradesPerMinute * (1 + Math.min(10, Math.abs(ret) / 0.0008));
    let n = 0;
    if (intensity > 100) n = Math.max(0, Math.round(intensity + Math.sqrt(intensity) * normal()));
    else {
      // Knuth's Poisson sampler; exact for small means.
      const L = Math.exp(-intensity);
      let p = rnd();
      while (p > L) {
        n++;
        p *= rnd();
      }
    }
    let volume = 0;
    for (let i = 0; i < n; i++) {
      const frac = (i + 1) / (n + 1);
      const px = open + (close - open) * frac + open * Math.sqrt(variance) * 0.2 * normal();
      const size = Math.min(50, 0.001 * Math.pow(1 - rnd(), -1 / 1.5));
      volume += size;
      const ts = t0 + Math.floor(frac * 60_000);
      yield {
        kind: 'trade',
        market: o.market,
        ts: ts * 1000 + i,
        tradeId: String(tradeId++),
        price: px.toFixed(1),
        qty: size.toFixed(3),
        side: rnd() < 0.5 + Math.sign(ret) * 0.1 ? 'buy' : 'sell',
      };
    }
    // Sharp moves liquidate the side they run over and shrink open interest.
    const move = ret / Math.sqrt(omega / 0.05);
    if (Math.abs(move) > 2.5) {
      const count = Math.min(20, Math.floor(Math.abs(move) * 2));
      for (let i = 0; i < count; i++) {
        const qty = Math.min(20, 0.01 * Math.pow(1 - rnd(), -1 / 1.3));
        const px = open + (close - open) * ((i + 1) / (count + 1));
        oi = Math.max(100, oi - qty);
        yield {
          kind: 'liquidation',
          market: o.market,
          ts: (t0 + 30_000 + i) * 1000,
          side: ret < 0 ? 'sell' : 'buy',
          price: px.toFixed(1),
          qty: qty.toFixed(3),
          notional: (px * qty).toFixed(2),
          key: `sim${m}-${i}`,
        };
      }
    }
    oi = Math.max(100, oi + volume * (0.02 * normal() + 0.005));
    if (m % 5 === 4) {
      yield {
        kind: 'open_interest',
        market: o.market,
        ts: (t0 + 60_000) * 1000,
        oiQty: oi.toFixed(3),
        oiValue: (oi * close).toFixed(2),
      };
    }
    if ((m + 1) % 480 === 0) {
      const rate = premium + Math.max(-0.0005, Math.min(0.0005, 0.0001 - premium));
      yield {
        kind: 'funding',
        market: o.market,
        ts: (t0 + 60_000) * 1000,
        rate: Math.max(-0.0075, Math.min(0.0075, rate)).toFixed(8),
        markPrice: close.toFixed(1),
        intervalHours: 8,
      };
    }
    price = close;
  }
}
