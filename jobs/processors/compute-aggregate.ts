import { commonStep, detectClusters, mapLevels, modelParamsHash, sumLevelMaps, type LevelSnapshot, type ModelParams } from '../../engine/index.js';
import {
  acquireComputeLease,
  aggregateMarkets,
  aggregatePartId,
  copyClusters,
  copyHeatmapRows,
  hasPositions,
  latestModelCheckpoint,
  marketDataState,
  newestHeatmapRowT,
  parseAggregateId,
  partChanges,
  readAggregate,
  readHeatmapRowAt,
  readHeatmapRows,
  rollbackAggregate,
  saveAggregate,
  type AggregatePart,
  type ClusterRow,
  type HeatmapRow,
  type Store,
} from '../../db/index.js';
import { toHeatmapRow } from './heatmap-row.js';
import { requestedParamsHash } from '../served-sets.js';
import { effectiveParams } from './effective-params.js';
import type { ComputeInput, ComputeOutcome, ProgressFn } from './compute-market.js';

/** A part's levels count for this long past its newest row (a venue's feed that lags is carried, not dropped at once), ms. */
export const PART_CARRY_MS = 3_600_000;
/** Aggregate buckets per committed chunk. */
const CHUNK_BUCKETS = 1440;

/** Computes one market's results (compute-market.ts passes itself, so the two files do not import each other). */
export type ComputePart = (store: Store, input: ComputeInput) => Promise<ComputeOutcome>;

/**
 * Sums an aggregate (`agg:BTC/binance+bybit`: a base asset over venues) from its parts'
 * persisted results, after bringing each part up to date. Convention (README, "Aggregation
 * across venues"):
 * - parts: every market of the base on the venues quoted in USDT, USDC or USD, added 1:1;
 * - time grid: the widest part bucket; each part contributes the row standing at the end of each
 *   aggregate bucket, carried at most {@link PART_CARRY_MS} past its newest row;
 * - reference venue: the first part present in registry venue order (binance, bybit, okx,
 *   hyperliquid, …); each part's levels move by P_ref / P_part at the same bucket (basis);
 * - price grid: per bucket, the least common multiple of the present parts' steps; each moved
 *   bucket lands whole where its midpoint falls (notional is conserved exactly).
 * Only buckets from where a part changed since the last run are re-summed.
 */
export async function computeAggregate(store: Store, input: ComputeInput, computePart: ComputePart, progress?: ProgressFn): Promise<ComputeOutcome> {
  const id = parseAggregateId(input.market);
  if (!id) throw new TypeError(`computeAggregate: ${input.market} is not an aggregate id`);
  const partial = input.params ?? {};
  const hash = requestedParamsHash(partial);
  const lease = await acquireComputeLease(store, input.market, undefined, input.jobId);
  try {
    const markets = await aggregateMarkets(store, id.symbol, id.venues);
    const prev = await readAggregate(store, input.market, hash);
    const parts: (AggregatePart & { params: ModelParams })[] = [];
    for (const { market, venue } of markets) {
      const cp0 = await latestModelCheckpoint(store, market, (await effective(store, market, partial)).hash);
      const ds = await marketDataState(store, market);
      if (!cp0 || (ds && cp0.dataVersion < ds.version)) await computePart(store, { market, params: partial, noAggregates: true });
      const { params, hash: partHash } = await effective(store, market, partial);
      parts.push({ market, venue, paramsHash: partHash, params, basis: (await hasPositions(store, market)) ? 'EXACT' : 'ESTIMATED', widthMs: params.timeBucketSeconds * 1000, rowsVersion: 0 });
      await lease.renew();
    }
    const width = Math.max(60_000, ...parts.map((p) => p.widthMs));
    const same = prev !== null && prev.lastT !== null && prev.parts.length === parts.length && prev.parts.every((p, i) => p.market === parts[i]!.market && p.paramsHash === parts[i]!.paramsHash && p.widthMs === parts[i]!.widthMs);
    // From where to re-sum: the first changed bucket of any part (everything when the parts changed).
    let from = Infinity;
    let end = -Infinity;
    for (const [i, p] of parts.entries()) {
      const ch = await partChanges(store, p.market, p.paramsHash, same ? prev!.parts[i]!.rowsVersion : -1);
      parts[i] = { ...p, rowsVersion: ch.version };
      if (ch.fromMs !== null) from = Math.min(from, ch.fromMs);
      const last = await newestHeatmapRowT(store, p.market, p.paramsHash);
      if (last !== null) end = Math.max(end, last + p.widthMs);
    }
    const stored = parts.map(({ params: _p, ...rest }) => rest);
    let buckets = 0;
    if (Number.isFinite(from) && Number.isFinite(end)) {
      from = Math.floor(from / width) * width;
      await rollbackAggregate(store, input.market, hash, from);
      // The row each part stands on at `from` (carried into the first buckets).
      const standing = await Promise.all(parts.map((p) => readHeatmapRowAt(store, p.market, p.paramsHash, from - 1)));
      const total = Math.ceil((end - from) / width);
      for (let c = from; c < end; c += CHUNK_BUCKETS * width) {
        const to = Math.min(c + CHUNK_BUCKETS * width, end);
        const rows = await Promise.all(parts.map((p) => readHeatmapRows(store, p.market, p.paramsHash, c - p.widthMs + 1, to - 1)));
        const cursor = parts.map(() => 0);
        const sums: HeatmapRow[] = [];
        const moved = new Map<string, HeatmapRow[]>(parts.map((p) => [p.market, []]));
        const clusters: ClusterRow[] = [];
        for (let t = c; t < to; t += width) {
          // Each part's row standing at the end of [t, t + width).
          const present: { part: (typeof parts)[number]; row: HeatmapRow }[] = [];
          parts.forEach((part, i) => {
            const list = rows[i]!;
            while (cursor[i]! < list.length && list[cursor[i]!]!.t + part.widthMs <= t + width) standing[i] = list[cursor[i]!++]!;
            const row = standing[i];
            if (row && t + width - (row.t + part.widthMs) < PART_CARRY_MS) present.push({ part, row });
          });
          if (present.length === 0) continue;
          const snap = sumBucket(t, present.map((x) => x.row), (part) => moved.get(present[part]!.part.market)!);
          sums.push(toHeatmapRow(snap, parts.reduce((a, p) => a + p.rowsVersion, 0)));
          detectClusters(snap, { limit: 10 }).forEach((cl, rank) => clusters.push({ t, rank, ...cl }));
        }
        await store.rawTransaction(async (tx) => {
          await copyHeatmapRows(tx, input.market, hash, sums);
          for (const [market, list] of moved) await copyHeatmapRows(tx, aggregatePartId(input.market, market), hash, list);
          await copyClusters(tx, input.market, hash, clusters);
        });
        buckets += sums.length;
        await lease.renew();
        await progress?.(Math.round((to - from) / width), total);
      }
    }
    const lastT = await newestHeatmapRowT(store, input.market, hash);
    await saveAggregate(store, { aggId: input.market, paramsHash: hash, symbol: id.symbol, venues: id.venues, params: partial as Record<string, unknown>, parts: stored, lastT });
    return { market: input.market, paramsHash: hash, buckets, lastT, rolledBack: 0, dataVersion: stored.reduce((a, p) => a + p.rowsVersion, 0) };
  } finally {
    await lease.release();
  }
}

