import { Decimal } from 'decimal.js';
import type { ModelParams } from '../model/params.js';
import type { LevelSnapshot, ModelEvent } from '../model/types.js';
import { niceStep } from '../model/price-grid.js';

/**
 * The reference engine: the whole estimated model, written the slow and obvious way so that
 * it can be read in one sitting and trusted. Exact decimal arithmetic throughout, raw events
 * in, one explicit virtual position per (bucket, side, leverage), nothing merged, nothing
 * cached. The fast model (model/heatmap-model.ts) must agree with it.
 */
const D = Decimal.clone({ precision: 50, rounding: Decimal.ROUND_HALF_UP });
type D = InstanceType<typeof D>;

interface Position {
  long: boolean;
  leverage: number;
  entry: D;
  entryIdx: number;
  fundingAtEntry: D;
  size: D;
}

interface Bucket {
  t: number;
  open: D | null;
  high: D | null;
  low: D | null;
  close: D | null;
  firstTs: number;
  lastTs: number;
  pq: D;
  q: D;
  buy: D;
  sell: D;
  candle: { ts: number; h: D; l: D; c: D; v: D } | null;
  oi: D | null;
  oiTs: number;
  funding: D | null;
  mark: D | null;
  markTs: number;
  liqLong: D;
  liqShort: D;
}

/** Groups events into time buckets exactly as the fast path's aggregation documents. */
function buckets(events: readonly ModelEvent[], seconds: number) {
  const width = seconds * 1000;
  const byT = new Map<number, Bucket>();
  for (const e of events) {
    const t = Math.floor(e.ts / 1000 / width) * width;
    let b = byT.get(t);
    if (!b) {
      b = { t, open: null, high: null, low: null, close: null, firstTs: Infinity, lastTs: -Infinity, pq: new D(0), q: new D(0), buy: new D(0), sell: new D(0), candle: null, oi: null, oiTs: -Infinity, funding: null, mark: null, markTs: -Infinity, liqLong: new D(0), liqShort: new D(0) };
      byT.set(t, b);
    }
    if (e.kind === 'trade') {
      const p = new D(e.price);
      const q = new D(e.qty);
      if (e.ts < b.firstTs) { b.firstTs = e.ts; b.open = p; }
      if (e.ts >= b.lastTs) { b.lastTs = e.ts; b.close = p; }
      b.high = b.high === null ? p : D.max(b.high, p);
      b.low = b.low === null ? p : D.min(b.low, p);
      b.pq = b.pq.add(p.mul(q));
      b.q = b.q.add(q);
      if (e.side === 'buy') b.buy = b.buy.add(q);
      else if (e.side === 'sell') b.sell = b.sell.add(q);
      else {
        b.buy = b.buy.add(q.div(2));
        b.sell = b.sell.add(q.div(2));
      }
    } else if (e.kind === 'candle') {
      if (!b.candle) b.candle = { ts: e.ts, h: new D(e.high), l: new D(e.low), c: new D(e.close), v: new D(e.volume ?? 0) };
      else {
        if (e.ts >= b.candle.ts) {
          b.candle.ts = e.ts;
          b.candle.c = new D(e.close);
        }
        b.candle.h = D.max(b.candle.h, e.high);
        b.candle.l = D.min(b.candle.l, e.low);
        b.candle.v = b.candle.v.add(e.volume ?? 0);
      }
    } else if (e.kind === 'open_interest') {
      if (e.ts >= b.oiTs) { b.oiTs = e.ts; b.oi = new D(e.oiQty); }
    } else if (e.kind === 'funding') {
      b.funding = (b.funding ?? new D(0)).add(e.rate);
    } else if (e.kind === 'liquidation') {
      if (e.side !== null) {
        const n = e.notional !== null ? new D(e.notional) : e.qty !== null ? new D(e.price).mul(e.qty) : new D(0);
        if (e.side === 'sell') b.liqLong = b.liqLong.add(n);
        else b.liqShort = b.liqShort.add(n);
      }
    } else if (e.ts >= b.markTs) {
      b.markTs = e.ts;
      b.mark = new D(e.markPrice);
    }
  }
  const out: { t: number; high: D; low: D; close: D; vwap: D; buy: D; sell: D; oi: D | null; funding: D | null; realizedLong: D; realizedShort: D }[] = [];
  let carryFunding: D | null = null;
  let carryOi: D | null = null;
  let carryLong = new D(0);
  let carryShort = new D(0);
  for (const b of [...byT.values()].sort((x, y) => x.t - y.t)) {
    if (b.funding) carryFunding = (carryFunding ?? new D(0)).add(b.funding);
    if (b.oi) carryOi = b.oi;
    carryLong = carryLong.add(b.liqLong);
    carryShort = carryShort.add(b.liqShort);
    let bar: { high: D; low: D; close: D; vwap: D; buy: D; sell: D } | null = null;
    if (b.close) bar = { high: b.high!, low: b.low!, close: b.close, vwap: b.q.gt(0) ? b.pq.div(b.q) : b.close, buy: b.buy, sell: b.sell };
    else if (b.candle) bar = { high: b.candle.h, low: b.candle.l, close: b.candle.c, vwap: b.candle.h.add(b.candle.l).add(b.candle.c).div(3), buy: b.candle.v.div(2), sell: b.candle.v.div(2) };
    else if (b.mark) bar = { high: b.mark, low: b.mark, close: b.mark, vwap: b.mark, buy: new D(0), sell: new D(0) };
    if (!bar) continue;
    out.push({ t: b.t, ...bar, oi: carryOi, funding: carryFunding, realizedLong: carryLong, realizedShort: carryShort });
    carryFunding = null;
    carryOi = null;
    carryLong = new D(0);
    carryShort = new D(0);
  }
  return out;
}

