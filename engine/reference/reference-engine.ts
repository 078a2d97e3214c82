import { RD, rd, type Exact } from './decimal.js';
import { referenceMaintenance } from './brackets.js';
import { exactBucketInputs } from './exact-aggregation.js';
import { referencePriceIndex, referencePriceStep } from './grid.js';
import { referenceSpreadSide } from './level-spread.js';
import type { BucketInput, RawEvent, ReferenceParams, ReferenceSnapshot } from './types.js';

/**
 * The reference engine: the whole estimated model written for checking, in exact decimals,
 * sharing no code with the fast path (engine/model). It replays **bucket inputs** (the SQL
 * aggregation's output as the fast path consumed it, or {@link exactBucketInputs} of raw
 * events), assembling them itself.
 *
 * State: virtual positions, one per (side, leverage, entry-price bucket, cumulative funding at
 * entry) — positions opened with the same four are the same position (their sizes add, which
 * is exact), and every UTC hour the positions are pruned by the fast path's documented rule
 * (engine/model's PRUNE_FRACTION: same-bucket positions merge, negligible ones go), written here
 * again in decimals, so months of buckets stay affordable. Sizes are kept as `base × factor`, with one
 * global `factor` carrying decay and proportional closes (exact: every size is multiplied by
 * the same decimal), and the pending notional of every price bucket is kept as a decimal sum
 * updated as positions change, so a snapshot costs its cells, not its positions.
 */

const ONE = new RD(1);
const ZERO = new RD(0);
const HALF = new RD('0.5');

interface Position {
  readonly key: string;
  readonly long: boolean;
  readonly leverage: number;
  readonly entry: RD;
  /** The entry price's bucket on the current grid (re-binned when the step changes). */
  entryIdx: number;
  /** The grid (its version) `entryIdx` is on. */
  grid: number;
  readonly fundingAtEntry: RD;
  /** lp = k × (a + cumulative funding): k = entry / (1 ∓ m), a = 1 ∓ 1/L ∓ c − funding at entry. */
  readonly k: RD;
  readonly a: RD;
  /** Size in base units ÷ the state's factor. */
  base: RD;
  /** Liquidation price under the funding paid so far, and its price bucket (null when ≤ 0). */
  lp: RD;
  idx: number | null;
}

interface Side {
  /** Price bucket → its positions (liquidation prices > 0 only). */
  readonly members: Map<number, Set<Position>>;
  /** Price bucket → Σ base × lp. */
  readonly levels: Map<number, RD>;
  /** Leverage → price bucket → Σ base × lp. */
  readonly byLeverage: Map<number, Map<number, RD>>;
  /** Entry bucket → Σ base × entry. */
  readonly oi: Map<number, RD>;
}

/** The model as an assembled bucket sees it (exact). */
interface Bar {
  readonly t: number;
  readonly high: RD;
  readonly low: RD;
  readonly close: RD;
  readonly vwap: RD;
  readonly buy: RD;
  readonly sell: RD;
  readonly oi: RD | null;
  readonly funding: RD | null;
  readonly realizedLong: RD;
  readonly realizedShort: RD;
}

/** Prune when a bucket opens a new UTC hour; below this share of its side's open notional a position goes. */
const PRUNE_PERIOD_MS = 3_600_000;
const PRUNE_FRACTION = new RD('1e-4');

const add = (m: Map<number, RD>, k: number, v: RD) => m.set(k, (m.get(k) ?? ZERO).add(v));

/**
 * Assembles inputs into bars in time order: trades give the bar; a candle stands in when a
 * bucket has none (VWAP = (h + l + c)/3, volume half buy, half sell); a mark price when there is
 * neither; funding, open interest and force orders of a bucket without a price carry to the next
 * priced one (funding and force orders add, the newer open interest wins).
 */
