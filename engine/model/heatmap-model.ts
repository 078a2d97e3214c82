import type { ModelParams } from './params.js';
import type { LevelSnapshot, MarketBucket } from './types.js';
import type { DenseLevels } from './dense-levels.js';
import { gridPeriod, niceStep, priceIndex } from './price-grid.js';
import { SideIndex, snapshotSides, type Cohort, type SideJson, type SnapshotSides } from './side-index.js';
import { quantumExponent } from './spread-cells.js';
import { spreadSide } from './level-spread.js';

/**
 * The model's state. Cohorts are the truth; the per-side indexes are derived from them (and
 * rebuilt after a funding print moves every level). Serialise with {@link serializeModelState}.
 */
export interface ModelState {
  readonly params: ModelParams;
  priceStep: number | null;
  /** Grid period (UTC day) the step was chosen in. */
  gridPeriod: number | null;
  lastT: number | null;
  /** Last real open-interest snapshot, base units (one side). */
  lastOi: number | null;
  seenOi: boolean;
  /** Standing open interest not yet placed (per side, base units, real: not under `scale`). */
  seedPending: number;
  /** When the seeding warm-up ends, epoch ms. */
  seedUntil: number | null;
  cumFunding: number;
  /** Last funding rate printed, and the count and Σ squares of the prints (the funding skew's scale). */
  lastFundingRate: number;
  fundingPrints: number;
  fundingSumSq: number;
  /** Global multiplier on every cohort size (decay and proportional closes apply here). */
  scale: number;
  /** Σ cohort sizes (unscaled), base units. */
  totalSize: number;
  /** Cohorts merged so far (numbers the merged cohorts' keys). */
  merges: number;
  readonly cohorts: Map<string, Cohort>;
  readonly long: SideIndex;
  readonly short: SideIndex;
}

function emptySide(): SideIndex {
  return new SideIndex();
}

/** A fresh state for a market. */
export function createModelState(params: ModelParams): ModelState {
  return { params, priceStep: null, gridPeriod: null, lastT: null, lastOi: null, seenOi: false, seedPending: 0, seedUntil: null, cumFunding: 0, lastFundingRate: 0, fundingPrints: 0, fundingSumSq: 0, scale: 1, totalSize: 0, merges: 0, cohorts: new Map(), long: emptySide(), short: emptySide() };
}

/**
 * Serialises a state for a checkpoint: the cohorts and the per-side indexes as they are, so a
 * run resumed from it (a live market's next bucket) continues bit for bit as an uninterrupted
 * run would (rebuilding the indexes sums in another order and drops negligible cohorts).
 */
export function serializeModelState(s: ModelState): string {
  const { cohorts, long, short, ...rest } = s;
  return JSON.stringify({ ...rest, cohorts: [...cohorts.values()], sides: { long: long.toJson(), short: short.toJson() } });
}

/** Reads a checkpointed state back. */
export function deserializeModelState(json: string): ModelState {
  const { sides, ...raw } = JSON.parse(json) as Omit<ModelState, 'cohorts' | 'long' | 'short'> & { cohorts: Cohort[]; sides?: { long: SideJson; short: SideJson } };
  // Checkpoints from before the funding skew lack its running figures: they start afresh.
  const base = { ...({ lastFundingRate: 0, fundingPrints: 0, fundingSumSq: 0, merges: 0 } as const), ...raw, cohorts: new Map(raw.cohorts.map((c) => [c.key, c])) };
  if (sides) return { ...base, long: SideIndex.fromJson(sides.long, base.cohorts), short: SideIndex.fromJson(sides.short, base.cohorts) };
  // Checkpoints written without their indexes: rebuilt from the cohorts.
  const s: ModelState = { ...base, long: emptySide(), short: emptySide() };
  rebuild(s);
  return s;
}

/**
 * Liquidation price of a cohort (isolated, linear, tiered maintenance MM = N·m − cum): a long's
 * equity per unit, E/L + (P − E) − F·E, meets P·m − c·E at P = E(1 − 1/L + F − c)/(1 − m); a
 * short's, E/L + (E − P) + F·E, at P = E(1 + 1/L + F + c)/(1 + m). F is the funding rate
 * accumulated since entry (longs pay when positive), c = cum / entry notional.
 */
