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

/** The chunk every chunk not yet written holds (never written: a write copies it first). */
const ZERO: readonly number[] = Object.freeze(zeros(SIZE));

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
    // Chunks are the zero chunk until written (a window is mostly empty, and the level spread allocates windows as it re-spreads).
    for (let c = 0; c < (length + MASK) >> SHIFT; c++) {
      this.#chunks.push(ZERO as number[]);
      this.#stamp.push(-1);
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

  /**
   * The chunk holding cell `i`, writable (copied first if shared): cell `i` is its element
   * `i & (CHUNK - 1)`, and the cells of the rest of the chunk follow. For loops writing many cells.
   */
  writable(i: number): number[] {
    return this.#own(i >> SHIFT);
  }

  /** The chunk holding cell `i`, to read (cell `i` is its element `i & (CHUNK - 1)`). */
  chunk(i: number): readonly number[] {
    return this.#chunks[i >> SHIFT]!;
  }

  /** Cells per chunk (see {@link writable}). */
  static readonly CHUNK = SIZE;

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
