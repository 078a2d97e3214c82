import type { LevelSnapshot } from '../../engine/index.js';
import type { HeatmapRow, LeverageLayer } from '../../db/index.js';

/** Levels farther than this from the price are not persisted (fraction of price). */
export const PERSIST_WINDOW = 0.5;
function dense(map: ReadonlyMap<number, number>, lo: number, hi: number): { lo: number; values: number[] } {
  let min = Infinity;
  let max = -Infinity;
  // forEach, not for-of: a snapshot's dense levels are read in a plain loop (no iterator objects).
  map.forEach((v, k) => {
    if (k < lo || k > hi || v === 0) return;
    if (k < min) min = k;
    if (k > max) max = k;
  });
  if (!Number.isFinite(min)) return { lo: 0, values: [] };
  const values = new Array<number>(max - min + 1).fill(0);
  map.forEach((v, k) => {
    if (k >= min && k <= max) values[k - min] = v;
  });
  return { lo: min, values };
}

/** Per leverage (ascending), its levels inside the same window as the totals: they add up to them. */
function leverageLayers(s: LevelSnapshot, lo: number, hi: number): LeverageLayer[] {
  const levs = [...new Set([...s.longByLeverage.keys(), ...s.shortByLeverage.keys()])].sort((a, b) => a - b);
  const none = new Map<number, number>();
  return levs.map((leverage) => {
    const long = dense(s.longByLeverage.get(leverage) ?? none, lo, hi);
    const short = dense(s.shortByLeverage.get(leverage) ?? none, lo, hi);
    return { leverage, longLo: long.lo, long: long.values, shortLo: short.lo, short: short.values };
  });
}

/** A snapshot as a persisted row (levels within ±50% of the price, in total and per leverage). */
export function toHeatmapRow(s: LevelSnapshot, dataVersion: number): HeatmapRow {
  const lo = Math.floor((s.price * (1 - PERSIST_WINDOW)) / s.priceStep);
  const hi = Math.ceil((s.price * (1 + PERSIST_WINDOW)) / s.priceStep);
  const long = dense(s.long, lo, hi);
  const short = dense(s.short, lo, hi);
  const oiL = dense(s.oiLong, lo, hi);
  const oiS = dense(s.oiShort, lo, hi);
  // Both OI arrays share one origin so a client can add them.
  const oiLo = Math.min(oiL.values.length ? oiL.lo : Infinity, oiS.values.length ? oiS.lo : Infinity);
  const oiHi = Math.max(oiL.values.length ? oiL.lo + oiL.values.length - 1 : -Infinity, oiS.values.length ? oiS.lo + oiS.values.length - 1 : -Infinity);
  const oiLong = Number.isFinite(oiLo) ? dense(s.oiLong, oiLo, oiHi) : { lo: 0, values: [] };
  const pad = (d: { lo: number; values: number[] }) => (Number.isFinite(oiLo) ? Array.from({ length: oiHi - oiLo + 1 }, (_, i) => d.values[i + oiLo - d.lo] ?? 0) : []);
  return {
    t: s.t,
    price: s.price,
    priceStep: s.priceStep,
    longLo: long.lo,
    long: long.values,
    shortLo: short.lo,
    short: short.values,
    oiLo: Number.isFinite(oiLo) ? oiLo : 0,
    oiLong: pad(oiLong),
    oiShort: pad(oiS),
    liquidatedLong: s.liquidatedLong,
    liquidatedShort: s.liquidatedShort,
    dataVersion,
    layers: leverageLayers(s, lo, hi),
  };
}