export function cohortLiquidationPrice(long: boolean, entry: number, lev: number, funding: number, mmr: number, c = 0): number {
  return long ? (entry * (1 - 1 / lev + funding - c)) / (1 - mmr) : (entry * (1 + 1 / lev + funding + c)) / (1 + mmr);
}

/** Adds (sign +1) or removes (−1) `size` of a cohort to its side's indexes. */
function account(s: ModelState, c: Cohort, size: number, sign: 1 | -1): void {
  (c.long ? s.long : s.short).account(c, size, sign);
}

function link(s: ModelState, c: Cohort): void {
  (c.long ? s.long : s.short).link(c);
}

function unlink(s: ModelState, c: Cohort): void {
  (c.long ? s.long : s.short).unlink(c);
}

/**
 * Cohorts decayed below this share of the open notional are dropped when the indexes are
 * rebuilt: each is far under the 1e-9-of-total agreement tolerance, and without it a year of
 * hourly buckets would carry every cohort ever opened.
 */
const NEGLIGIBLE = 1e-13;

/**
 * Cohort pruning keeps the state bounded however long a market's history; both engines apply it
 * at the same moments (the first bucket of every UTC hour, after funding), so they still agree.
 * 1. Merge: cohorts of one side, leverage and entry price whose liquidation prices share a price
 *    bucket become one. Sizes add; the funding at entry is the size-weighted mean, so the cell's
 *    Σ size × liquidation price is unchanged now and under any later funding (the price is
 *    affine in it); what changes is that the merged cohort liquidates at one price inside the cell.
 * 2. Drop: a cohort whose open notional (size × entry) is below `PRUNE_FRACTION` of its side's
 *    is removed, so a side holds at most 1 / PRUNE_FRACTION cohorts after a prune. The open
 *    interest it held is reopened at the price by the next snapshot's shortfall, as a decayed
 *    position's is. Measured on a simulated month: ~2% of the open notional a day, against the
 *    ~29% a day the default 48-hour half-life decays.
 */
export const PRUNE_FRACTION = 1e-4;
/** Key prefix of merged cohorts (an opening's key starts with its side, `L` or `S`). */
const MERGED = '#';

/** How often the cohorts are pruned (bucket time, so a resumed run prunes where an uninterrupted one does). */
export const PRUNE_PERIOD_MS = 3_600_000;

/**
 * The level spread is kept in step with the cells (spread-cells.ts) when at least this many
 * buckets fall in a prune period, and spread afresh each bucket otherwise: with hour buckets every
 * bucket prunes and the price moves most layers' widths, so the incremental form re-spreads most
 * layers anyway, at about 3× the cost of spreadSide's float passes (a year of hourly Bybit ETH:
 * 27.6 s against 6.8 s); with minute buckets it is the faster (see README, level spread). Both
 * give the same levels to within 1e-9 of a side's largest (test/engine/spread-cells.test.ts), and
 * each is a function of the params, so a resumed run takes the path the uninterrupted one did.
 */
const INCREMENTAL_BUCKETS = 12;

/** A shortfall below this share of the open interest is float noise, not an opening. */
const SHORTFALL_TOLERANCE = 1e-9;

/** A bucket this long after the previous one (a gap in the data) seeds the standing interest afresh. */
const RESEED_GAP_MS = 86_400_000;

/** Recomputes every liquidation price and the derived indexes (after a funding print), dropping negligible cohorts. */
function rebuild(s: ModelState): void {
  const mmr = s.params.maintenanceMarginRate;
  let open = 0;
  for (const c of s.cohorts.values()) open += c.size * c.entry;
  for (const c of [...s.cohorts.values()]) {
    if (c.size * c.entry < open * NEGLIGIBLE) {
      s.cohorts.delete(c.key);
      s.totalSize -= c.size;
    }
  }
  s.long.clear();
  s.short.clear();
  const range = { long: [Infinity, -Infinity, Infinity, -Infinity], short: [Infinity, -Infinity, Infinity, -Infinity] };
  for (const c of s.cohorts.values()) {
    c.lp = cohortLiquidationPrice(c.long, c.entry, c.lev, s.cumFunding - c.fundingAtEntry, mmr, s.params.maintenanceAmountFraction);
    c.idx = c.lp > 0 && s.priceStep ? priceIndex(c.lp, s.priceStep) : 0;
    if (s.priceStep) c.entryIdx = priceIndex(c.entry, s.priceStep);
    if (!(c.lp > 0)) continue;
    const r = c.long ? range.long : range.short;
    r[0] = Math.min(r[0]!, c.idx);
    r[1] = Math.max(r[1]!, c.idx);
    r[2] = Math.min(r[2]!, c.entryIdx);
    r[3] = Math.max(r[3]!, c.entryIdx);
  }
  // The whole range reserved once, not grown cohort by cohort.
  for (const [side, r] of [[s.long, range.long], [s.short, range.short]] as const) {
    if (r[0]! <= r[1]!) side.reserve(r[0]!, r[1]!);
    if (r[2]! <= r[3]!) side.reserveEntries(r[2]!, r[3]!);
  }
  for (const c of s.cohorts.values()) {
    link(s, c);
    account(s, c, c.size, 1);
  }
}