async function effective(store: Store, market: string, partial: Partial<ModelParams>): Promise<{ params: ModelParams; hash: string }> {
  const params = await effectiveParams(store, market, partial);
  return { params, hash: modelParamsHash(params) };
}

/**
 * One aggregate bucket: the present parts' rows (the first is the reference) moved onto the
 * reference price and a common grid and added; each part's moved row is pushed to `movedOf(i)`.
 */
function sumBucket(t: number, rows: readonly HeatmapRow[], movedOf: (i: number) => HeatmapRow[]): LevelSnapshot {
  const refPrice = rows[0]!.price;
  const step = commonStep(rows.map((r) => r.priceStep));
  const parts = rows.map((r, i) => {
    const ratio = refPrice / r.price;
    const move = (lo: number, values: readonly number[]) => {
      const m = new Map<number, number>();
      mapLevels(m, lo, values, r.priceStep, ratio, step);
      return m;
    };
    const byLev = (side: 'long' | 'short') => new Map((r.layers ?? []).map((l) => [l.leverage, side === 'long' ? move(l.longLo, l.long) : move(l.shortLo, l.short)]));
    const snap: LevelSnapshot = {
      t,
      price: refPrice,
      priceStep: step,
      long: move(r.longLo, r.long),
      short: move(r.shortLo, r.short),
      oiLong: move(r.oiLo, r.oiLong),
      oiShort: move(r.oiLo, r.oiShort),
      longByLeverage: byLev('long'),
      shortByLeverage: byLev('short'),
      liquidatedLong: r.liquidatedLong,
      liquidatedShort: r.liquidatedShort,
    };
    movedOf(i).push(toHeatmapRow(snap, r.dataVersion));
    return snap;
  });
  const levs = (side: 'longByLeverage' | 'shortByLeverage') => {
    const out = new Map<number, Map<number, number>>();
    for (const p of parts) for (const [lev, m] of p[side]) out.set(lev, sumLevelMaps([out.get(lev) ?? new Map(), m]));
    return out;
  };
  return {
    t,
    price: refPrice,
    priceStep: step,
    long: sumLevelMaps(parts.map((p) => p.long)),
    short: sumLevelMaps(parts.map((p) => p.short)),
    oiLong: sumLevelMaps(parts.map((p) => p.oiLong)),
    oiShort: sumLevelMaps(parts.map((p) => p.oiShort)),
    longByLeverage: levs('longByLeverage'),
    shortByLeverage: levs('shortByLeverage'),
    liquidatedLong: parts.reduce((a, p) => a + p.liquidatedLong, 0),
    liquidatedShort: parts.reduce((a, p) => a + p.liquidatedShort, 0),
  };
}
