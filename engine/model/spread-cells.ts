import { SharedCells } from './shared-cells.js';
import { boxPass, boxWidth, marginBuckets } from './level-spread.js';
import { EngineError } from '../errors.js';

/**
 * One side's served level-spread layers, kept in step with its sharp cells (see level-spread.ts
 * for the spread itself, `spreadSide`, which stays its definition). Spreading every layer's whole
 * range afresh each bucket was ~97% of the default model's time and grew with the standing cells;
 * the spread is linear, so a raw cell that changes adds its change × the layer's B-spline kernel
 * (6h + 1 taps) instead, and a layer is spread afresh only when its box width changes with the
 * price (or most of its cells changed: a prune, a funding print, a regrid). A bucket then costs
 * its changes' kernels, whatever the standing cells, plus those re-spreads (a layer's cells each).
 *
 * Exact, so order-free: each raw cell is quantised to an integer R = round(raw / Q) (Q a power of
 * two, ~2⁻⁴⁸ of the side's size × the step: far under the 1e-9 tolerance) held in limbs of b bits,
 * and each limb's spread is an integer sum Σ kernel × limb below 2⁵³, so adding kernels one change
 * at a time and three box passes over the layer give the same integers. The served cell is that
 * sum × Q / w³; a resumed run (whose spread starts from the sharp checkpoint) therefore serves bit
 * for bit what the uninterrupted one does, and a cell with no raw mass within the kernel is exactly 0.
 */

/**
 * Bits an R may need: R = raw / Q < 2⁵² × raw / (size × step), and raw / (size × step) ≤ lp / step
 * < 2²⁶ (a step is 1/2000 to 1/5000 of the day's first close: a level over 13,000× that price). 78 bits are
 * three limbs up to boxes of 406 (σ ≈ 200 buckets).
 */
const R_BITS = 78;

/** Widths kept per layer besides the current one. */
const SPARES = 3;

/** The quantum's exponent for a side whose unscaled size × step is `g`: in steps of 2⁴ so that it rarely changes (each change re-spreads). */
export function quantumExponent(g: number): number {
  if (!(g > 0) || !Number.isFinite(g)) return 0;
  return 4 * Math.floor(Math.log2(g) / 4) - 48;
}

/** The B-spline of three boxes of width 2h + 1 as integer counts (they sum to w³), offsets −3h..3h. */
const kernels = new Map<number, Float64Array>();
function kernel(h: number): Float64Array {
  let k = kernels.get(h);
  if (!k) {
    const w = 2 * h + 1;
    let a = new Float64Array([1]);
    for (let pass = 0; pass < 3; pass++) {
      const b = new Float64Array(a.length + w - 1);
      for (let i = 0; i < a.length; i++) for (let d = 0; d < w; d++) b[i + d]! += a[i]!;
      a = b;
    }
    k = a;
    kernels.set(h, k);
  }
  return k;
}

/** One layer's spread: per limb the integer sums over the side's window, and the served cells. */
interface Layer {
  h: number;
  /** Bits per limb and limbs. */
  b: number;
  n: number;
  /** Per raw cell (raw window), the R the sums hold. */
  r: Float64Array;
  /** Per limb, Σ kernel × limb per spread cell. */
  sums: Float64Array[];
  /** Served cells (unscaled): the sums × Q / w³. */
  cells: SharedCells;
  /** Q / w³. */
  unit: number;
  /** Spread cells that may be non-zero (spread window offsets). */
  spanLo: number;
  spanHi: number;
  /** While it is a spare (see SpreadCells#spare): the raw buckets changed since it was current. */
  pending: Set<number>;
}

/** What a side's sharp layers look like to the spread: its window, and per layer slot its leverage, cells and bounds. */
export interface RawLayers {
  readonly lo: number;
  readonly cap: number;
  readonly levs: readonly number[];
  readonly cells: readonly SharedCells[];
  /** Absolute buckets holding the layer's non-zero cells (a bound; from > to when none). */
  readonly from: readonly number[];
  readonly to: readonly number[];
}

/** A range for {@link DenseLevels.scaledRanges}. */
export interface CellRange {
  lo: number;
  cells: SharedCells;
  from: number;
  to: number;
}