/**
 * Merges cohorts whose levels share a price bucket and drops negligible ones (see
 * {@link PRUNE_FRACTION}). The indexes are updated in place for the cohorts merged or dropped
 * only: a full rebuild every hour cost a year of hourly buckets ~70% of its compute (every
 * bucket prunes there), and the cohorts left alone keep their levels exactly.
 */
function prune(s: ModelState): void {
  let totalLong = 0;
  let totalShort = 0;
  // Cohorts with a level share a group only inside one price bucket: the groups are found
  // among each bucket's members (a few), not by hashing every cohort (the garbage and most of
  // the time of a year of hourly prunes). Cohorts without a level (lp ≤ 0) group by key.
  const groups: Cohort[][] = [];
  let levelless: Map<string, Cohort[]> | null = null;
  for (const c of s.cohorts.values()) {
    if (c.long) totalLong += c.size * c.entry;
    else totalShort += c.size * c.entry;
    if (c.lp > 0) continue;
    const g = `${c.long ? 'L' : 'S'}|${c.lev}|${c.entry}`;
    const list = (levelless ??= new Map()).get(g);
    if (list) list.push(c);
    else levelless.set(g, [c]);
  }
  if (levelless) for (const list of levelless.values()) if (list.length > 1) groups.push(list);
  s.long.crowded(groups);
  s.short.crowded(groups);
  const mmr = s.params.maintenanceMarginRate;
  for (const list of groups) {
    // Merged into the group's first cohort, in place: its key is an opening's (side, leverage,
    // step, entry, funding epoch, which later openings of that epoch must not add to) unless it
    // is a merged one already, so it gets a merged cohort's key, a count no opening key has.
    const c = list[0]!;
    let size = 0;
    let funding = 0;
    for (const x of list) {
      size += x.size;
      funding += x.size * x.fundingAtEntry;
      account(s, x, x.size, -1);
      unlink(s, x);
      if (x !== c) s.cohorts.delete(x.key);
    }
    c.fundingAtEntry = funding / size;
    c.size = size;
    c.lp = cohortLiquidationPrice(c.long, c.entry, c.lev, s.cumFunding - c.fundingAtEntry, mmr, s.params.maintenanceAmountFraction);
    c.idx = c.lp > 0 && s.priceStep ? priceIndex(c.lp, s.priceStep) : 0;
    if (!c.key.startsWith(MERGED)) {
      s.cohorts.delete(c.key);
      c.key = `${MERGED}${s.merges++}`;
      s.cohorts.set(c.key, c);
    }
    link(s, c);
    account(s, c, c.size, 1);
  }
  let open = 0;
  let smallest = Infinity;
  for (const c of s.cohorts.values()) {
    const n = c.size * c.entry;
    if (n < PRUNE_FRACTION * (c.long ? totalLong : totalShort)) remove(s, c);
    else {
      open += n;
      if (n < smallest) smallest = n;
    }
  }
  // The rule a rebuild applies: cohorts under NEGLIGIBLE of the open notional go (only a side
  // almost empty beside the other can hold one after the rule above).
  if (smallest < open * NEGLIGIBLE) for (const c of s.cohorts.values()) if (c.size * c.entry < open * NEGLIGIBLE) remove(s, c);
}

function remove(s: ModelState, c: Cohort): void {
  account(s, c, c.size, -1);
  unlink(s, c);
  s.cohorts.delete(c.key);
  s.totalSize -= c.size;
}


