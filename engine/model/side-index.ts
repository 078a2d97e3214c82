import { DenseLevels } from './dense-levels.js';
import { SharedCells } from './shared-cells.js';
import { SpreadCells, type CellRange } from './spread-cells.js';

/**
 * Virtual positions of one side, leverage, entry-price bucket and funding epoch. Entry prices
 * are quantised to the price grid, so positions with the same key share every parameter and
 * merge exactly (the reference engine keeps them apart and must agree).
 */
export interface Cohort {
  /** An opening's `side|leverage|step|entry bucket|funding`, or a merged cohort's `#n` (see the model's prune). */
  key: string;
  readonly long: boolean;
  readonly lev: number;
  /** Entry price, quote: the entry bucket's index × the step at entry. */
  readonly entry: number;
  /** Entry price's bucket on the current grid. */
  entryIdx: number;
  /** Cumulative funding rate when the cohort opened (funding paid since = now − this; size-weighted over merged cohorts). */
  fundingAtEntry: number;
  /** Size in base units, before the state's global `scale`. */
  size: number;
  /** Current liquidation price and its price bucket. */
  lp: number;
  idx: number;
}

/** A side index as JSON: every map as its entries (the format of checkpoints written before the index was dense). */
export interface SideJson {
  readonly byIdx: [number, string[]][];
  readonly levels: [number, number][];
  readonly byLev: [number, [number, number][]][];
  readonly oi: [number, number][];
  readonly oiCount: [number, number][];
}

/** Cells of one price axis: a dense window `[lo, lo + cap)` that grows (and re-centres) when a bucket outside it is needed. */
interface Window {
  lo: number;
  cap: number;
}

const MIN_MARGIN = 64;

/** The window to move to so that `[min, max]` fits, with room to spare on both ends. */
function widened(min: number, max: number): Window {
  const margin = Math.max(MIN_MARGIN, (max - min + 1) >> 1);
  return { lo: min - margin, cap: max - min + 1 + 2 * margin };
}

/** `a`'s cells `min`..`max` in a window moved from `from` to `to`. */
function moved(a: SharedCells, from: Window, to: Window, min: number, max: number): SharedCells {
  const b = new SharedCells(to.cap);
  for (let i = min; i <= max; i++) b.set(i - to.lo, a.get(i - from.lo));
  return b;
}

/**
 * One side's per-price-bucket aggregates, kept in step with its cohorts (all unscaled), as dense
 * arrays over the buckets in use: the cohorts liquidating in each bucket, Σ size × liquidation
 * price in total and per leverage, and Σ size × entry per entry bucket. A snapshot then shares
 * a few ranges' chunks (copied on write, see shared-cells.ts), and crossed levels are found by
 * walking the buckets beyond the bucket's range only. As hash maps (the model before), building each minute's snapshot from
 * them was most of a month's compute, and it grew with the cells the standing cohorts cover.
 * Cells are cleared to exactly 0 when their last cohort goes (no float residue of removals).
 */
export class SideIndex {
  /** The liquidation-price axis (members, levels, per leverage). */
  #w: Window = { lo: 0, cap: 0 };
  #members: (Cohort[] | undefined)[] = [];
  #levels = new SharedCells(0);
  /** Per leverage (in the order they first appear since the last clear), its levels. */
  #levs: number[] = [];
  #slot = new Map<number, number>();
  #byLev: SharedCells[] = [];
  /** Per leverage, buckets it was added to since the last clear (a bound, not tightened: the snapshot trims inside it). */
  #levMin: number[] = [];
  #levMax: number[] = [];
  /** Buckets holding cohorts: every member is in [min, max] (bounds tightened lazily). */
  #min = Infinity;
  #max = -Infinity;
  /** The entry-price axis (open interest). */
  #ow: Window = { lo: 0, cap: 0 };
  #oi = new SharedCells(0);
  #oiCount = new Int32Array(0);
  #oiMin = Infinity;
  #oiMax = -Infinity;
  /**
   * Buckets a cohort joined (holding others) since {@link crowded} last ran, null for all: only
   * there can two cohorts of one leverage and entry meet, once the previous groups are merged.
   */
  #joined: Set<number> | null = null;
  /** The served level-spread layers, kept in step with the cells once asked for (derived: never serialised). */
  #spread: SpreadCells | null = null;

