import type { ModelParams } from './params.js';
import type { LevelSnapshot, MarketBucket } from './types.js';
import { niceStep, priceIndex } from './price-grid.js';

/**
 * Virtual positions of one side, leverage, entry-price bucket and funding epoch. Entry prices
 * are quantised to the price grid, so positions with the same key share every parameter and
 * merge exactly (the reference engine keeps them apart and must agree).
 */
interface Cohort {
  readonly long: boolean;
  readonly lev: number;
  /** Entry price, quote: the entry bucket's index × step. */
  readonly entry: number;
  readonly entryIdx: number;
  /** Cumulative funding rate when the cohort opened (funding paid since = now − this). */
  readonly fundingAtEntry: number;
  /** Size in base units, before the state's global `scale`. */
  size: number;
}

/** The model's state: JSON-serialisable, checkpointed by jobs/ between buckets. */
export interface ModelState {
  readonly params: ModelParams;
  priceStep: number | null;
  lastT: number | null;
  lastOi: number | null;
  seenOi: boolean;
  cumFunding: number;
  /** Global multiplier on every cohort size (decay and proportional closes apply here). */
  scale: number;
  /** Σ cohort sizes (unscaled), base units. */
  totalSize: number;
  cohorts: Record<string, Cohort>;
}

/** A fresh state for a market. */
export function createModelState(params: ModelParams): ModelState {
  return { params, priceStep: null, lastT: null, lastOi: null, seenOi: false, cumFunding: 0, scale: 1, totalSize: 0, cohorts: {} };
}

/** Serialises a state for a checkpoint. */
export function serializeModelState(s: ModelState): string {
  return JSON.stringify(s);
}

/** Reads a checkpointed state back. */
export function deserializeModelState(json: string): ModelState {
  return JSON.parse(json) as ModelState;
}

/**
 * Liquidation price of a cohort (isolated, linear): a long's equity per unit,
 * E/L + (P − E) − F·E, meets P × mmr at P = E(1 − 1/L + F)/(1 − mmr); a short's,
 * E/L + (E − P) + F·E, at P = E(1 + 1/L + F)/(1 + mmr). F is the funding rate accumulated
 * since entry (longs pay when positive).
 */
export function cohortLiquidationPrice(long: boolean, entry: number, lev: number, funding: number, mmr: number): number {
  return long ? (entry * (1 - 1 / lev + funding)) / (1 - mmr) : (entry * (1 + 1 / lev + funding)) / (1 + mmr);
}

function add(map: Map<number, number>, k: number, v: number): void {
  map.set(k, (map.get(k) ?? 0) + v);
}

/**
 * Advances the state by one bucket (buckets must come in time order) and returns the levels
 * at its end. Steps, in order: decay; funding; liquidations (a long level at or above the
 * bucket's low, a short level at or below its high, is gone); open-interest change (an
 * increase opens cohorts at the VWAP split by taker imbalance and the leverage mix; a decrease
 * closes every cohort proportionally); the snapshot.
 */
export function stepModel(state: ModelState, b: MarketBucket): LevelSnapshot {
  const p = state.params;
  state.priceStep ??= niceStep(b.close, p.priceBucketFraction);
  const step = state.priceStep;
  const mmr = p.maintenanceMarginRate;

  if (p.halfLifeHours > 0 && state.lastT !== null) {
    const hours = (b.t - state.lastT) / 3_600_000;
    state.scale *= 0.5 ** (hours / p.halfLifeHours);
  }
  state.lastT = b.t;
  if (b.fundingRate !== null && p.fundingAdjusted) state.cumFunding += b.fundingRate;

  let liquidatedLong = 0;
  let liquidatedShort = 0;
  for (const [key, c] of Object.entries(state.cohorts)) {
    const lp = cohortLiquidationPrice(c.long, c.entry, c.lev, state.cumFunding - c.fundingAtEntry, mmr);
    if (c.long ? b.low <= lp : b.high >= lp) {
      const notional = c.size * state.scale * lp;
      if (c.long) liquidatedLong += notional;
      else liquidatedShort += notional;
      state.totalSize -= c.size;
      delete state.cohorts[key];
    }
  }

  let delta: number;
  if (b.openInterest !== null) {
    delta = state.seenOi && state.lastOi !== null ? b.openInterest - state.lastOi : 0;
    state.seenOi = true;
    state.lastOi = b.openInterest;
  } else {
    delta = state.seenOi ? 0 : (b.buyVolume + b.sellVolume) * p.participation;
  }
  if (delta > 0) {
    const flow = b.buyVolume + b.sellVolume;
    const imbalance = flow > 0 ? (b.buyVolume - b.sellVolume) / flow : 0;
    const longShare = 0.5 + 0.5 * p.imbalanceWeight * imbalance;
    const entryIdx = Math.round(b.vwap / step);
    const entry = entryIdx * step;
    for (const { leverage, weight } of p.leverages) {
      for (const long of [true, false]) {
        const size = (delta * weight * (long ? longShare : 1 - longShare)) / state.scale;
        if (size <= 0) continue;
        const key = `${long ? 'L' : 'S'}|${leverage}|${entryIdx}|${state.cumFunding}`;
        const c = state.cohorts[key];
        if (c) c.size += size;
        else state.cohorts[key] = { long, lev: leverage, entry, entryIdx, fundingAtEntry: state.cumFunding, size };
        state.totalSize += size;
      }
    }
  } else if (delta < 0 && state.totalSize > 0) {
    state.scale *= Math.max(0, 1 - -delta / (state.totalSize * state.scale));
  }
  // Keep the multiplier in range: fold it into the sizes once it gets small.
  if (state.scale < 1e-100 || state.scale === 0) {
    for (const c of Object.values(state.cohorts)) c.size *= state.scale;
    state.totalSize *= state.scale;
    state.scale = 1;
  }
  return snapshot(state, b, liquidatedLong, liquidatedShort);
}

/** The levels of the current state (without advancing it). */
function snapshot(state: ModelState, b: MarketBucket, liquidatedLong: number, liquidatedShort: number): LevelSnapshot {
  const step = state.priceStep!;
  const mmr = state.params.maintenanceMarginRate;
  const long = new Map<number, number>();
  const short = new Map<number, number>();
  const oiLong = new Map<number, number>();
  const oiShort = new Map<number, number>();
  const longByLeverage = new Map<number, Map<number, number>>();
  const shortByLeverage = new Map<number, Map<number, number>>();
  for (const c of Object.values(state.cohorts)) {
    const size = c.size * state.scale;
    if (size === 0) continue;
    const lp = cohortLiquidationPrice(c.long, c.entry, c.lev, state.cumFunding - c.fundingAtEntry, mmr);
    if (!(lp > 0)) continue;
    const idx = priceIndex(lp, step);
    const notional = size * lp;
    add(c.long ? long : short, idx, notional);
    add(c.long ? oiLong : oiShort, c.entryIdx, size * c.entry);
    const byLev = c.long ? longByLeverage : shortByLeverage;
    let m = byLev.get(c.lev);
    if (!m) byLev.set(c.lev, (m = new Map()));
    add(m, idx, notional);
  }
  return { t: b.t, price: b.close, priceStep: step, long, short, oiLong, oiShort, longByLeverage, shortByLeverage, liquidatedLong, liquidatedShort };
}

/** Runs the model over a sequence of buckets from a fresh (or given) state. */
export function runModel(params: ModelParams, buckets: readonly MarketBucket[], state = createModelState(params)): { state: ModelState; snapshots: LevelSnapshot[] } {
  const snapshots = buckets.map((b) => stepModel(state, b));
  return { state, snapshots };
}