/**
 * Advances the state by one bucket (buckets must come in time order) and returns the levels
 * at its end. Steps, in order: the grid (a new UTC day re-chooses the price step from its first
 * close and re-bins every level); decay; funding; liquidations (a long level at or above the
 * bucket's low, a short level at or below its high, is gone; then realized force orders);
 * open-interest change (with snapshots the model holds the real open interest: a decrease of Δ
 * closes Δ / (open interest) of every cohort, a shortfall opens cohorts at the VWAP split by taker
 * imbalance and the leverage mix, and the first snapshot's — or the first after a gap of more than
 * a day — is seeded over the warm-up window; without, volume × participation opens); the snapshot.
 */
export function stepModel(state: ModelState, b: MarketBucket): LevelSnapshot {
  const p = state.params;
  // The grid follows the price: its step is chosen afresh from the first close of each UTC day.
  let regrid = false;
  if (state.gridPeriod !== gridPeriod(b.t)) {
    state.gridPeriod = gridPeriod(b.t);
    const next = niceStep(b.close, p.priceBucketFraction);
    regrid = state.priceStep !== null && next !== state.priceStep;
    state.priceStep = next;
  }
  const step = state.priceStep!;

  const gap = state.lastT === null ? Infinity : b.t - state.lastT;
  const pruneDue = state.lastT !== null && Math.floor(b.t / PRUNE_PERIOD_MS) !== Math.floor(state.lastT / PRUNE_PERIOD_MS);
  if (p.halfLifeHours > 0 && state.lastT !== null) {
    state.scale *= 0.5 ** ((b.t - state.lastT) / 3_600_000 / p.halfLifeHours);
  }
  state.lastT = b.t;
  if (b.fundingRate !== null) {
    state.lastFundingRate = b.fundingRate;
    state.fundingPrints++;
    state.fundingSumSq += b.fundingRate * b.fundingRate;
  }
  if (b.fundingRate !== null && p.fundingAdjusted && b.fundingRate !== 0) {
    state.cumFunding += b.fundingRate;
    rebuild(state);
  } else if (regrid) {
    rebuild(state);
  }
  if (pruneDue) prune(state);

  // Only price buckets at or beyond the bucket's range can hold crossed levels.
  let liquidatedLong = 0;
  let liquidatedShort = 0;
  const lowIdx = priceIndex(b.low, step) - 1;
  const highIdx = priceIndex(b.high, step) + 1;
  for (const long of [true, false]) {
    const side = long ? state.long : state.short;
    const hit: Cohort[] = [];
    for (const c of long ? side.cohortsBetween(lowIdx, Infinity) : side.cohortsBetween(-Infinity, highIdx)) {
      if (long ? b.low <= c.lp : b.high >= c.lp) hit.push(c);
    }
    for (const c of hit) {
      const notional = c.size * state.scale * c.lp;
      if (long) liquidatedLong += notional;
      else liquidatedShort += notional;
      remove(state, c);
    }
  }

  // Realized force orders beyond what the crossed levels account for remove the levels
  // nearest the price (on the liquidated side) up to their notional.
  for (const long of [true, false]) {
    let excess = (long ? b.realizedLong : b.realizedShort) - (long ? liquidatedLong : liquidatedShort);
    if (!(excess > 0)) continue;
    const side = long ? state.long : state.short;
    const { min, max } = side.bounds();
    let removed = 0;
    for (let idx = long ? max : min; long ? idx >= min : idx <= max; idx += long ? -1 : 1) {
      const cs = [...side.bucket(idx)].sort((x, y) => (long ? y.lp - x.lp : x.lp - y.lp) || (x.key < y.key ? -1 : 1));
      for (const c of cs) {
        const notional = c.size * state.scale * c.lp;
        if (notional <= excess) {
          excess -= notional;
          removed += notional;
          remove(state, c);
        } else {
          removed += excess;
          if (notional - excess <= notional * 1e-12) {
            remove(state, c); // float dust: the reference removes it exactly
          } else {
            const cut = excess / (state.scale * c.lp);
            account(state, c, cut, -1);
            c.size -= cut;
            state.totalSize -= cut;
          }
          excess = 0;
          break;
        }
      }
      if (excess <= 0) break;
    }
    if (long) liquidatedLong += removed;
    else liquidatedShort += removed;
  }

  // Open-interest change. With snapshots the model holds the real open interest: a decrease
  // of Δ closes Δ / (open interest) of every level; what it then lacks (an increase, decayed or
  // liquidated positions replaced) opens at the VWAP; at the first snapshot, or after a gap in
  // the data, the shortfall is the standing interest and is seeded over the warm-up window.
  let delta = 0;
  let seed = false;
  if (b.openInterest !== null) {
    const oi = b.openInterest;
    if (state.seenOi && state.lastOi! > 0 && oi < state.lastOi!) {
      const keep = Math.max(0, oi / state.lastOi!);
      state.scale *= keep;
      state.seedPending *= keep;
    }
    const shortfall = oi - (state.totalSize * state.scale) / 2 - state.seedPending;
    if (shortfall > oi * SHORTFALL_TOLERANCE) {
      seed = !state.seenOi || gap > RESEED_GAP_MS;
      delta = shortfall;
    }
    state.seenOi = true;
    state.lastOi = oi;
  } else if (!state.seenOi) delta = (b.buyVolume + b.sellVolume) * p.participation;
  if (seed) {
    state.seedPending += delta;
    state.seedUntil = b.t + p.seedWarmupHours * 3_600_000;
  } else if (delta > 0) {
    const flow = b.buyVolume + b.sellVolume;
    const imbalance = flow > 0 ? (b.buyVolume - b.sellVolume) / flow : 0;
    const longShare = Math.min(1, Math.max(0, 0.5 + 0.5 * p.imbalanceWeight * imbalance + 0.5 * p.fundingSkewWeight * fundingSkew(state)));
    // OI counts one side: an increase of Δ opens Δ of longs and Δ of shorts, tilted by flow.
    open(state, b, step, delta * 2 * longShare, delta * 2 * (1 - longShare));
  }
  if (state.seedPending > 0 && state.seedUntil !== null) {
    // Seeding: the standing interest is placed time-uniformly over the warm-up window.
    const left = state.seedUntil - b.t;
    const width = p.timeBucketSeconds * 1000;
    const q = left <= width ? state.seedPending : (state.seedPending * width) / left;
    state.seedPending = left <= width ? 0 : state.seedPending - q;
    open(state, b, step, q, q);
  }
  // Keep the multiplier in range: fold it into the sizes once it gets small.
  if (state.scale < 1e-100) {
    for (const c of state.cohorts.values()) c.size *= state.scale;
    state.totalSize *= state.scale;
    state.scale = 1;
    rebuild(state);
  }
  // Served levels only are spread (the state stays sharp): kept in step with the sharp cells
  // (spread-cells.ts) with short buckets, spread afresh with long ones (see INCREMENTAL_BUCKETS).
  const incremental = p.levelSpread > 0 && p.timeBucketSeconds * 1000 * INCREMENTAL_BUCKETS <= PRUNE_PERIOD_MS;
  const d = snapshotSides(state.long, state.short, state.scale, incremental ? { price: b.close, step, spread: p.levelSpread, quantum: quantumExponent(state.totalSize * step), at: priceIndex(b.close, step) } : null);
  if (p.levelSpread > 0 && !incremental) {
    const l = spreadSide(d.longByLeverage, true, b.close, step, p.levelSpread);
    const s = spreadSide(d.shortByLeverage, false, b.close, step, p.levelSpread);
    d.long = l.levels;
    d.longByLeverage = l.byLeverage;
    d.short = s.levels;
    d.shortByLeverage = s.byLeverage;
  }
  return new Snapshot(b.t, b.close, step, d, liquidatedLong, liquidatedShort);
}