function* bars(inputs: Iterable<BucketInput>): Generator<Bar> {
  let funding: RD | null = null;
  let oi: RD | null = null;
  let liqLong = ZERO;
  let liqShort = ZERO;
  let lastT = -Infinity;
  for (const p of inputs) {
    if (p.t <= lastT) throw new Error(`reference engine: bucket inputs out of order at ${p.t}`);
    lastT = p.t;
    if (p.funding !== null) funding = (funding ?? ZERO).add(rd(p.funding));
    if (p.openInterest !== null) oi = rd(p.openInterest);
    if (p.liquidations) {
      liqLong = liqLong.add(rd(p.liquidations.long));
      liqShort = liqShort.add(rd(p.liquidations.short));
    }
    let bar: Omit<Bar, 't' | 'oi' | 'funding' | 'realizedLong' | 'realizedShort'> | null = null;
    if (p.trades) bar = { high: rd(p.trades.high), low: rd(p.trades.low), close: rd(p.trades.close), vwap: rd(p.trades.vwap), buy: rd(p.trades.buy), sell: rd(p.trades.sell) };
    else if (p.candle) {
      const h = rd(p.candle.high);
      const l = rd(p.candle.low);
      const c = rd(p.candle.close);
      const half = rd(p.candle.volume).mul(HALF);
      bar = { high: h, low: l, close: c, vwap: h.add(l).add(c).div(3), buy: half, sell: half };
    } else if (p.mark !== null) {
      const m = rd(p.mark);
      bar = { high: m, low: m, close: m, vwap: m, buy: ZERO, sell: ZERO };
    }
    if (!bar) continue;
    yield { t: p.t, ...bar, oi, funding, realizedLong: liqLong, realizedShort: liqShort };
    funding = null;
    oi = null;
    liqLong = ZERO;
    liqShort = ZERO;
  }
}

/** Options of {@link referenceModel}. */
export interface ReferenceOptions {
  /** Snapshot only the buckets this accepts (default: every bucket). The state advances through all of them. */
  readonly emit?: ((t: number) => boolean) | undefined;
  /** Stop after the bucket starting at this time (epoch ms). */
  readonly untilT?: number | undefined;
  /**
   * Which maps an emitted snapshot carries (default all): `levels` (long, short), `openInterest`
   * (oiLong, oiShort), `leverage` (by leverage). The others are left empty: converting every
   * cell of every map to a number is most of a snapshot's cost.
   */
  readonly layers?: readonly ('levels' | 'openInterest' | 'leverage')[] | undefined;
}

