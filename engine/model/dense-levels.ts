import type { SharedCells } from './shared-cells.js';

/**
 * Levels of one side as a dense array from price bucket `lo`: what a snapshot holds. A snapshot
 * per bucket as hash maps was most of the model's time and garbage (thousands of cells a bucket);
 * it holds the state's chunks of the range (shared, copied on write: see shared-cells.ts) and the
 * state's scale beside them. Read as a map (price bucket → value, ascending, zero cells absent)
 * by every consumer; level spread reads `cells`, the scaled array, built when first read.
 *
 * The cells are a plain array (doubles on the JS heap), not a typed array: a Float64Array of a
 * snapshot's size has its store outside the heap, and a month of minute snapshots (~2 GB of them,
 * each dropped a bucket later) drove V8's external-memory accounting into a full mark-compact
 * of the whole heap every ~1,400 buckets: with the model bench's ~260 MB held, 30 of them and
 * about half of its 30 days' time. On the heap they are scavenged young like any garbage.
 */
export class DenseLevels implements ReadonlyMap<number, number> {
  /** Nothing at any price. */
  static readonly EMPTY: DenseLevels = DenseLevels.of(0, []);

  /** The scaled cells once asked for (see {@link cells}). */
  #scaled: readonly number[] | null = null;
  /** Non-zero cells, counted when first asked (−1 until then): few readers ask. */
  #size = -1;

  private constructor(
    /** Price bucket of the first cell. */
    readonly lo: number,
    /** Cells from `lo`. */
    readonly length: number,
    /** The state's scale: a cell's value is its stored value × k. */
    readonly k: number,
    /** Stored values (before the scale) in chunks of 2^shift; the first cell is chunks[0][off]. */
    private readonly chunks: readonly (readonly number[])[],
    private readonly off: number,
    private readonly shift: number,
  ) {}

  /** `cells` from price bucket `lo` as levels (the array is taken, not copied). */
  static of(lo: number, cells: readonly number[]): DenseLevels {
    // One chunk holding every cell: a shift of 30 puts any index of a JS array's length in chunk 0.
    return new DenseLevels(lo, cells.length, 1, [cells], 0, 30);
  }

  /**
   * Each range of the state (its cells for buckets `from`..`to`, bucket `lo` at cell 0), trimmed
   * of zero cells at both ends and times `k`: a snapshot straight from the model's dense state.
   * The range's chunks are shared, not copied, and the scale kept beside them, applied as each
   * cell is read: a read gives the stored value × k, the number a multiplied copy held.
   */
  static scaledRanges(ranges: readonly { readonly lo: number; readonly cells: SharedCells; readonly from: number; readonly to: number }[], k: number): DenseLevels[] {
    const out = new Array<DenseLevels>(ranges.length);
    for (let m = 0; m < ranges.length; m++) {
      const { lo: base, cells: src, from, to } = ranges[m]!;
      let a = from - base;
      let b = to - base;
      while (a <= b && src.get(a) === 0) a++;
      while (b >= a && src.get(b) === 0) b--;
      if (!(a <= b)) {
        out[m] = DenseLevels.EMPTY;
        continue;
      }
      const { chunks, off, shift } = src.share(a, b);
      out[m] = new DenseLevels(a + base, b - a + 1, k, chunks, off, shift);
    }
    return out;
  }

  /** Value per price bucket from `lo` (0: no entry), scaled: built on first use (level spread reads it; the map reads do not). */
  get cells(): readonly number[] {
    if (this.#scaled === null) {
      const cells = new Array<number>(this.length);
      this.#each((v, x) => (cells[x] = v));
      this.#scaled = cells;
    }
    return this.#scaled;
  }

  /** Writes the scaled cells into `out` from index `at` (what {@link cells} holds, without building it: level spread's batch form reads each layer once). */
  copyInto(out: Float64Array, at: number): void {
    if (this.#scaled !== null) {
      out.set(this.#scaled, at);
      return;
    }
    const { length, k, chunks, shift } = this;
    const mask = (1 << shift) - 1;
    for (let x = 0, j = this.off; x < length; x++, j++) out[at + x] = chunks[j >> shift]![j & mask]! * k;
  }

  get size(): number {
    if (this.#size < 0) {
      let n = 0;
      this.#each((v) => {
        if (v !== 0) n++;
      });
      this.#size = n;
    }
    return this.#size;
  }

  /** Every cell's value (scaled, zeros too) and its offset from `lo`, in order. */
  #each(fn: (v: number, x: number) => void): void {
    const { length, k, chunks, shift } = this;
    const mask = (1 << shift) - 1;
    for (let x = 0, j = this.off; x < length; x++, j++) fn(chunks[j >> shift]![j & mask]! * k, x);
  }

  get(i: number): number | undefined {
    const x = i - this.lo;
    if (!(x >= 0 && x < this.length) || !Number.isInteger(x)) return undefined;
    const j = this.off + x;
    const v = this.chunks[j >> this.shift]![j & ((1 << this.shift) - 1)]! * this.k;
    return v === 0 ? undefined : v;
  }

  has(i: number): boolean {
    return this.get(i) !== undefined;
  }

  forEach(fn: (value: number, key: number, map: ReadonlyMap<number, number>) => void): void {
    const { lo } = this;
    this.#each((v, x) => {
      if (v !== 0) fn(v, lo + x, this);
    });
  }

  *entries(): MapIterator<[number, number]> {
    const { lo, length, k, chunks, shift } = this;
    const mask = (1 << shift) - 1;
    for (let x = 0, j = this.off; x < length; x++, j++) {
      const v = chunks[j >> shift]![j & mask]! * k;
      if (v !== 0) yield [lo + x, v];
    }
  }

  *keys(): MapIterator<number> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): MapIterator<number> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): MapIterator<[number, number]> {
    return this.entries();
  }
}
