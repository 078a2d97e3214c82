/** Cells per chunk, as a power of two. */
const SHIFT = 6;
const SIZE = 1 << SHIFT;
const MASK = SIZE - 1;

function zeros(n: number): number[] {
  // By push: an array with no holes for V8 to check on each read.
  const a: number[] = [];
  for (let i = 0; i < n; i++) a.push(0);
  return a;
}

/**
 * A window of the model's cells (doubles, 0 where nothing is) in chunks of 64, copied on write:
 * a snapshot {@link share}s the chunks of a range (an array of references, ~1/64 of its cells)
 * and the next write to a shared chunk copies that chunk first. A bucket writes a few dozen
 * cells (its openings, liquidations, closes), so its snapshot costs those chunks, not a copy of
 * every standing cell: the copy grew with the cells a week of cohorts covers (5,000-9,000 a
 * minute bucket against 1,750 on the first day) and was most of a month's model steps.
 * Plain arrays, not Float64Arrays: a typed array's store lives outside the JS heap (see dense-levels.ts).
 */
export class SharedCells {
  #chunks: number[][] = [];
  /** Per chunk, the epoch it was last copied in: writable in place while that is the current one. */
  #stamp: number[] = [];
  /** Advanced by each share: every chunk is then shared until copied. */
  #epoch = 0;

  constructor(readonly length: number) {
    for (let c = 0; c < (length + MASK) >> SHIFT; c++) {
      this.#chunks.push(zeros(SIZE));
      this.#stamp.push(0);
    }
  }

  /** Cells holding `values` from 0. */
  static from(values: readonly number[]): SharedCells {
    const x = new SharedCells(values.length);
    for (let i = 0; i < values.length; i++) x.set(i, values[i]!);
    return x;
  }

  get(i: number): number {
    return this.#chunks[i >> SHIFT]![i & MASK]!;
  }

  #own(c: number): number[] {
    let ch = this.#chunks[c]!;
    if (this.#stamp[c] !== this.#epoch) {
      ch = ch.slice();
      this.#chunks[c] = ch;
      this.#stamp[c] = this.#epoch;
    }
    return ch;
  }

  /** Adds `v` to cell `i` (as `a[i] = a[i] + v`). */
  add(i: number, v: number): void {
    const ch = this.#own(i >> SHIFT);
    const j = i & MASK;
    ch[j] = ch[j]! + v;
  }

  /** Sets cell `i` (a shared chunk is not copied to write the value it holds). */
  set(i: number, v: number): void {
    if (Object.is(this.#chunks[i >> SHIFT]![i & MASK], v)) return;
    this.#own(i >> SHIFT)[i & MASK] = v;
  }

  /** The chunks holding cells `a`..`b` and where `a` is in the first, shared from now on (see {@link DenseLevels.scaledRanges}). */
  share(a: number, b: number): { chunks: readonly (readonly number[])[]; off: number; shift: number } {
    const chunks = this.#chunks.slice(a >> SHIFT, (b >> SHIFT) + 1);
    this.#epoch++;
    return { chunks, off: a & MASK, shift: SHIFT };
  }
}