/** The reference model over bucket inputs (in time order): the levels at the end of each emitted bucket. */
export function referenceModel(inputs: Iterable<BucketInput>, params: ReferenceParams, opts: ReferenceOptions = {}): ReferenceSnapshot[] {
  const { rate: mmr, amountFraction: cum } = referenceMaintenance(params);
  const longDen = ONE.sub(mmr);
  const shortDen = ONE.add(mmr);
  const sides = { long: newSide(), short: newSide() };
  const positions = new Map<string, Position>();
  let factor = ONE;
  let step: RD | null = null;
  let invStep: RD | null = null;
  let day: number | null = null;
  // Bumped whenever the step changes: positions re-bin their entry bucket on it.
  let grid = 0;
  let lastT: number | null = null;
  let lastOi: RD | null = null;
  let seenOi = false;
  // Σ base over the positions (held open interest = Σ base × factor / 2).
  let baseTotal = ZERO;
  // Standing open interest still to be seeded (per side, base units) and when its window ends.
  let seedPending = ZERO;
  let seedUntil = 0;
  const width = params.timeBucketSeconds * 1000;
  let cumFunding = ZERO;
  // The funding skew's inputs: the last print, and the count and Σ squares of the prints.
  let lastFunding = ZERO;
  let fundingPrints = 0;
  let fundingSumSq = ZERO;
  const entryPoints = params.entrySpreadPoints ?? 1;
  const spread = params.leverageSpread ?? 0;
  // The leverage prior: L/(1 + s), L, L(1 + s) at ¼, ½, ¼ (L itself where the spread leaves no margin).
  const mix: { leverage: number; weight: RD }[] = [];
  for (const { leverage, weight } of params.leverages) {
    if (!(spread > 0)) {
      mix.push({ leverage, weight: rd(weight) });
      continue;
    }
    for (const [lev, w] of [[rd(leverage).div(1 + spread).toSignificantDigits(6).toNumber(), '0.25'], [leverage, '0.5'], [rd(leverage).mul(1 + spread).toSignificantDigits(6).toNumber(), '0.25']] as const) {
      mix.push({ leverage: lev > 1 && 1 / lev > mmr.toNumber() ? lev : leverage, weight: rd(weight).mul(w) });
    }
  }
  const decay = new Map<number, RD>();
  const out: ReferenceSnapshot[] = [];

  // Long: E(1 − 1/L + F − c)/(1 − m); short: E(1 + 1/L + F + c)/(1 + m); F = funding paid since
  // entry = cumulative funding now − at entry. Written as k × (a + cumulative funding) so a
  // funding print costs one addition and one multiplication per position.
  const terms = (long: boolean, entry: RD, leverage: number, fundingAtEntry: RD): { k: RD; a: RD } => {
    const invL = ONE.div(leverage);
    return long ? { k: entry.div(longDen), a: ONE.sub(invL).sub(cum).sub(fundingAtEntry) } : { k: entry.div(shortDen), a: ONE.add(invL).add(cum).sub(fundingAtEntry) };
  };
  const liquidationPrice = (p: Position): RD => p.k.mul(p.a.add(cumFunding));
  const sideOf = (p: Position) => (p.long ? sides.long : sides.short);
  // Adds (sign 1) or takes away (−1) `base` of a position from its side's sums.
  const account = (p: Position, base: RD, sign: 1 | -1) => {
    if (p.idx === null) return;
    const s = sideOf(p);
    const notional = sign === 1 ? base.mul(p.lp) : base.mul(p.lp).neg();
    add(s.levels, p.idx, notional);
    let m = s.byLeverage.get(p.leverage);
    if (!m) s.byLeverage.set(p.leverage, (m = new Map()));
    add(m, p.idx, notional);
    add(s.oi, p.entryIdx, sign === 1 ? base.mul(p.entry) : base.mul(p.entry).neg());
  };
  const place = (p: Position) => {
    if (p.grid !== grid) {
      p.entryIdx = p.entry.mul(invStep!).floor().toNumber();
      p.grid = grid;
    }
    p.lp = liquidationPrice(p);
    p.idx = p.lp.gt(0) ? p.lp.mul(invStep!).floor().toNumber() : null;
    if (p.idx === null) return;
    const s = sideOf(p);
    let set = s.members.get(p.idx);
    if (!set) s.members.set(p.idx, (set = new Set()));
    set.add(p);
  };
  const drop = (p: Position) => {
    account(p, p.base, -1);
    baseTotal = baseTotal.sub(p.base);
    positions.delete(p.key);
    if (p.idx === null) return;
    const s = sideOf(p);
    const set = s.members.get(p.idx)!;
    set.delete(p);
    if (set.size === 0) {
      // Nothing liquidates here any more: the cell is empty, not a residue of subtractions.
      s.members.delete(p.idx);
      s.levels.delete(p.idx);
      for (const m of s.byLeverage.values()) m.delete(p.idx);
    }
  };
  const rebuild = () => {
    for (const s of [sides.long, sides.short]) {
      s.members.clear();
      s.levels.clear();
      s.byLeverage.clear();
      s.oi.clear();
    }
    for (const p of positions.values()) {
      place(p);
      account(p, p.base, 1);
    }
  };

  // Pruning, which bounds the positions: positions of one side, leverage and entry whose
  // liquidation prices share a price bucket merge (bases add, the funding at entry becomes the
  // base-weighted mean: lp is affine in it, so the cell's Σ base × lp stays what it was); then a
  // position whose base × entry is below PRUNE_FRACTION of its side's goes.
  const prune = () => {
    const total = { long: ZERO, short: ZERO };
    const groups = new Map<string, Position[]>();
    for (const p of positions.values()) {
      const n = p.base.mul(p.entry);
      if (p.long) total.long = total.long.add(n);
      else total.short = total.short.add(n);
      const g = `${p.long ? 'L' : 'S'}|${p.leverage}|${p.entry.toString()}|${p.idx ?? 'x'}`;
      const list = groups.get(g);
      if (list) list.push(p);
      else groups.set(g, [p]);
    }
    positions.clear();
    for (const [g, list] of groups) {
      let p = list[0]!;
      if (list.length > 1) {
        let base = ZERO;
        let funding = ZERO;
        for (const x of list) {
          base = base.add(x.base);
          funding = funding.add(x.base.mul(x.fundingAtEntry));
        }
        const fundingAtEntry = funding.div(base);
        p = { ...p, key: `${g}|m${fundingAtEntry.toString()}`, fundingAtEntry, ...terms(p.long, p.entry, p.leverage, fundingAtEntry), base };
      }
      if (p.base.mul(p.entry).lt(PRUNE_FRACTION.mul(p.long ? total.long : total.short))) {
        baseTotal = baseTotal.sub(p.base);
        continue;
      }
      positions.set(p.key, p);
    }
    rebuild();
  };

  for (const b of bars(inputs)) {
    if (opts.untilT !== undefined && b.t > opts.untilT) break;
    // 0. the grid follows the price: each UTC day takes its step from its first close, and the
    // standing positions are re-binned on it
    if (day !== Math.floor(b.t / 86_400_000)) {
      day = Math.floor(b.t / 86_400_000);
      const next = referencePriceStep(b.close, params.priceBucketFraction);
      const changed = step !== null && !next.eq(step);
      step = next;
      // 1, 2 or 5 × 10ᵏ: its inverse is exact, so lp × invStep is lp / step.
      invStep = ONE.div(step);
      if (changed) {
        grid++;
        rebuild();
      }
    }
    const gap = lastT === null ? Infinity : b.t - lastT;
    const pruneDue = lastT !== null && Math.floor(b.t / PRUNE_PERIOD_MS) !== Math.floor(lastT / PRUNE_PERIOD_MS);
    // 1. decay: every size × 0.5^(Δt / half-life)
    if (params.halfLifeHours > 0 && lastT !== null) {
      const dt = b.t - lastT;
      let k = decay.get(dt);
      if (!k) decay.set(dt, (k = HALF.pow(new RD(dt).div(3_600_000).div(params.halfLifeHours))));
      factor = factor.mul(k);
    }
    lastT = b.t;
    // 2. funding moves every liquidation price
    if (b.funding) {
      lastFunding = b.funding;
      fundingPrints++;
      fundingSumSq = fundingSumSq.add(b.funding.mul(b.funding));
    }
    if (b.funding && params.fundingAdjusted && !b.funding.isZero()) {
      cumFunding = cumFunding.add(b.funding);
      rebuild();
    }
    // 2b. the first bucket of each UTC hour prunes the positions
    if (pruneDue) prune();
    // 3. liquidations: a long at or above the low, a short at or below the high
    let liqLong = ZERO;
    let liqShort = ZERO;
    const lowIdx = referencePriceIndex(b.low, step!);
    const highIdx = referencePriceIndex(b.high, step!);
    for (const long of [true, false]) {
      const s = long ? sides.long : sides.short;
      const hit: Position[] = [];
      for (const [idx, set] of s.members) {
        if (long ? idx < lowIdx : idx > highIdx) continue;
        for (const p of set) if (long ? b.low.lte(p.lp) : b.high.gte(p.lp)) hit.push(p);
      }
      for (const p of hit) {
        const n = p.base.mul(factor).mul(p.lp);
        if (long) liqLong = liqLong.add(n);
        else liqShort = liqShort.add(n);
        drop(p);
      }
    }
    // 3b. realized force orders beyond the crossed levels remove the levels nearest the price
    for (const long of [true, false]) {
      let excess = (long ? b.realizedLong : b.realizedShort).sub(long ? liqLong : liqShort);
      if (excess.lte(0)) continue;
      const s = long ? sides.long : sides.short;
      // Nearest the price first: cells from the top down for longs (bottom up for shorts), and
      // inside a cell by liquidation price.
      const cells = [...s.members.keys()].sort((x, y) => (long ? y - x : x - y));
      const nearest = function* () {
        for (const idx of cells) yield* [...s.members.get(idx)!].sort((x, y) => (long ? y.lp.cmp(x.lp) : x.lp.cmp(y.lp)));
      };
      let removed = ZERO;
      for (const p of nearest()) {
        if (excess.lte(0)) break;
        const notional = p.base.mul(factor).mul(p.lp);
        if (notional.lte(excess)) {
          excess = excess.sub(notional);
          removed = removed.add(notional);
          drop(p);
        } else {
          const cut = excess.div(factor.mul(p.lp));
          account(p, cut, -1);
          p.base = p.base.sub(cut);
          baseTotal = baseTotal.sub(cut);
          removed = removed.add(excess);
          excess = ZERO;
        }
      }
      if (long) liqLong = liqLong.add(removed);
      else liqShort = liqShort.add(removed);
    }
    // 4. open interest. With snapshots the positions hold the real open interest: a decrease
    // closes (OI₀ − OI₁)/OI₀ of every position (and of what is still to be seeded); what they
    // then lack opens at the VWAP, except at the first snapshot or the first after more than a
    // day without data, when it is the interest standing then, seeded over the warm-up window.
    // Without snapshots, volume × participation opens.
    let delta = ZERO;
    let seed = false;
    if (b.oi) {
      if (seenOi && lastOi && lastOi.gt(0) && b.oi.lt(lastOi)) {
        const keep = b.oi.div(lastOi);
        seedPending = seedPending.mul(keep);
        if (keep.isZero()) {
          positions.clear();
          baseTotal = ZERO;
          factor = ONE;
          rebuild();
        } else factor = factor.mul(keep);
      }
      const shortfall = b.oi.sub(baseTotal.mul(factor).div(2)).sub(seedPending);
      if (shortfall.gt(b.oi.mul('1e-9'))) {
        seed = !seenOi || gap > 86_400_000;
        delta = shortfall;
      }
      seenOi = true;
      lastOi = b.oi;
    } else if (!seenOi) delta = b.buy.add(b.sell).mul(params.participation);
    const open = (longQty: RD, shortQty: RD) => {
      // The entry prior: the VWAP, or `entryPoints` prices evenly over low..high, equal shares.
      const entries = entryPoints <= 1 || !b.high.gt(b.low) ? [{ price: b.vwap, share: ONE }] : Array.from({ length: entryPoints }, (_, k) => ({ price: b.low.add(b.high.sub(b.low).mul(k + 0.5).div(entryPoints)), share: ONE.div(entryPoints) }));
      for (const { price, share } of entries) {
        const entryIdx = price.div(step!).toDecimalPlaces(0, RD.ROUND_HALF_UP).toNumber();
        const entry = step!.mul(entryIdx);
        for (const { leverage, weight } of mix) {
          for (const long of [true, false]) {
            const size = (long ? longQty : shortQty).mul(weight).mul(share);
            if (size.lte(0)) continue;
            const key = `${long ? 'L' : 'S'}|${leverage}|${entry.toString()}|${cumFunding.toString()}`;
            let p = positions.get(key);
            if (!p) {
              p = { key, long, leverage, entry, entryIdx, grid, fundingAtEntry: cumFunding, ...terms(long, entry, leverage, cumFunding), base: ZERO, lp: ZERO, idx: null };
              positions.set(key, p);
              place(p);
            }
            const base = size.div(factor);
            p.base = p.base.add(base);
            baseTotal = baseTotal.add(base);
            account(p, base, 1);
          }
        }
      }
    };
    if (seed) {
      seedPending = seedPending.add(delta);
      seedUntil = b.t + params.seedWarmupHours * 3_600_000;
    } else if (delta.gt(0)) {
      const flow = b.buy.add(b.sell);
      const imbalance = flow.gt(0) ? b.buy.sub(b.sell).div(flow) : ZERO;
      // Funding as the long/short skew: tanh(last print / RMS of the prints).
      const skew = fundingPrints > 0 && fundingSumSq.gt(0) ? lastFunding.div(fundingSumSq.div(fundingPrints).sqrt()).tanh() : ZERO;
      const tilt = HALF.add(HALF.mul(params.imbalanceWeight).mul(imbalance)).add(HALF.mul(params.fundingSkewWeight ?? 0).mul(skew));
      const longShare = RD.min(ONE, RD.max(ZERO, tilt));
      // OI counts one side: Δ opens Δ of longs and Δ of shorts, tilted by flow.
      open(delta.mul(2).mul(longShare), delta.mul(2).mul(ONE.sub(longShare)));
    }
    // 4b. seeding: (what is left) × width / (time left) of the warm-up window, at this VWAP
    if (seedPending.gt(0)) {
      const left = seedUntil - b.t;
      const q = left <= width ? seedPending : seedPending.mul(width).div(left);
      seedPending = seedPending.sub(q);
      open(q, q);
    }
    // 5. snapshot
    if (opts.emit && !opts.emit(b.t)) continue;
    // Numbers only here, at the end: the cell's exact sum to a float, times the factor as a float
    // (two roundings, ~1e-16 relative) while the factor is a normal float; exactly otherwise.
    const f = factor.toNumber();
    const num = (m: Map<number, RD>) => {
      const r = new Map<number, number>();
      for (const [k, v] of m) {
        const x = f > 1e-200 ? v.toNumber() * f : v.mul(factor).toNumber();
        if (x !== 0) r.set(k, x);
      }
      return r;
    };
    const numLev = (m: Map<number, Map<number, RD>>) => new Map([...m].map(([k, v]) => [k, num(v)]));
    const layer = (l: 'levels' | 'openInterest' | 'leverage') => !opts.layers || opts.layers.includes(l);
    const none = new Map<number, number>();
    const levelSpread = params.levelSpread ?? 0;
    if (levelSpread > 0 && (layer('levels') || layer('leverage'))) {
      // The served levels are the spread layers and their sums (the positions stay sharp).
      const l = referenceSpreadSide(numLev(sides.long.byLeverage), true, b.close, step!, levelSpread);
      const s = referenceSpreadSide(numLev(sides.short.byLeverage), false, b.close, step!, levelSpread);
      out.push({
        t: b.t,
        price: b.close.toNumber(),
        priceStep: step!.toNumber(),
        long: layer('levels') ? l.levels : none,
        short: layer('levels') ? s.levels : none,
        oiLong: layer('openInterest') ? num(sides.long.oi) : none,
        oiShort: layer('openInterest') ? num(sides.short.oi) : none,
        longByLeverage: layer('leverage') ? l.byLeverage : new Map(),
        shortByLeverage: layer('leverage') ? s.byLeverage : new Map(),
        liquidatedLong: liqLong.toNumber(),
        liquidatedShort: liqShort.toNumber(),
      });
      continue;
    }
    out.push({
      t: b.t,
      price: b.close.toNumber(),
      priceStep: step!.toNumber(),
      long: layer('levels') ? num(sides.long.levels) : none,
      short: layer('levels') ? num(sides.short.levels) : none,
      oiLong: layer('openInterest') ? num(sides.long.oi) : none,
      oiShort: layer('openInterest') ? num(sides.short.oi) : none,
      longByLeverage: layer('leverage') ? numLev(sides.long.byLeverage) : new Map(),
      shortByLeverage: layer('leverage') ? numLev(sides.short.byLeverage) : new Map(),
      liquidatedLong: liqLong.toNumber(),
      liquidatedShort: liqShort.toNumber(),
    });
  }
  return out;
}

function newSide(): Side {
  return { members: new Map(), levels: new Map(), byLeverage: new Map(), oi: new Map() };
}

/** Raw events (decimal text, time order) through the exact aggregation and the reference model. */
export function referenceReplay(events: readonly RawEvent[], params: ReferenceParams, opts: ReferenceOptions = {}): ReferenceSnapshot[] {
  return referenceModel(exactBucketInputs(events, params.timeBucketSeconds), params, opts);
}

export type { Exact };