  /** Forgets every cohort and cell. */
  clear(): void {
    this.#spread?.reset();
    this.#w = { lo: 0, cap: 0 };
    this.#members = [];
    this.#levels = new SharedCells(0);
    this.#levs = [];
    this.#slot.clear();
    this.#byLev = [];
    this.#levMin = [];
    this.#levMax = [];
    this.#min = Infinity;
    this.#max = -Infinity;
    this.#ow = { lo: 0, cap: 0 };
    this.#oi = new SharedCells(0);
    this.#oiCount = new Int32Array(0);
    this.#oiMin = Infinity;
    this.#oiMax = -Infinity;
    this.#joined = null;
  }

  /** Makes room for liquidation-price buckets `[min, max]` (a rebuild reserves its whole range once). */
  reserve(min: number, max: number): void {
    const w = this.#w;
    if (min >= w.lo && max < w.lo + w.cap) return;
    this.#tighten();
    const lo = Math.min(min, this.#min);
    const hi = Math.max(max, this.#max);
    const to = widened(lo, hi);
    const a = this.#min;
    const b = this.#max;
    this.#levels = moved(this.#levels, w, to, a, b);
    this.#byLev = this.#byLev.map((x) => moved(x, w, to, a, b));
    const members = new Array<Cohort[] | undefined>(to.cap);
    for (let i = a; i <= b; i++) members[i - to.lo] = this.#members[i - w.lo];
    this.#members = members;
    this.#w = to;
  }

  /** Makes room for entry buckets `[min, max]`. */
  reserveEntries(min: number, max: number): void {
    const w = this.#ow;
    if (min >= w.lo && max < w.lo + w.cap) return;
    this.#tightenEntries();
    const to = widened(Math.min(min, this.#oiMin), Math.max(max, this.#oiMax));
    this.#oi = moved(this.#oi, w, to, this.#oiMin, this.#oiMax);
    const count = new Int32Array(to.cap);
    if (this.#oiMin <= this.#oiMax) count.set(this.#oiCount.subarray(this.#oiMin - w.lo, this.#oiMax - w.lo + 1), this.#oiMin - to.lo);
    this.#oiCount = count;
    this.#ow = to;
  }

  #levSlot(lev: number): number {
    let s = this.#slot.get(lev);
    if (s === undefined) {
      s = this.#levs.length;
      this.#slot.set(lev, s);
      this.#levs.push(lev);
      this.#byLev.push(new SharedCells(this.#w.cap));
      this.#levMin.push(Infinity);
      this.#levMax.push(-Infinity);
    }
    return s;
  }

  /** Adds (sign +1) or removes (−1) `size` of a linked cohort to the sums. */
  account(c: Cohort, size: number, sign: 1 | -1): void {
    if (!(c.lp > 0)) return;
    const i = c.idx - this.#w.lo;
    const v = sign * size * c.lp;
    const levels = this.#levels;
    const slot = this.#levSlot(c.lev);
    const layer = this.#byLev[slot]!;
    if (c.idx < this.#levMin[slot]!) this.#levMin[slot] = c.idx;
    if (c.idx > this.#levMax[slot]!) this.#levMax[slot] = c.idx;
    const oi = this.#oi;
    const e = c.entryIdx - this.#ow.lo;
    levels.add(i, v);
    layer.add(i, v);
    oi.add(e, sign * size * c.entry);
    this.#spread?.touch(slot, c.idx);
  }

  /** Puts a cohort in its bucket (cohorts without a level, lp ≤ 0, are in none). */
  link(c: Cohort): void {
    if (!(c.lp > 0)) return;
    this.reserve(c.idx, c.idx);
    this.reserveEntries(c.entryIdx, c.entryIdx);
    const i = c.idx - this.#w.lo;
    const list = this.#members[i];
    if (list) {
      list.push(c);
      this.#joined?.add(c.idx);
    } else this.#members[i] = [c];
    if (c.idx < this.#min) this.#min = c.idx;
    if (c.idx > this.#max) this.#max = c.idx;
    const e = c.entryIdx - this.#ow.lo;
    this.#oiCount[e]!++;
    if (c.entryIdx < this.#oiMin) this.#oiMin = c.entryIdx;
    if (c.entryIdx > this.#oiMax) this.#oiMax = c.entryIdx;
  }

  /** Takes a cohort out of its bucket; the bucket's cells go with its last cohort, the entry's cell with the entry's last. */
  unlink(c: Cohort): void {
    if (!(c.lp > 0)) return;
    const i = c.idx - this.#w.lo;
    const list = this.#members[i];
    const at = list ? list.indexOf(c) : -1;
    if (at < 0) return;
    const e = c.entryIdx - this.#ow.lo;
    if (--this.#oiCount[e]! <= 0) {
      this.#oiCount[e] = 0;
      this.#oi.set(e, 0);
    }
    list!.splice(at, 1);
    if (list!.length === 0) {
      this.#members[i] = undefined;
      this.#levels.set(i, 0);
      const spread = this.#spread;
      this.#byLev.forEach((m, s) => {
        if (spread && m.get(i) !== 0) spread.touch(s, c.idx);
        m.set(i, 0);
      });
    }
  }

  #tighten(): void {
    const lo = this.#w.lo;
    while (this.#min <= this.#max && !this.#members[this.#min - lo]) this.#min++;
    while (this.#max >= this.#min && !this.#members[this.#max - lo]) this.#max--;
    if (this.#min > this.#max) {
      this.#min = Infinity;
      this.#max = -Infinity;
    }
  }

  #tightenEntries(): void {
    const lo = this.#ow.lo;
    while (this.#oiMin <= this.#oiMax && this.#oiCount[this.#oiMin - lo] === 0) this.#oiMin++;
    while (this.#oiMax >= this.#oiMin && this.#oiCount[this.#oiMax - lo] === 0) this.#oiMax--;
    if (this.#oiMin > this.#oiMax) {
      this.#oiMin = Infinity;
      this.#oiMax = -Infinity;
    }
  }

  /** Cohorts of the buckets from `from` to `to` (inclusive, either direction), bucket by bucket, each bucket's in the order they joined it. */
  *cohortsBetween(from: number, to: number): Generator<Cohort> {
    this.#tighten();
    const lo = this.#w.lo;
    const step = from <= to ? 1 : -1;
    const a = step > 0 ? Math.max(from, this.#min) : Math.min(from, this.#max);
    const b = step > 0 ? Math.min(to, this.#max) : Math.max(to, this.#min);
    for (let i = a; step > 0 ? i <= b : i >= b; i += step) {
      const list = this.#members[i - lo];
      if (list) yield* list;
    }
  }

  /**
   * Adds to `out` every group of two or more cohorts of one bucket with the same leverage and
   * entry price (each group in the order its cohorts joined the bucket).
   */
  crowded(out: Cohort[][]): void {
    const lo = this.#w.lo;
    let cells: Iterable<number>;
    if (this.#joined === null) {
      this.#tighten();
      cells = Array.from({ length: Math.max(0, this.#max - this.#min + 1) }, (_, k) => this.#min + k);
    } else cells = [...this.#joined].sort((a, b) => a - b); // bucket order, as a full pass (so a resumed run merges in the same order)
    this.#joined = new Set();
    for (const i of cells) {
      const list = this.#members[i - lo];
      if (!list || list.length < 2) continue;
      let taken: boolean[] | null = null;
      for (let a = 0; a < list.length - 1; a++) {
        if (taken?.[a]) continue;
        const x = list[a]!;
        let group: Cohort[] | null = null;
        for (let b = a + 1; b < list.length; b++) {
          const y = list[b]!;
          if (y.lev !== x.lev || y.entry !== x.entry || taken?.[b]) continue;
          (group ??= [x]).push(y);
          (taken ??= [])[b] = true;
        }
        if (group) out.push(group);
      }
    }
  }

  /** Cohorts of one bucket (the live list: copy it before changing the index). */
  bucket(idx: number): readonly Cohort[] {
    return this.#members[idx - this.#w.lo] ?? [];
  }

  /** The lowest and highest buckets holding cohorts (Infinity, −Infinity when none). */
  bounds(): { min: number; max: number } {
    this.#tighten();
    return { min: this.#min, max: this.#max };
  }

  /** Leverages with a layer (in the order they appeared since the last clear). */
  get leverages(): readonly number[] {
    return this.#levs;
  }

  /** The side's ranges for {@link DenseLevels.scaledRanges}: levels, open interest, then per leverage. */
  ranges(): { lo: number; cells: SharedCells; from: number; to: number }[] {
    this.#tighten();
    this.#tightenEntries();
    const { lo } = this.#w;
    const out = [
      { lo, cells: this.#levels, from: this.#min, to: this.#max },
      { lo: this.#ow.lo, cells: this.#oi, from: this.#oiMin, to: this.#oiMax },
    ];
    this.#byLev.forEach((m, i) => out.push({ lo, cells: m, from: Math.max(this.#min, this.#levMin[i]!), to: Math.min(this.#max, this.#levMax[i]!) }));
    return out;
  }

  /**
   * The side's served level-spread ranges at this price (see spread-cells.ts): its total, then per
   * leverage (in {@link leverages} order), trimmed at the price's bucket `at`.
   */
  spreadRanges(price: number, step: number, spread: number, quantum: number, long: boolean, at: number): CellRange[] {
    this.#tighten();
    const from = this.#levMin.map((m) => Math.max(this.#min, m));
    const to = this.#levMax.map((m) => Math.min(this.#max, m));
    this.#spread ??= new SpreadCells();
    return this.#spread.sync({ lo: this.#w.lo, cap: this.#w.cap, levs: this.#levs, cells: this.#byLev, from, to }, price, step, spread, quantum, long, at);
  }

  /** The index as JSON (maps as entries: the format checkpoints have always had). */
  toJson(): SideJson {
    this.#tighten();
    this.#tightenEntries();
    const lo = this.#w.lo;
    const byIdx: [number, string[]][] = [];
    const levels: [number, number][] = [];
    const byLev: [number, [number, number][]][] = this.#levs.map((l) => [l, []]);
    for (let i = this.#min; i <= this.#max; i++) {
      const list = this.#members[i - lo];
      if (!list) continue;
      byIdx.push([i, list.map((c) => c.key)]);
      levels.push([i, this.#levels.get(i - lo)]);
      this.#byLev.forEach((m, s) => byLev[s]![1].push([i, m.get(i - lo)]));
    }
    const oi: [number, number][] = [];
    const oiCount: [number, number][] = [];
    for (let e = this.#oiMin; e <= this.#oiMax; e++) {
      const n = this.#oiCount[e - this.#ow.lo]!;
      if (n === 0) continue;
      oi.push([e, this.#oi.get(e - this.#ow.lo)]);
      oiCount.push([e, n]);
    }
    return { byIdx, levels, byLev, oi, oiCount };
  }

  /** An index read back from JSON, its members looked up among `cohorts`. */
  static fromJson(j: SideJson, cohorts: ReadonlyMap<string, Cohort>): SideIndex {
    const x = new SideIndex();
    const idxs = [...j.byIdx.map(([i]) => i), ...j.levels.map(([i]) => i), ...j.byLev.flatMap(([, m]) => m.map(([i]) => i))];
    if (idxs.length) x.reserve(Math.min(...idxs), Math.max(...idxs));
    const es = [...j.oi.map(([e]) => e), ...j.oiCount.map(([e]) => e)];
    if (es.length) x.reserveEntries(Math.min(...es), Math.max(...es));
    for (const [l] of j.byLev) x.#levSlot(l);
    const lo = x.#w.lo;
    for (const [i, keys] of j.byIdx) {
      const list = keys.map((k) => cohorts.get(k)).filter((c): c is Cohort => c !== undefined);
      if (!list.length) continue;
      x.#members[i - lo] = list;
      x.#min = Math.min(x.#min, i);
      x.#max = Math.max(x.#max, i);
    }
    for (const [i, v] of j.levels) x.#levels.set(i - lo, v);
    j.byLev.forEach(([, m], s) => {
      for (const [i, v] of m) {
        x.#byLev[s]!.set(i - lo, v);
        x.#levMin[s] = Math.min(x.#levMin[s]!, i);
        x.#levMax[s] = Math.max(x.#levMax[s]!, i);
      }
    });
    const olo = x.#ow.lo;
    for (const [e, v] of j.oi) x.#oi.set(e - olo, v);
    for (const [e, n] of j.oiCount) {
      x.#oiCount[e - olo] = n;
      x.#oiMin = Math.min(x.#oiMin, e);
      x.#oiMax = Math.max(x.#oiMax, e);
    }
    return x;
  }
}

/** A snapshot's maps of both sides (see {@link snapshotSides}). */
export class SnapshotSides {
  constructor(
    public long: DenseLevels,
    public short: DenseLevels,
    public oiLong: DenseLevels,
    public oiShort: DenseLevels,
    public longByLeverage: Map<number, DenseLevels>,
    public shortByLeverage: Map<number, DenseLevels>,
  ) {}
}

/** How a snapshot's levels are spread (see {@link SideIndex.spreadRanges}). */
export interface SpreadSpec {
  readonly price: number;
  readonly step: number;
  readonly spread: number;
  /** The quantum's exponent (see spread-cells.ts). */
  readonly quantum: number;
  /** The price's bucket. */
  readonly at: number;
}

/** A side's ranges for a snapshot: sharp, or its spread levels with the sharp open interest. */
function sideRanges(x: SideIndex, long: boolean, spread: SpreadSpec | null): { lo: number; cells: SharedCells; from: number; to: number }[] {
  if (!spread) return x.ranges();
  const [total, ...byLev] = x.spreadRanges(spread.price, spread.step, spread.spread, spread.quantum, long, spread.at);
  return [total!, x.ranges()[1]!, ...byLev];
}

/**
 * A snapshot's maps of both sides at scale `k`: totals, open interest, then per leverage (a class,
 * not an object literal, for the reason the model's snapshot is one: see heatmap-model.ts), the
 * levels spread when `spread` is given.
 */
export function snapshotSides(long: SideIndex, short: SideIndex, k: number, spread: SpreadSpec | null = null): SnapshotSides {
  const l = sideRanges(long, true, spread);
  const s = sideRanges(short, false, spread);
  const d = DenseLevels.scaledRanges([...l, ...s], k);
  const nl = l.length;
  // Filled by set, not from [key, value] literals (each a literal pointing at the young levels).
  const byLev = (levs: readonly number[], at: number) => {
    const m = new Map<number, DenseLevels>();
    for (let i = 0; i < levs.length; i++) m.set(levs[i]!, d[at + i]!);
    return m;
  };
  return new SnapshotSides(d[0]!, d[nl]!, d[1]!, d[nl + 1]!, byLev(long.leverages, 2), byLev(short.leverages, nl + 2));
}
