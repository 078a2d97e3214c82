/**
 * Moving one venue's levels onto another venue's price and a common grid (aggregation across
 * venues). A level of venue v at price p, standing at a time when v trades at Pᵥ and the
 * reference venue at P_ref, is where the reference's price would be when v's reaches p: at
 * p × P_ref / Pᵥ (the basis between the venues is taken as constant over the level's distance).
 */

/**
 * Adds dense levels (`values[x]` is price bucket `lo + x` of a grid of `step` quote) moved by
 * `ratio` (P_ref / Pᵥ) onto the grid of `target` quote into `into` (target bucket → notional).
 * Each bucket lands whole in the target bucket that holds its moved midpoint, so notional is
 * conserved exactly (no bucket is split; at ratio 1 on a grid that is a multiple of `step`, each
 * lands in the bucket that contains it).
 */
export function mapLevels(into: Map<number, number>, lo: number, values: readonly number[], step: number, ratio: number, target: number): void {
  for (let x = 0; x < values.length; x++) {
    const v = values[x]!;
    if (v === 0) continue;
    const j = Math.floor(((lo + x + 0.5) * step * ratio) / target + 1e-9);
    into.set(j, (into.get(j) ?? 0) + v);
  }
}

/** The sum of level maps (bucket → notional), as a new map. */
export function sumLevelMaps(maps: readonly ReadonlyMap<number, number>[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const m of maps) for (const [k, v] of m) out.set(k, (out.get(k) ?? 0) + v);
  return out;
}
