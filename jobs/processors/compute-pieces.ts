/**
 * Edges of the pieces a compute range [fromMs, endMs) is aggregated and committed in: every
 * `pieceBuckets` whole buckets from `fromMs`, and at `openMs` (a live market's newest bucket is a
 * piece of its own, so the next batch's rollback of it leaves the checkpoint before it standing).
 * Edges are bucket starts: no bucket is split between two pieces.
 */
export function pieceEdges(fromMs: number, endMs: number, openMs: number, pieceBuckets: number, widthMs: number): number[] {
  const edges = [fromMs];
  for (let a = fromMs; a < endMs; ) {
    let b = Math.min(a + pieceBuckets * widthMs, endMs);
    if (a < openMs && b > openMs) b = openMs;
    edges.push(b);
    a = b;
  }
  return edges;
}

/**
 * `load` of each item, yielded in the items' order, with at most `concurrency` loads running:
 * the consumer works on one result while the next ones load. A load that fails is thrown when
 * its turn comes (never as an unhandled rejection, also when the consumer stops early).
 */
export async function* loadInOrder<T, R>(items: readonly T[], concurrency: number, load: (item: T) => Promise<R>): AsyncGenerator<R> {
  const started: Promise<R>[] = [];
  const start = (i: number) => {
    if (i >= items.length || started[i]) return;
    const p = load(items[i]!);
    p.catch(() => {});
    started[i] = p;
  };
  for (let i = 0; i < Math.min(concurrency, items.length); i++) start(i);
  for (let i = 0; i < items.length; i++) {
    start(i);
    const r = await started[i]!;
    start(i + concurrency);
    yield r;
  }
}
