import { sumLayers, type HeatmapRow } from '../../db/index.js';
import { detectClusters, type Cluster, type LevelSnapshot, type ModelParams } from '../../engine/index.js';
import { userError } from '../errors.js';

/** The leverage layers results of some parameter sets keep: their mixes' leverages, and any whole leverage of exact (on-chain) results. */
export interface LeverageLayers {
  readonly mix: ReadonlySet<number>;
  readonly exact: boolean;
}

/** The layers of results computed under `params` (EXACT: positions' own leverages, rounded to whole ×). */
export function layersOf(sets: readonly { params: ModelParams; exact: boolean }[]): LeverageLayers {
  return { mix: new Set(sets.filter((s) => !s.exact).flatMap((s) => s.params.leverages.map((l) => l.leverage))), exact: sets.some((s) => s.exact) };
}

/**
 * The `leverages:` argument, checked against the layers the results keep: null when omitted
 * (every leverage); an empty list is BAD_USER_INPUT; a leverage that is no layer is
 * UNKNOWN_LEVERAGE naming it and the layers there are.
 */
export function checkLeverages(leverages: readonly number[] | null | undefined, layers: LeverageLayers): number[] | undefined {
  if (leverages == null) return undefined;
  if (leverages.length === 0) throw userError('BAD_USER_INPUT', 'leverages: name at least one leverage (×), or omit it for every leverage');
  const known = [...layers.mix].sort((a, b) => a - b);
  for (const l of leverages) {
    if (layers.mix.has(l) || (layers.exact && Number.isInteger(l) && l >= 1)) continue;
    const exact = layers.exact ? ' and, for exact (on-chain) results, any whole leverage of 1× or more' : '';
    throw userError('UNKNOWN_LEVERAGE', `leverage ${l}× is not a layer of these results: the layers are ${known.length ? known.map((k) => `${k}×`).join(', ') : 'none of an estimated mix'}${exact} (the leverage mix of the parameter set, model.leverages)`, { leverage: l, leverages: known });
  }
  return [...new Set(leverages)];
}

/** A persisted row with only the liquidation levels of `leverages` (NOT_READY for a row computed before layers were kept). */
export function rowOfLeverages(row: HeatmapRow, leverages: readonly number[] | undefined): HeatmapRow {
  if (!leverages) return row;
  if (!row.layers) throw userError('NOT_READY', `the levels at ${new Date(row.t).toISOString()} were computed before leverage layers were kept; the workers recompute them (ask again shortly, or without leverages)`);
  const set = new Set(leverages);
  return { ...row, ...sumLayers(row.layers, set), layers: row.layers.filter((l) => set.has(l.leverage)) };
}

/** The clusters of one persisted row (its leverage layers give the composition), largest first. */
export function clustersOfRow(row: HeatmapRow, limit: number): Cluster[] {
  const dense = (lo: number, values: readonly number[]) => new Map(values.map((v, x) => [lo + x, v] as const).filter(([, v]) => v !== 0));
  const layers = row.layers ?? [];
  const snap: LevelSnapshot = {
    t: row.t,
    price: row.price,
    priceStep: row.priceStep,
    long: dense(row.longLo, row.long),
    short: dense(row.shortLo, row.short),
    oiLong: new Map(),
    oiShort: new Map(),
    longByLeverage: new Map(layers.map((l) => [l.leverage, dense(l.longLo, l.long)])),
    shortByLeverage: new Map(layers.map((l) => [l.leverage, dense(l.shortLo, l.short)])),
    liquidatedLong: row.liquidatedLong,
    liquidatedShort: row.liquidatedShort,
  };
  return detectClusters(snap, { limit });
}
