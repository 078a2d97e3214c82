import { Decimal } from 'decimal.js';
import type { Side } from '../types.js';
import { EngineError } from '../errors.js';

const D = Decimal.clone({ precision: 40 });
type D = InstanceType<typeof D>;

/** A standing liquidation level: forced orders of `notional` (quote) at `price`. */
export interface CascadeLevel {
  readonly price: string | number;
  readonly notional: string | number;
  /** `long` levels liquidate (forced sells) when price falls to them; `short` when it rises. */
  readonly side: Side;
}

/** How price responds to forced flow. */
export type DepthModel =
  | { readonly kind: 'linear'; /** Quote notional that moves price 1%. */ readonly perPercent: string | number }
  | { readonly kind: 'curve'; /** Cumulative notional (quote) absorbed by a move of `percent`% (increasing). */ readonly points: readonly { percent: number; notional: string | number }[] };

/** One wave of a cascade. */
export interface CascadeWave {
  readonly wave: number;
  /** Price range the wave swept, quote. */
  readonly fromPrice: string;
  readonly toPrice: string;
  /** Levels crossed and their notional, quote. */
  readonly levels: number;
  readonly liquidatedNotional: string;
  /** Price after the wave's forced flow moved it, quote. */
  readonly priceAfter: string;
}

/** The outcome of a cascade. */
export interface CascadeResult {
  readonly waves: CascadeWave[];
  readonly finalPrice: string;
  readonly liquidatedNotional: string;
}

/** Percent move that absorbs cumulative forced notional `s` on a depth curve (linear between points). */
function percentFor(depth: DepthModel, s: D): D {
  if (depth.kind === 'linear') return s.div(depth.perPercent);
  let prevP = new D(0);
  let prevN = new D(0);
  for (const pt of depth.points) {
    const n = new D(pt.notional);
    const p = new D(pt.percent);
    if (s.lte(n)) return prevP.add(p.sub(prevP).mul(s.sub(prevN)).div(n.sub(prevN)));
    prevP = p;
    prevN = n;
  }
  // Beyond the last point: extend the last segment's slope.
  const last = depth.points.at(-1)!;
  const before = depth.points.at(-2) ?? { percent: 0, notional: 0 };
  const slope = new D(last.percent).sub(before.percent).div(new D(last.notional).sub(before.notional));
  return new D(last.percent).add(s.sub(last.notional).mul(slope));
}

/**
 * Simulates a liquidation cascade: price is shocked from `price` to `shockTo`; every level the
 * move crosses liquidates; the wave's forced flow (sells for longs, buys for shorts) then moves
 * price further — with linear depth by price × 1% × (wave notional / depth per 1%), applied
 * after the wave — which may cross more levels, until a wave crosses nothing. Exact decimals.
 */
export function simulateCascade(input: { levels: readonly CascadeLevel[]; price: string | number; shockTo: string | number; depth: DepthModel; maxWaves?: number }): CascadeResult {
  const start = new D(input.price);
  let p = new D(input.shockTo);
  if (!start.gt(0) || !p.gt(0)) throw new EngineError('INPUT_INVALID', 'price and shock-to must be greater than zero');
  if (input.depth.kind === 'linear' && !new D(input.depth.perPercent).gt(0)) throw new EngineError('INPUT_INVALID', 'depth per percent must be greater than zero');
  if (input.depth.kind === 'curve' && input.depth.points.length === 0) throw new EngineError('INPUT_INVALID', 'a depth curve needs at least one point');
  const down = p.lt(start);
  const side: Side = down ? 'long' : 'short';
  const pending = input.levels
    .filter((l) => l.side === side)
    .map((l) => ({ price: new D(l.price), notional: new D(l.notional) }))
    .filter((l) => l.notional.gt(0))
    .sort((a, b) => (down ? b.price.cmp(a.price) : a.price.cmp(b.price)));
  // Levels already beyond the starting price liquidated before the shock; they are not fuel.
  let queue = pending.filter((l) => (down ? l.price.lte(start) : l.price.gte(start)));
  const waves: CascadeWave[] = [];
  let from = start;
  let cumulative = new D(0);
  let total = new D(0);
  const maxWaves = input.maxWaves ?? 1000;
  for (let w = 1; w <= maxWaves; w++) {
    const crossed = queue.filter((l) => (down ? l.price.gte(p) : l.price.lte(p)));
    if (crossed.length === 0) break;
    queue = queue.filter((l) => !crossed.includes(l));
    const notional = crossed.reduce((s, l) => s.add(l.notional), new D(0));
    const before = percentFor(input.depth, cumulative);
    cumulative = cumulative.add(notional);
    const move = percentFor(input.depth, cumulative).sub(before).div(100);
    const after = down ? p.mul(new D(1).sub(move)) : p.mul(new D(1).add(move));
    total = total.add(notional);
    waves.push({ wave: w, fromPrice: from.toFixed(), toPrice: p.toFixed(), levels: crossed.length, liquidatedNotional: notional.toFixed(), priceAfter: after.toFixed() });
    from = p;
    p = down ? D.max(after, 0) : after;
  }
  return { waves, finalPrice: p.toFixed(), liquidatedNotional: total.toFixed() };
}