function liquidationPrice(p: Position, cumFunding: D, mmr: D, c: D): D {
  const f = cumFunding.sub(p.fundingAtEntry);
  const invL = new D(1).div(p.leverage);
  return p.long ? p.entry.mul(new D(1).sub(invL).add(f).sub(c)).div(new D(1).sub(mmr)) : p.entry.mul(new D(1).add(invL).add(f).add(c)).div(new D(1).add(mmr));
}

function addTo(m: Map<number, D>, k: number, v: D): void {
  m.set(k, (m.get(k) ?? new D(0)).add(v));
}

/**
 * Replays raw events through the model and returns the levels at the end of every bucket,
 * converted to numbers only at the very end.
 */
export function referenceReplay(events: readonly ModelEvent[], params: ModelParams): LevelSnapshot[] {
  const mmr = new D(params.maintenanceMarginRate);
  const cum = new D(params.maintenanceAmountFraction);
  let positions: Position[] = [];
  let step: D | null = null;
  let stepNum = 0;
  let lastT: number | null = null;
  let lastOi: D | null = null;
  let seenOi = false;
  let cumFunding = new D(0);
  const out: LevelSnapshot[] = [];

  for (const b of buckets(events, params.timeBucketSeconds)) {
    if (step === null) {
      stepNum = niceStep(b.close.toNumber(), params.priceBucketFraction);
      step = new D(stepNum);
    }
    // 1. decay
    if (params.halfLifeHours > 0 && lastT !== null) {
      const factor = new D(0.5).pow(new D(b.t - lastT).div(3_600_000).div(params.halfLifeHours));
      for (const p of positions) p.size = p.size.mul(factor);
    }
    lastT = b.t;
    // 2. funding
    if (b.funding && params.fundingAdjusted) cumFunding = cumFunding.add(b.funding);
    // 3. liquidations
    let liqLong = new D(0);
    let liqShort = new D(0);
    positions = positions.filter((p) => {
      const lp = liquidationPrice(p, cumFunding, mmr, cum);
      const hit = p.long ? b.low.lte(lp) : b.high.gte(lp);
      if (hit) {
        if (p.long) liqLong = liqLong.add(p.size.mul(lp));
        else liqShort = liqShort.add(p.size.mul(lp));
      }
      return !hit;
    });
    // 3b. realized force orders beyond the crossed levels remove the levels nearest the price
    for (const long of [true, false]) {
      let excess = (long ? b.realizedLong : b.realizedShort).sub(long ? liqLong : liqShort);
      if (excess.lte(0)) continue;
      let removed = new D(0);
      const side = positions.filter((p) => p.long === long).map((p) => ({ p, lp: liquidationPrice(p, cumFunding, mmr, cum) }));
      side.sort((x, y) => (long ? y.lp.cmp(x.lp) : x.lp.cmp(y.lp)));
      for (const { p, lp } of side) {
        if (excess.lte(0)) break;
        const notional = p.size.mul(lp);
        const cut = D.min(notional, excess);
        p.size = p.size.sub(cut.div(lp));
        excess = excess.sub(cut);
        removed = removed.add(cut);
      }
      positions = positions.filter((p) => p.size.gt(0));
      if (long) liqLong = liqLong.add(removed);
      else liqShort = liqShort.add(removed);
    }
    // 4. open-interest change
    let delta: D;
    if (b.oi) {
      delta = seenOi && lastOi ? b.oi.sub(lastOi) : new D(0);
      seenOi = true;
      lastOi = b.oi;
    } else {
      delta = seenOi ? new D(0) : b.buy.add(b.sell).mul(params.participation);
    }
    if (delta.gt(0)) {
      const flow = b.buy.add(b.sell);
      const imbalance = flow.gt(0) ? b.buy.sub(b.sell).div(flow) : new D(0);
      const longShare = new D(0.5).add(new D(0.5).mul(params.imbalanceWeight).mul(imbalance));
      const entryIdx = b.vwap.div(step).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();
      for (const { leverage, weight } of params.leverages) {
        for (const long of [true, false]) {
          // Δ of longs and Δ of shorts (OI counts one side), tilted by flow.
          const size = delta.mul(weight).mul(2).mul(long ? longShare : new D(1).sub(longShare));
          if (size.gt(0)) positions.push({ long, leverage, entry: step.mul(entryIdx), entryIdx, fundingAtEntry: cumFunding, size });
        }
      }
    } else if (delta.lt(0)) {
      const total = positions.reduce((s, p) => s.add(p.size), new D(0));
      if (total.gt(0)) {
        // total holds both sides (2 × OI): Δ closes Δ on each side.
        const keep = D.max(0, new D(1).sub(delta.neg().mul(2).div(total)));
        for (const p of positions) p.size = p.size.mul(keep);
      }
    }
    // 5. snapshot
    const long = new Map<number, D>();
    const short = new Map<number, D>();
    const oiLong = new Map<number, D>();
    const oiShort = new Map<number, D>();
    const byLev = { long: new Map<number, Map<number, D>>(), short: new Map<number, Map<number, D>>() };
    for (const p of positions) {
      if (p.size.isZero()) continue;
      const lp = liquidationPrice(p, cumFunding, mmr, cum);
      if (lp.lte(0)) continue;
      const idx = lp.div(step).floor().toNumber();
      const notional = p.size.mul(lp);
      addTo(p.long ? long : short, idx, notional);
      addTo(p.long ? oiLong : oiShort, p.entryIdx, p.size.mul(p.entry));
      const m = p.long ? byLev.long : byLev.short;
      if (!m.has(p.leverage)) m.set(p.leverage, new Map());
      addTo(m.get(p.leverage)!, idx, notional);
    }
    const num = (m: Map<number, D>) => new Map([...m].map(([k, v]) => [k, v.toNumber()]));
    const numLev = (m: Map<number, Map<number, D>>) => new Map([...m].map(([k, v]) => [k, num(v)]));
    out.push({
      t: b.t,
      price: b.close.toNumber(),
      priceStep: stepNum,
      long: num(long),
      short: num(short),
      oiLong: num(oiLong),
      oiShort: num(oiShort),
      longByLeverage: numLev(byLev.long),
      shortByLeverage: numLev(byLev.short),
      liquidatedLong: liqLong.toNumber(),
      liquidatedShort: liqShort.toNumber(),
    });
  }
  return out;
}