/** One side's served level-spread layers and their total (see the top of this file). */
export class SpreadCells {
  /** Spread window: cell 0 is bucket #lo; it covers the raw window ± #margin. */
  #lo = 0;
  #cap = 0;
  #margin = 0;
  #rawLo = NaN;
  #rawCap = -1;
  #qe = NaN;
  /** 1 / Q. */
  #perQuantum = NaN;
  #layers: Layer[] = [];
  /**
   * Per slot, the layer at the last widths it had (newest first, at most {@link SPARES}), each
   * with its changes since pending: a price that hovers where ceil(σ) steps flips a layer between
   * widths, and re-spreading it at each flip cost more than the incremental form saved. A flip
   * back applies the pending changes instead (the same integers: see above).
   */
  #spare: Layer[][] = [];
  /** Arrays of layers dropped since the window was laid out, for the next re-spread to reuse (the garbage of a re-spread per width change). */
  #pool: Layer[] = [];
  #total: SharedCells = new SharedCells(0);
  /** Raw buckets changed since the last sync, per layer slot (repeats are harmless). */
  #dirty: number[][] = [];
  /** Everything changed (cleared or re-read): re-spread all. */
  #all = true;

  /** A raw cell of layer `slot` at bucket `idx` changed. */
  touch(slot: number, idx: number): void {
    if (this.#all) return;
    (this.#dirty[slot] ??= []).push(idx);
  }

  /** Every raw cell may have changed. */
  reset(): void {
    this.#all = true;
    this.#dirty = [];
  }

  /**
   * Brings the layers in step with `raw` at this price and returns the served ranges: the side's
   * total, then each layer's, trimmed at the price's bucket `at` (long: at and below; short: at and above).
   */
  sync(raw: RawLayers, price: number, step: number, spread: number, qe: number, long: boolean, at: number): CellRange[] {
    const hs = raw.levs.map((lev) => (boxWidth(spread * marginBuckets(price, lev, step)) - 1) >> 1);
    const reach = 3 * Math.max(0, ...hs);
    if (this.#all || raw.lo !== this.#rawLo || raw.cap !== this.#rawCap || qe !== this.#qe || reach > this.#margin) this.#rebuildAll(raw, hs, qe);
    else {
      const spans: number[] = [];
      for (let s = 0; s < raw.levs.length; s++) {
        const layer = this.#layers[s];
        // Distinct buckets (a bucket's openings land in the same few cells minute after minute).
        const dirty = [...new Set(this.#dirty[s])];
        const h = hs[s]!;
        // Re-spreading costs about twice the layer's cells; applying, its changes × the kernel.
        const len = raw.to[s]! - raw.from[s]! + 1 + 6 * h;
        const cheap = (changes: number) => changes * (6 * h + 1) <= 2 * len;
        // Spares carry this bucket's changes, and go once applying them would cost more than a re-spread.
        const spares = (this.#spare[s] ?? []).filter((x) => {
          for (const i of dirty) x.pending.add(i);
          if (cheap(x.pending.size)) return true;
          this.#drop(x);
          return false;
        });
        if (layer && layer.h === h && cheap(dirty.length)) {
          this.#apply(raw, s, layer, dirty, spans);
          this.#spare[s] = spares;
          continue;
        }
        if (layer) spans.push(layer.spanLo, layer.spanHi);
        const at = spares.findIndex((x) => x.h === h);
        let next: Layer;
        if (at >= 0) {
          next = spares.splice(at, 1)[0]!;
          this.#apply(raw, s, next, [...next.pending], null);
          next.pending = new Set();
        } else next = this.#build(raw, s, h);
        if (layer && layer.h === h) this.#drop(layer);
        this.#layers[s] = next;
        // The width left becomes the newest spare (unless its cells all changed).
        if (layer && layer.h !== h) {
          layer.pending = new Set(dirty);
          spares.unshift(layer);
          if (spares.length > SPARES) this.#drop(spares.pop()!);
        }
        this.#spare[s] = spares;
        spans.push(next.spanLo, next.spanHi);
      }
      this.#sumTotal(spans);
    }
    this.#dirty = [];
    const out: CellRange[] = [{ lo: this.#lo, cells: this.#total, from: Infinity, to: -Infinity }];
    for (let s = 0; s < raw.levs.length; s++) {
      const reachS = 3 * hs[s]!;
      let from = raw.from[s]! - reachS;
      let to = raw.to[s]! + reachS;
      if (long) to = Math.min(to, at);
      else from = Math.max(from, at);
      out.push({ lo: this.#lo, cells: this.#layers[s]!.cells, from, to });
      if (from <= to) {
        out[0]!.from = Math.min(out[0]!.from, from);
        out[0]!.to = Math.max(out[0]!.to, to);
      }
    }
    return out;
  }

  #rebuildAll(raw: RawLayers, hs: readonly number[], qe: number): void {
    // Room for the widths to grow by half before the window must move.
    this.#margin = Math.max(64, Math.ceil(4.5 * Math.max(0, ...hs)));
    this.#lo = raw.lo - this.#margin;
    this.#cap = raw.cap + 2 * this.#margin;
    this.#rawLo = raw.lo;
    this.#rawCap = raw.cap;
    this.#qe = qe;
    this.#perQuantum = 2 ** -qe;
    this.#all = false;
    this.#layers = [];
    this.#spare = [];
    this.#pool = [];
    const spans: number[] = [];
    for (let s = 0; s < raw.levs.length; s++) {
      const layer = this.#build(raw, s, hs[s]!);
      this.#layers.push(layer);
      spans.push(layer.spanLo, layer.spanHi);
    }
    this.#total = new SharedCells(this.#cap);
    this.#sumTotal(spans);
  }

  #drop(layer: Layer): void {
    if (this.#pool.length < 4) this.#pool.push(layer);
  }

  /** R of a raw cell: its value over Q, rounded, at least 0. */
  #quantise(v: number): number {
    const x = v * this.#perQuantum;
    return x > 0 ? Math.round(x) : 0;
  }

  /** A layer spread afresh: three exact box passes per limb over its raw cells. */
  #build(raw: RawLayers, s: number, h: number): Layer {
    const w = 2 * h + 1;
    // Σ kernel = w³; a limb of b bits keeps every pass's running sum (≤ 2w³ × 2^b) under 2⁵³.
    const b = 52 - Math.ceil(Math.log2(w * w * w + 1));
    const n = Math.ceil(R_BITS / b);
    const cap = this.#cap;
    const off = this.#rawLo - this.#lo;
    // A dropped layer's arrays, cleared where it held anything, or new ones.
    const old = this.#pool.pop();
    let r: Float64Array;
    const sums: Float64Array[] = [];
    if (old) {
      r = old.r;
      r.fill(0);
      for (const x of old.sums) {
        if (sums.length === n) break;
        if (old.spanLo <= old.spanHi) x.fill(0, old.spanLo, old.spanHi + 1);
        sums.push(x);
      }
    } else r = new Float64Array(this.#rawCap);
    while (sums.length < n) sums.push(new Float64Array(cap));
    const layer: Layer = { h, b, n, r, sums, cells: new SharedCells(cap), unit: 2 ** this.#qe / (w * w * w), spanLo: 0, spanHi: -1, pending: new Set() };
    const from = Math.max(raw.from[s]!, raw.lo);
    const to = Math.min(raw.to[s]!, raw.lo + raw.cap - 1);
    if (!(from <= to)) return layer;
    const src = raw.cells[s]!;
    for (let i = from - raw.lo; i <= to - raw.lo; i++) r[i] = this.#quantise(src.get(i));
    const lo = from - raw.lo + off - 3 * h;
    const hi = to - raw.lo + off + 3 * h;
    layer.spanLo = lo;
    layer.spanHi = hi;
    const len = hi - lo + 1;
    const byLimb = scratch(n + 1, len);
    const limbs = new Float64Array(n);
    for (let i = from - raw.lo; i <= to - raw.lo; i++) {
      if (r[i] === 0) continue;
      split(r[i]!, b, limbs);
      for (let k = 0; k < n; k++) byLimb[k]![i + off - lo] = limbs[k]!;
    }
    let c: Float64Array = byLimb[n]!;
    for (let k = 0; k < n; k++) {
      let a: Float64Array = byLimb[k]!;
      for (let pass = 0; pass < 3; pass++) {
        boxPass(a, c, h, len);
        [a, c] = [c, a];
      }
      sums[k]!.set(a.subarray(0, len), lo);
    }
    serve(layer, lo, hi);
    return layer;
  }

  /** Adds each dirty raw cell's change × the kernel to the layer's sums; pushes the spans touched (to `spans`, if given). */
  #apply(raw: RawLayers, s: number, layer: Layer, dirty: readonly number[], spans: number[] | null): void {
    const { h, b, n, r, sums } = layer;
    const ker = kernel(h);
    const off = this.#rawLo - this.#lo;
    const src = raw.cells[s]!;
    const was = new Float64Array(n);
    const now = new Float64Array(n);
    for (const idx of dirty) {
      const x = idx - raw.lo;
      const next = this.#quantise(src.get(x));
      const prev = r[x]!;
      if (next === prev) continue;
      r[x] = next;
      split(prev, b, was);
      split(next, b, now);
      const j0 = x + off - 3 * h;
      for (let k = 0; k < n; k++) {
        const d = now[k]! - was[k]!;
        if (d === 0) continue;
        const sum = sums[k]!;
        for (let t = 0; t < ker.length; t++) sum[j0 + t]! += ker[t]! * d;
      }
      const j1 = j0 + ker.length - 1;
      serve(layer, j0, j1);
      if (j0 < layer.spanLo || layer.spanLo > layer.spanHi) layer.spanLo = j0;
      if (j1 > layer.spanHi) layer.spanHi = j1;
      spans?.push(j0, j1);
    }
  }

  /** The side's total over the spans given (pairs of spread-window offsets): Σ of the layers' cells in slot order. */
  #sumTotal(spans: number[]): void {
    const ivs: [number, number][] = [];
    for (let i = 0; i < spans.length; i += 2) if (spans[i]! <= spans[i + 1]!) ivs.push([spans[i]!, spans[i + 1]!]);
    ivs.sort((x, y) => x[0] - y[0]);
    const layers = this.#layers;
    const size = SharedCells.CHUNK;
    const src: (readonly number[])[] = [];
    let done = -Infinity;
    for (const [a0, b0] of ivs) {
      // Chunk by chunk, over the layers whose span meets the chunk (outside its span a layer's
      // cells are exactly 0, and adding 0 leaves the slot-order sum as it is).
      for (let c0 = Math.max(a0, done + 1); c0 <= b0; c0 = (c0 | (size - 1)) + 1) {
        const c1 = Math.min(b0, c0 | (size - 1));
        src.length = 0;
        for (const x of layers) if (x.spanLo <= c1 && x.spanHi >= c0) src.push(x.cells.chunk(c0));
        const ch = this.#total.writable(c0);
        for (let j = c0 & (size - 1), e = c1 & (size - 1); j <= e; j++) {
          let v = 0;
          for (let k = 0; k < src.length; k++) v += src[k]![j]!;
          ch[j] = v;
        }
      }
      if (b0 > done) done = b0;
    }
  }
}

/** The layer's served cells `j0`..`j1` from its sums (chunk by chunk: the cells' writes were a third of a bucket's spread). */
function serve(layer: Layer, j0: number, j1: number): void {
  const { sums, b, n, unit, cells } = layer;
  const mask = SharedCells.CHUNK - 1;
  let ch = cells.writable(j0);
  for (let j = j0; j <= j1; j++) {
    const m = j & mask;
    if (m === 0 && j !== j0) ch = cells.writable(j);
    ch[m] = combine(sums, j, b, n) * unit;
  }
}

let scratchArrays: Float64Array[] = [];
/** `count` zeroed arrays of at least `len`, reused across builds. */
function scratch(count: number, len: number): Float64Array[] {
  if (scratchArrays.length < count || scratchArrays[0]!.length < len) {
    const size = Math.max(len, scratchArrays[0]?.length ?? 0) * 2;
    scratchArrays = Array.from({ length: Math.max(count, scratchArrays.length) }, () => new Float64Array(size));
  }
  for (let k = 0; k < count; k++) scratchArrays[k]!.fill(0, 0, len);
  return scratchArrays;
}

/** `v`'s limbs of `b` bits, lowest first, into `out` (exact: v is a non-negative integer below 2^(b·n)). */
function split(v: number, b: number, out: Float64Array): void {
  const base = 2 ** b;
  const n = out.length;
  for (let k = 0; k < n - 1; k++) {
    const q = Math.floor(v / base);
    out[k] = v - q * base;
    v = q;
  }
  // Only a level over ~13,000 times the price of the day's grid gets here (see R_BITS).
  if (v >= base) throw new EngineError('INPUT_INVALID', `level spread: a level ${v} × 2^${b * (n - 1)} quanta of its side is beyond the exact sums' range (a price fallen over 10,000-fold under standing positions?)`);
  out[n - 1] = v;
}

/** Cell `j`'s integer Σ kernel × R from its limbs (rounded once per limb, in a fixed order). */
function combine(sums: readonly Float64Array[], j: number, b: number, n: number): number {
  const base = 2 ** b;
  let v = sums[n - 1]![j]!;
  for (let k = n - 2; k >= 0; k--) v = v * base + sums[k]![j]!;
  return v;
}
