/**
 * Levels of one side as a dense array from price bucket `lo`: what a snapshot holds. A snapshot
 * per bucket as hash maps was most of the model's time and garbage (thousands of cells a bucket);
 * one array is filled in a pass and freed whole. Read as a map (price bucket → value,
 * ascending, zero cells absent) by every consumer; the hot ones read `cells` directly.
 *
 * The cells are a plain array (doubles on the JS heap), not a typed array: a Float64Array of a
 * snapshot's size has its store outside the heap, and a month of minute snapshots (~2 GB of them,
 * each dropped a bucket later) drove V8's external-memory accounting into a full mark-compact
 * of the whole heap every ~1,400 buckets: with the model bench's ~260 MB held, 30 of them and
 * about half of its 30 days' time. On the heap they are scavenged young like any garbage.
 */
export class DenseLevels implements ReadonlyMap<number, number> {
  /** Nothing at any price. */
  static readonly EMPTY: DenseLevels = new DenseLevels(0, [], 0);

  private constructor(
    /** Price bucket of `cells[0]`. */
    readonly lo: number,
    /** Value per price bucket from `lo` (0: no entry). */
    readonly cells: readonly number[],
    readonly size: number,
  ) {}

  /** `cells` from price bucket `lo` as levels (the array is taken, not copied). */
  static of(lo: number, cells: readonly number[]): DenseLevels {
    let size = 0;
    for (let i = 0; i < cells.length; i++) if (cells[i] !== 0) size++;
    return new DenseLevels(lo, cells, size);
  }

  /**
   * Each dense range (`cells[i − lo]` for buckets `from`..`to`), trimmed of zero cells at both
   * ends and times `k`, each in an array of its own: a snapshot straight from the model's dense state.
   */
  static scaledRanges(ranges: readonly { readonly lo: number; readonly cells: Float64Array; readonly from: number; readonly to: number }[], k: number): DenseLevels[] {
    const out = new Array<DenseLevels>(ranges.length);
    for (let m = 0; m < ranges.length; m++) {
      const { lo: base, cells: src, from, to } = ranges[m]!;
      let a = from - base;
      let b = to - base;
      while (a <= b && src[a] === 0) a++;
      while (b >= a && src[b] === 0) b--;
      if (!(a <= b)) {
        out[m] = DenseLevels.EMPTY;
        continue;
      }
      // Sized once (no growth by push, so a kept snapshot holds no spare capacity).
      const cells = new Array<number>(b - a + 1);
      let size = 0;
      for (let i = 0, j = a; j <= b; i++, j++) {
        const x = src[j]! * k;
        cells[i] = x;
        if (x !== 0) size++;
      }
      out[m] = new DenseLevels(a + base, cells, size);
    }
    return out;
  }

  get(i: number): number | undefined {
    const v = this.cells[i - this.lo];
    return v === undefined || v === 0 ? undefined : v;
  }

  has(i: number): boolean {
    return this.get(i) !== undefined;
  }

  forEach(fn: (value: number, key: number, map: ReadonlyMap<number, number>) => void): void {
    const { lo, cells: values } = this;
    for (let x = 0; x < values.length; x++) if (values[x] !== 0) fn(values[x]!, lo + x, this);
  }

  *entries(): MapIterator<[number, number]> {
    const { lo, cells: values } = this;
    for (let x = 0; x < values.length; x++) if (values[x] !== 0) yield [lo + x, values[x]!];
  }

  *keys(): MapIterator<number> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): MapIterator<number> {
    for (const v of this.cells) if (v !== 0) yield v;
  }

  [Symbol.iterator](): MapIterator<[number, number]> {
    return this.entries();
  }
}
