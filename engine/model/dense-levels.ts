/**
 * Levels of one side as a dense array from price bucket `lo`: what a snapshot holds. A snapshot
 * per bucket as hash maps was most of the model's time and garbage (thousands of cells a bucket);
 * one array is sliced from the state and freed whole, with the state's scale beside it. Read as
 * a map (price bucket → value, ascending, zero cells absent) by every consumer; level spread
 * reads `cells`, the scaled array, built when first read.
 *
 * The cells are a plain array (doubles on the JS heap), not a typed array: a Float64Array of a
 * snapshot's size has its store outside the heap, and a month of minute snapshots (~2 GB of them,
 * each dropped a bucket later) drove V8's external-memory accounting into a full mark-compact
 * of the whole heap every ~1,400 buckets: with the model bench's ~260 MB held, 30 of them and
 * about half of its 30 days' time. On the heap they are scavenged young like any garbage.
 */
export class DenseLevels implements ReadonlyMap<number, number> {
  /** Nothing at any price. */
  static readonly EMPTY: DenseLevels = new DenseLevels(0, [], 1);

  /** The scaled cells once asked for (see {@link cells}). */
  #scaled: readonly number[] | null = null;
  /** Non-zero cells, counted when first asked (−1 until then): few readers ask. */
  #size = -1;

  private constructor(
    /** Price bucket of the first cell. */
    readonly lo: number,
    /** The state's values per price bucket from `lo` (0: no entry), before the scale. */
    readonly raw: readonly number[],
    /** The state's scale: a cell's value is `raw[i] × k`. */
    readonly k: number,
  ) {}

  /** `cells` from price bucket `lo` as levels (the array is taken, not copied). */
  static of(lo: number, cells: readonly number[]): DenseLevels {
    return new DenseLevels(lo, cells, 1);
  }

  /**
   * Each dense range (`cells[i − lo]` for buckets `from`..`to`), trimmed of zero cells at both
   * ends and times `k`, each in an array of its own: a snapshot straight from the model's dense state.
   *
   * The range is sliced and the scale kept beside it, applied as each cell is read: a slice of a
   * plain double array is a block copy (~1 ns a cell here), a loop multiplying into a new array
   * 3-4 ns, and a model step takes a dozen ranges (~6,700 cells a bucket after a week of minute
   * buckets), most of which nothing reads but the heatmap and the clusters, once. A read gives
   * `raw[i] × k`, the number the copy held.
   */
  static scaledRanges(ranges: readonly { readonly lo: number; readonly cells: readonly number[]; readonly from: number; readonly to: number }[], k: number): DenseLevels[] {
    const out = new Array<DenseLevels>(ranges.length);
    for (let m = 0; m < ranges.length; m++) {
      const { lo: base, cells: src, from, to } = ranges[m]!;
      let a = from - base;
      let b = to - base;
      while (a <= b && src[a] === 0) a++;
      while (b >= a && src[b] === 0) b--;
      out[m] = a <= b ? new DenseLevels(a + base, src.slice(a, b + 1), k) : DenseLevels.EMPTY;
    }
    return out;
  }

  /** Value per price bucket from `lo` (0: no entry), scaled: built on first use (level spread reads it; the map reads do not). */
  get cells(): readonly number[] {
    if (this.#scaled === null) {
      const { raw, k } = this;
      if (k === 1) this.#scaled = raw;
      else {
        const cells = new Array<number>(raw.length);
        for (let i = 0; i < raw.length; i++) cells[i] = raw[i]! * k;
        this.#scaled = cells;
      }
    }
    return this.#scaled;
  }

  get size(): number {
    if (this.#size < 0) {
      const { raw, k } = this;
      let n = 0;
      for (let i = 0; i < raw.length; i++) if (raw[i]! * k !== 0) n++;
      this.#size = n;
    }
    return this.#size;
  }

  get(i: number): number | undefined {
    const v = this.raw[i - this.lo];
    if (v === undefined) return undefined;
    const x = v * this.k;
    return x === 0 ? undefined : x;
  }

  has(i: number): boolean {
    return this.get(i) !== undefined;
  }

  forEach(fn: (value: number, key: number, map: ReadonlyMap<number, number>) => void): void {
    const { lo, raw, k } = this;
    for (let x = 0; x < raw.length; x++) {
      const v = raw[x]! * k;
      if (v !== 0) fn(v, lo + x, this);
    }
  }

  *entries(): MapIterator<[number, number]> {
    const { lo, raw, k } = this;
    for (let x = 0; x < raw.length; x++) {
      const v = raw[x]! * k;
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