/**
 * The state's sharp levels per leverage, at its scale: what the served levels spread (spreadSide
 * of these at the bucket's close is what a snapshot serves, to within rounding: see spread-cells.ts).
 */
export function sharpLayers(state: ModelState): { long: Map<number, DenseLevels>; short: Map<number, DenseLevels> } {
  const d = snapshotSides(state.long, state.short, state.scale);
  return { long: d.longByLeverage, short: d.shortByLeverage };
}

/**
 * A bucket's snapshot, built by a constructor rather than as an object literal: V8 pretenures a
 * literal's allocation site once its objects survive (runModel keeps every snapshot), and a
 * stepping loop's dropped snapshots then land in the old generation, holding their young level
 * arrays alive through every scavenge until a mark-compact. In the model bench (after its runs
 * that keep snapshots) that made 30 days of minute buckets 4.4-7.3 s instead of 2.1-2.3 s.
 */
class Snapshot implements LevelSnapshot {
  readonly long: LevelSnapshot['long'];
  readonly oiLong: LevelSnapshot['oiLong'];
  readonly short: LevelSnapshot['short'];
  readonly oiShort: LevelSnapshot['oiShort'];
  readonly longByLeverage: LevelSnapshot['longByLeverage'];
  readonly shortByLeverage: LevelSnapshot['shortByLeverage'];

