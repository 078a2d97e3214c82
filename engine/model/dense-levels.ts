/**
 * Levels of one side as a dense array from price bucket `lo`: what a snapshot holds. A snapshot
 * per bucket as hash maps was most of the model's time and garbage (thousands of cells a bucket);
 * one typed array is filled in a pass and freed whole. Read as a map (price bucket → value,
 * ascending, zero cells absent) by every consumer; the hot ones read `cells` directly.
 */
export class DenseLevels implements ReadonlyMap<number, number> {
  /** Nothing at any price. */
  static readonly EMPTY: DenseLevels = new DenseLevels(0, new Float64Array(0), 0);

  private constructor(
    /** Price bucket of `cells[0]`. */
    readonly lo: number,
    /** Value per price bucket from `lo` (0: no entry). */
    readonly cells: Float64Array,
    readonly size: number,
  ) {}

  /** `cells` from price bucket `lo` as levels (the buffer is taken, not copied). */
  static of(lo: number, cells: Float64Array): DenseLevels {
    let size = 0;
    for (let i = 0; i < cells.length; i++) if (cells[i] !== 0) size++;
    return new DenseLevels(lo, cells, size);
  }

  /**
   * Each dense range (`cells[i − lo]` for buckets `from`..`to`), trimmed of zero cells at both
   * ends and times `k`, all in one buffer: a snapshot straight from the model's dense state.
   */
  static scaledRanges(ranges: readonly { readonly lo: number; readonly cells: Float64Array; readonly from: number; readonly to: number }[], k: number): DenseLevels[] {
    const lo = new Array<number>(ranges.length);
    const hi = new Array<number>(ranges.length);
    let total = 0;
    for (let m = 0; m < ranges.length; m++) {
      const { lo: base, cells, from, to } = ranges[m]!;
      let a = from - base;
      let b = to - base;
      while (a <= b && cells[a] === 0) a++;
      while (b >= a && cells[b] === 0) b--;
      lo[m] = a + base;
      hi[m] = b + base;
      if (a <= b) total += b - a + 1;
    }
    const buf = new Float64Array(total);
    const out = new Array<DenseLevels>(ranges.length);
    let at = 0;
    for (let m = 0; m < ranges.length; m++) {
      const min = lo[m]!;
      const max = hi[m]!;
      if (!(min <= max)) {
        out[m] = DenseLevels.EMPTY;
        continue;
      }
      const { lo: base, cells: src } = ranges[m]!;
      const cells = buf.subarray(at, (at += max - min + 1));
      let size = 0;
      for (let i = 0, j = min - base; i < cells.length; i++, j++) {
        const x = src[j]! * k;
        cells[i] = x;
        if (x !== 0) size++;
      }
      out[m] = new DenseLevels(min, cells, size);
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