  constructor(
    readonly t: number,
    readonly price: number,
    readonly priceStep: number,
    d: SnapshotSides,
    readonly liquidatedLong: number,
    readonly liquidatedShort: number,
  ) {
    this.long = d.long;
    this.oiLong = d.oiLong;
    this.short = d.short;
    this.oiShort = d.oiShort;
    this.longByLeverage = d.longByLeverage;
    this.shortByLeverage = d.shortByLeverage;
  }
}

/**
 * Long/short skew implied by funding, −1..1: tanh of the last rate over the RMS of the rates
 * seen (scale-free, so an hourly venue's small rates tilt as much as an 8-hourly venue's).
 */
function fundingSkew(s: ModelState): number {
  if (s.fundingPrints === 0 || !(s.fundingSumSq > 0)) return 0;
  return Math.tanh(s.lastFundingRate / Math.sqrt(s.fundingSumSq / s.fundingPrints));
}

/** The entry prices of a bucket's new positions, each with its share (see `entrySpreadPoints`). */
function entryPrices(p: ModelParams, b: MarketBucket): { price: number; share: number }[] {
  const n = p.entrySpreadPoints;
  if (n <= 1 || !(b.high > b.low)) return [{ price: b.vwap, share: 1 }];
  return Array.from({ length: n }, (_, k) => ({ price: b.low + ((k + 0.5) / n) * (b.high - b.low), share: 1 / n }));
}

/** The leverages of the mix, each spread by `leverageSpread` (weights ¼, ½, ¼), keeping margin above maintenance. */
function leverageMix(p: ModelParams): { leverage: number; weight: number }[] {
  const s = p.leverageSpread;
  if (!(s > 0)) return p.leverages.map((l) => ({ leverage: l.leverage, weight: l.weight }));
  const out: { leverage: number; weight: number }[] = [];
  for (const { leverage, weight } of p.leverages) {
    // Six significant digits: 10/1.2 as a float (8.333…34) is not a decimal the exact engine can
    // meet at a bucket edge, 8.33333 is.
    for (const [lev, w] of [[Number((leverage / (1 + s)).toPrecision(6)), 0.25], [leverage, 0.5], [Number((leverage * (1 + s)).toPrecision(6)), 0.25]] as const) {
      const ok = lev > 1 && 1 / lev > p.maintenanceMarginRate;
      out.push({ leverage: ok ? lev : leverage, weight: weight * w });
    }
  }
  return out;
}

/** Opens `longQty` and `shortQty` (base units) at the bucket's entry prices, each split over the leverage mix. */
function open(state: ModelState, b: MarketBucket, step: number, longQty: number, shortQty: number): void {
  const p = state.params;
  const mix = leverageMix(p);
  for (const { price, share } of entryPrices(p, b)) {
    // Half up, as the exact reference does: a decimal tie must not fall either way by float noise.
    const entryIdx = Math.floor(price / step + 0.5 + 1e-9);
    const entry = entryIdx * step;
    for (const { leverage, weight } of mix) {
      for (const long of [true, false]) {
        const size = ((long ? longQty : shortQty) * weight * share) / state.scale;
        if (!(size > 0)) continue;
        const key = `${long ? 'L' : 'S'}|${leverage}|${step}|${entryIdx}|${state.cumFunding}`;
        let c = state.cohorts.get(key);
        if (!c) {
          const lp = cohortLiquidationPrice(long, entry, leverage, 0, p.maintenanceMarginRate, p.maintenanceAmountFraction);
          c = { key, long, lev: leverage, entry, entryIdx, fundingAtEntry: state.cumFunding, size: 0, lp, idx: lp > 0 ? priceIndex(lp, step) : 0 };
          state.cohorts.set(key, c);
          link(state, c);
        }
        c.size += size;
        account(state, c, size, 1);
        state.totalSize += size;
      }
    }
  }
}

/** Runs the model over a sequence of buckets from a fresh (or given) state. */
export function runModel(params: ModelParams, buckets: readonly MarketBucket[], state = createModelState(params)): { state: ModelState; snapshots: LevelSnapshot[] } {
  const snapshots = buckets.map((b) => stepModel(state, b));
  return { state, snapshots };
}
