import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  aggregateBuckets,
  compareSnapshots,
  createModelState,
  detectClusters,
  parseModelParams,
  referenceModel,
  referenceReplay,
  runModel,
  scoreAccuracy,
  simulateCascade,
  stepModel,
  modelParamsHash,
  niceStep,
  PRUNE_FRACTION,
  PRUNE_PERIOD_MS,
  type BucketInput,
  type LevelSnapshot,
  type MarketBucket,
  type ModelEvent,
} from '../../engine/index.js';

const T0 = Date.UTC(2024, 0, 1);
const bucket = (i: number, o: Partial<MarketBucket> = {}): MarketBucket => ({
  t: T0 + i * 60_000,
  open: 100,
  high: 100,
  low: 100,
  close: 100,
  vwap: 100,
  buyVolume: 0,
  sellVolume: 0,
  openInterest: null,
  fundingRate: null,
  markPrice: null,
  realizedLong: 0,
  realizedShort: 0,
  ...o,
});
// The entry-price and leverage priors off: one cohort per side at the VWAP, so each level is hand-checkable.
const noPriors = { entrySpreadPoints: 1, leverageSpread: 0, levelSpread: 0 } as const;
const one10x = parseModelParams({ ...noPriors, leverages: [{ leverage: 10, weight: 1 }], maintenanceMarginRate: 0.005, halfLifeHours: 0, imbalanceWeight: 0, priceBucketFraction: 0.001, seedWarmupHours: 0 });
const total = (m: ReadonlyMap<number, number>) => [...m.values()].reduce((s, v) => s + v, 0);

describe('the estimated model on hand-checked scenarios', () => {
  it('opens one cohort per side at the VWAP and places its liquidation at entry × (1 ∓ 1/L ± …)/(1 ∓ mmr)', () => {
    const s = createModelState(one10x);
    stepModel(s, bucket(0, { openInterest: 0 }));
    const snap = stepModel(s, bucket(1, { openInterest: 10, vwap: 100 }));
    expect(snap.priceStep).toBe(0.1);
    // long: 100 × 0.9 / 0.995 = 90.452…; short: 100 × 1.1 / 1.005 = 109.452…
    expect([...snap.long.keys()]).toEqual([904]);
    expect([...snap.short.keys()]).toEqual([1094]);
    // OI counts one side: +10 opens 10 of longs and 10 of shorts.
    expect(snap.long.get(904)).toBeCloseTo(10 * ((100 * 0.9) / 0.995), 9);
    expect(total(snap.oiLong)).toBeCloseTo(1000, 9);
    expect(total(snap.oiShort)).toBeCloseTo(1000, 9);
  });

  it('removes a level when the bucket trades through it, and reports it liquidated', () => {
    const s = createModelState(one10x);
    stepModel(s, bucket(0, { openInterest: 10 }));
    const through = stepModel(s, bucket(2, { low: 90.4, close: 91 }));
    expect(through.long.size).toBe(0);
    expect(through.liquidatedLong).toBeCloseTo(10 * ((100 * 0.9) / 0.995), 9);
    expect(through.short.size).toBe(1);
  });

  it('closes positions proportionally when open interest falls, and tilts new exposure to the taker side', () => {
    const tilted = parseModelParams({ ...one10x, imbalanceWeight: 1 });
    const s = createModelState(tilted);
    stepModel(s, bucket(0, { openInterest: 0 }));
    const opened = stepModel(s, bucket(1, { openInterest: 10, buyVolume: 3, sellVolume: 1 }));
    expect(total(opened.oiLong) / total(opened.oiShort)).toBeCloseTo(0.75 / 0.25, 9);
    // 15 long + 5 short at 100; OI 10 → 5 closes half of every level.
    const closed = stepModel(s, bucket(2, { openInterest: 5 }));
    expect(total(closed.oiLong)).toBeCloseTo(750, 9);
    expect(total(closed.oiShort)).toBeCloseTo(250, 9);
  });

  it('moves levels with the funding paid since entry', () => {
    const s = createModelState(one10x);
    stepModel(s, bucket(0, { openInterest: 10 }));
    const after = stepModel(s, bucket(2, { openInterest: 10, fundingRate: 0.01 }));
    // Longs paid 1%: (0.9 + 0.01)/0.995 → 91.457…; shorts received: (1.1 + 0.01)/1.005 → 110.447…
    expect([...after.long.keys()]).toEqual([914]);
    expect([...after.short.keys()]).toEqual([1104]);
  });

  it('infers new positions from volume when there is no open-interest data, and decays them', () => {
    const p = parseModelParams({ ...one10x, participation: 0.5, halfLifeHours: 1 });
    const s = createModelState(p);
    const a = stepModel(s, bucket(0, { buyVolume: 10, sellVolume: 10 }));
    expect(total(a.oiLong) + total(a.oiShort)).toBeCloseTo(2 * 10 * 100, 9);
    const b = stepModel(s, { ...bucket(60), t: T0 + 3_600_000 });
    expect(total(b.oiLong) + total(b.oiShort)).toBeCloseTo(1000, 6);
  });

  it('lets realized force orders remove the levels nearest the price beyond what the crossing removed', () => {
    const two = parseModelParams({ ...one10x, leverages: [{ leverage: 10, weight: 0.5 }, { leverage: 5, weight: 0.5 }] });
    const s = createModelState(two);
    const opened = stepModel(s, bucket(0, { openInterest: 10 }));
    const near = opened.long.get(904)!; // the 10× longs, nearest the price
    const far = total(opened.long) - near;
    // 300 of longs were force-closed while price never reached a modelled level.
    const after = stepModel(s, bucket(2, { realizedLong: 300 }));
    expect(after.liquidatedLong).toBeCloseTo(300, 9);
    expect(after.long.get(904)).toBeCloseTo(near - 300, 9);
    expect(total(after.long) - after.long.get(904)!).toBeCloseTo(far, 9);
    expect(after.short.size).toBe(2); // shorts untouched
  });

  it('takes the maintenance rate and amount from the venue\'s brackets at the typical position notional', () => {
    const big = parseModelParams({ positionNotional: 1_000_000 });
    expect(big.maintenanceMarginRate).toBe(0.0065); // Binance BTCUSDT 600k–3M bracket
    expect(big.maintenanceAmountFraction).toBeCloseTo(950 / 1_000_000, 15);
    expect(parseModelParams({}).maintenanceMarginRate).toBe(0.004);
    expect(parseModelParams({ maintenanceMarginRate: 0.008 }).maintenanceAmountFraction).toBe(0);
    // The amount moves a long's liquidation price down by c·E/(1 − m).
    const s = createModelState(parseModelParams({ ...big, ...noPriors, leverages: [{ leverage: 10, weight: 1 }], priceBucketFraction: 0.001, halfLifeHours: 0, seedWarmupHours: 0 }));
    const snap = stepModel(s, bucket(0, { openInterest: 1 }));
    const lp = (100 * (1 - 0.1 - 950 / 1_000_000)) / (1 - 0.0065);
    expect([...snap.long.keys()]).toEqual([Math.floor(lp / 0.1)]);
  });

  it('chooses readable price steps and hashes parameters stably', () => {
    expect(niceStep(42000, 0.0005)).toBe(20);
    expect(niceStep(2500, 0.0005)).toBe(1);
    expect(niceStep(0.2, 0.0005)).toBe(0.0001);
    expect(modelParamsHash(parseModelParams({}))).toBe(modelParamsHash(parseModelParams({ timeBucketSeconds: 60 })));
    expect(modelParamsHash(parseModelParams({}))).not.toBe(modelParamsHash(parseModelParams({ halfLifeHours: 24 })));
    expect(() => parseModelParams({ leverages: [{ leverage: 500, weight: 1 }], maintenanceMarginRate: 0.01 })).toThrow(/no margin above/);
    // A decimal product that lands on a step is that step, not the one below it.
    expect(niceStep(40000, 0.0005)).toBe(20);
    expect(niceStep(0.6, 0.0005)).toBe(0.0002);
    // A parsed set parses to itself (the jobs re-parse with a candle interval).
    const parsed = parseModelParams({ positionNotional: 1_000_000 });
    expect(parseModelParams(parsed)).toEqual(parsed);
    const flat = parseModelParams({ maintenanceMarginRate: 0.008 });
    expect(parseModelParams(flat)).toEqual(flat);
  });
});

/** 80,000 BTC of open interest on a day of minute buckets wandering around 60,000. */
function btcDay(days = 1, oi: (i: number) => number = () => 80_000): MarketBucket[] {
  const out: MarketBucket[] = [];
  let price = 60_000;
  for (let i = 0; i < 1440 * days; i++) {
    price *= 1 + 0.0004 * Math.sin(i / 37) + 0.0002 * Math.cos(i / 11);
    out.push(bucket(i, { open: price, high: price * 1.0003, low: price * 0.9997, close: price, vwap: price, buyVolume: 5, sellVolume: 5, openInterest: oi(i) }));
  }
  return out;
}
const sizeHeld = (s: ReturnType<typeof createModelState>) => (s.totalSize * s.scale) / 2;

describe('the open interest standing when the data starts', () => {
  // 5× only: nothing is liquidated by the day's ±2% swings, so the held size is the placed size.
  // Sharp levels: the cells checked are the state's own (the served spread has its own test).
  const params = parseModelParams({ halfLifeHours: 0, leverages: [{ leverage: 5, weight: 1 }], levelSpread: 0 });

  it('is seeded over the warm-up window: after it the model holds the real open interest, spread over the prices traded', () => {
    const day = btcDay();
    const s = createModelState(params);
    day.slice(0, 720).forEach((b) => stepModel(s, b));
    // Time-uniform placement: half the warm-up, half the standing interest.
    expect(sizeHeld(s) / 80_000).toBeCloseTo(0.5, 2);
    let snap: LevelSnapshot | undefined;
    for (const b of day.slice(720)) snap = stepModel(s, b);
    expect(sizeHeld(s) / 80_000).toBeCloseTo(1, 6);
    // Entries follow the VWAPs of the window: the open-interest profile spans the traded range.
    const step = snap!.priceStep;
    const keys = [...snap!.oiLong.keys()];
    const lo = Math.min(...day.map((b) => b.vwap));
    const hi = Math.max(...day.map((b) => b.vwap));
    expect(Math.min(...keys) * step).toBeLessThanOrEqual(lo + step);
    expect(Math.max(...keys) * step).toBeGreaterThanOrEqual(hi - 2 * step);
    expect(total(snap!.oiLong) / (80_000 * (lo + hi) / 2)).toBeCloseTo(1, 1);
  });

  it('loses Δ / (open interest) of every level to a decrease, never whole bands: −60 BTC on 80,000 removes 0.075%', () => {
    // 80,000 BTC standing, +10 opened during the day, then −60.
    const day = btcDay(1, (i) => (i < 100 ? 80_000 : 80_010));
    const s = createModelState(params);
    let before!: LevelSnapshot;
    for (const b of day) before = stepModel(s, b);
    expect(before.long.size).toBeGreaterThan(50);
    const last = day.at(-1)!;
    const after = stepModel(s, { ...last, t: last.t + 60_000, openInterest: 79_950 });
    for (const side of ['long', 'short', 'oiLong', 'oiShort'] as const) {
      expect(after[side].size).toBe(before[side].size);
      for (const [k, v] of before[side]) expect(after[side].get(k)! / v).toBeCloseTo(1 - 60 / 80_010, 9);
    }
  });

  it('without open-interest data infers from volume, and once snapshots start a decrease removes only its share', () => {
    const s = createModelState(parseModelParams({ halfLifeHours: 0, seedWarmupHours: 0 }));
    stepModel(s, bucket(0, { buyVolume: 5, sellVolume: 5 })); // 0.5 per side inferred
    expect(sizeHeld(s)).toBeCloseTo(0.5, 12);
    stepModel(s, bucket(1, { openInterest: 1000 })); // seeds the 999.5 the model lacks
    expect(sizeHeld(s)).toBeCloseTo(1000, 9);
    const before = stepModel(s, bucket(2, { openInterest: 1000 }));
    const after = stepModel(s, bucket(3, { openInterest: 990 }));
    for (const [k, v] of before.long) expect(after.long.get(k)! / v).toBeCloseTo(0.99, 12);
  });
});

describe('open interest the model lacks', () => {
  it('reopens at the VWAP what liquidations and decay took while the real open interest stands', () => {
    const s = createModelState(parseModelParams({ ...one10x, halfLifeHours: 1 }));
    stepModel(s, bucket(0, { openInterest: 10 }));
    const an = stepModel(s, { ...bucket(0, { openInterest: 10, vwap: 101, close: 101, high: 101, low: 101 }), t: T0 + 3_600_000 });
    // An hour at a one-hour half-life took half; the other half reopened at 101.
    expect(sizeHeld(s)).toBeCloseTo(10, 9);
    expect(an.oiLong.get(1000)).toBeCloseTo(5 * 100, 9);
    expect(an.oiLong.get(1010)).toBeCloseTo(5 * 101, 9);
  });

  it('seeds afresh after a gap of more than a day, so far older data leaves no trace', () => {
    const p = parseModelParams({ halfLifeHours: 48, seedWarmupHours: 24, leverages: [{ leverage: 5, weight: 1 }] });
    const fresh = createModelState(p);
    const old = createModelState(p);
    stepModel(old, { ...bucket(0, { openInterest: 50_000, close: 9_700, vwap: 9_700, high: 9_700, low: 9_700 }), t: Date.UTC(2020, 1, 22) });
    let a!: LevelSnapshot;
    let b!: LevelSnapshot;
    for (const x of btcDay()) {
      a = stepModel(fresh, x);
      b = stepModel(old, x);
    }
    expect(compareSnapshots([b], [a], 1e-12).ok).toBe(true);
  });
});

describe('the price grid', () => {
  it('re-chooses its step from each UTC day\'s first close and re-bins the standing levels', () => {
    const p = parseModelParams({ ...one10x, priceBucketFraction: 0.0005 });
    const s = createModelState(p);
    const a = stepModel(s, bucket(0, { close: 30_000, vwap: 30_000, high: 30_000, low: 30_000, openInterest: 1 }));
    expect(a.priceStep).toBe(10);
    const later = stepModel(s, bucket(1, { close: 50_000, vwap: 30_000, high: 30_000, low: 30_000, openInterest: 1 }));
    expect(later.priceStep).toBe(10); // same day: same grid
    const next = stepModel(s, { ...bucket(0, { close: 50_000, vwap: 30_000, high: 30_000, low: 30_000, openInterest: 1 }), t: T0 + 86_400_000 });
    expect(next.priceStep).toBe(20);
    // The same long level, binned by price on the new grid.
    const lp = (30_000 * 0.9) / 0.995;
    expect([...a.long.keys()]).toEqual([Math.floor(lp / 10)]);
    expect([...next.long.keys()]).toEqual([Math.floor(lp / 20)]);
    expect(total(next.long)).toBeCloseTo(total(a.long), 9);
    expect([...next.oiLong.keys()]).toEqual([1500]);
  });
});

function snapshotOf(long: [number, number][], price: number, step = 1): LevelSnapshot {
  return {
    t: 0,
    price,
    priceStep: step,
    long: new Map(long),
    short: new Map(),
    oiLong: new Map(),
    oiShort: new Map(),
    longByLeverage: new Map([[25, new Map(long)]]),
    shortByLeverage: new Map(),
    liquidatedLong: 0,
    liquidatedShort: 0,
  };
}

describe('clusters', () => {
  it('finds two peaks of a two-hump profile with their ranges, shares and distances', () => {
    const levels: [number, number][] = [];
    for (let i = 80; i <= 99; i++) {
      const a = 1000 * Math.exp(-((i - 85) ** 2) / 2);
      const b = 400 * Math.exp(-((i - 95) ** 2) / 2);
      levels.push([i, a + b]);
    }
    const cs = detectClusters(snapshotOf(levels, 100), { smoothing: 0 });
    expect(cs).toHaveLength(2);
    expect(cs[0]).toMatchObject({ side: 'long', peakPrice: 85.5 });
    expect(cs[0]!.priceLow).toBeLessThanOrEqual(84);
    expect(cs[0]!.priceHigh).toBeGreaterThanOrEqual(87);
    expect(cs[0]!.distanceFraction).toBeCloseTo(-0.145, 9);
    expect(cs[1]).toMatchObject({ peakPrice: 95.5 });
    expect(cs[0]!.shareOfSide + cs[1]!.shareOfSide).toBeLessThanOrEqual(1);
    expect(cs[0]!.shareOfSide).toBeGreaterThan(cs[1]!.shareOfSide);
    expect(cs[0]!.leverageComposition).toEqual([{ leverage: 25, notional: cs[0]!.notional }]);
    expect(detectClusters(snapshotOf(levels, 100), { smoothing: 0, limit: 1 })).toHaveLength(1);
    expect(detectClusters(snapshotOf(levels, 100), { smoothing: 0, minNotional: 1e9 })).toEqual([]);
  });
});

describe('cascade', () => {
  const levels = [
    { price: '98', notional: '2000000', side: 'long' as const },
    { price: '96', notional: '3000000', side: 'long' as const },
    { price: '90', notional: '5000000', side: 'long' as const },
    { price: '105', notional: '1000000', side: 'short' as const },
  ];
  it('liquidates wave after wave with linear depth until nothing more is crossed', () => {
    const r = simulateCascade({ levels, price: '100', shockTo: '97.5', depth: { kind: 'linear', perPercent: '1000000' } });
    // Wave 1 crosses 98 (2M): move 97.5 × 1% × 2 = 1.95 → 95.55. Wave 2 crosses 96 (3M):
    // move 95.55 × 3% = 2.8665 → 92.6835. Nothing at or above 92.6835 is left: stop.
    expect(r.waves.map((w) => [w.toPrice, w.liquidatedNotional, w.priceAfter])).toEqual([
      ['97.5', '2000000', '95.55'],
      ['95.55', '3000000', '92.6835'],
    ]);
    expect(r.finalPrice).toBe('92.6835');
    expect(r.liquidatedNotional).toBe('5000000');
  });

  it('runs upward through short levels, and a depth curve bends the moves', () => {
    const up = simulateCascade({ levels, price: '100', shockTo: '105', depth: { kind: 'linear', perPercent: '1000000' } });
    expect(up.finalPrice).toBe('106.05');
    const curve = simulateCascade({ levels, price: '100', shockTo: '97.5', depth: { kind: 'curve', points: [{ percent: 1, notional: 1000000 }, { percent: 2, notional: 4000000 }] } });
    // Cumulative 2M sits at 1 + (1M/3M) = 1.3333…% of the curve.
    expect(Number(curve.waves[0]!.priceAfter)).toBeCloseTo(97.5 * (1 - 4 / 300), 12);
  });
});

describe('accuracy', () => {
  it('scores the share of realized notional inside predicted ranges against equally wide baseline bands', () => {
    const cluster = { side: 'long' as const, priceLow: 94, priceHigh: 96, peakPrice: 95, notional: 1, shareOfSide: 1, distanceFraction: -0.05, leverageComposition: [] };
    const far = { ...cluster, priceLow: 80, priceHigh: 82, peakPrice: 81 };
    const preds = [{ t: 0, price: 100, clusters: [cluster, far] }];
    const realized = [
      { t: 10, price: 95, notional: 300, side: 'sell' as const },
      { t: 20, price: 88, notional: 100, side: 'sell' as const },
      { t: 30, price: 95, notional: 50, side: 'buy' as const }, // a short's liquidation: not a long cluster hit
      { t: 99_999, price: 95, notional: 1e6, side: 'sell' as const }, // past the horizon
    ];
    const s = scoreAccuracy(preds, realized, 1000);
    expect(s.realizedNotional).toBe(450);
    expect(s.hitShare).toBeCloseTo(300 / 450, 12);
    // Baseline: two 2-wide bands centred at the mean distance 12 → [87, 89]: catches the 88 print.
    expect(s.baselineHitShare).toBeCloseTo(100 / 450, 12);
    expect(s.lift).toBeCloseTo(3, 12);
  });
});

/**
 * Random but plausible event sequences covering every event kind the model reads: trades (with
 * and without a taker side), candles (one or two per bucket, with and without volume, alone or
 * next to trades), mark prices (alone: the bar of last resort), buckets with no price at all
 * (their open interest, funding and liquidations carry to the next priced bucket), open-interest
 * snapshots, funding prints, and liquidations (by notional, by quantity, without a side); gaps of
 * up to a few days cross UTC days (the grid re-chooses its step) and big moves cross steps.
 */
const stepArb = fc.record({
  move: fc.integer({ min: -300, max: 300 }),
  big: fc.boolean(),
  gapMin: fc.oneof(fc.constant(1), fc.constant(1), fc.integer({ min: 1, max: 90 }), fc.integer({ min: 600, max: 4000 })),
  bar: fc.constantFrom('trades', 'trades', 'trades', 'candle', 'trades+candle', 'mark', 'none'),
  n: fc.integer({ min: 1, max: 4 }),
  sideless: fc.boolean(),
  candles: fc.integer({ min: 1, max: 2 }),
  candleShift: fc.constantFrom(-0.004, 0.004),
  candleVolume: fc.boolean(),
  mark: fc.boolean(),
  oi: fc.option(fc.integer({ min: -50, max: 80 }), { nil: null }),
  funding: fc.option(fc.integer({ min: -30, max: 30 }), { nil: null }),
  liq: fc.option(fc.record({ n: fc.integer({ min: -400, max: 400 }), byQty: fc.boolean(), sideless: fc.boolean() }), { nil: null }),
});
const eventsArb: fc.Arbitrary<ModelEvent[]> = fc
  .record({ steps: fc.array(stepArb, { minLength: 3, maxLength: 40 }), withOi: fc.boolean(), startOi: fc.integer({ min: 0, max: 3000 }), start: fc.constantFrom(30_000, 39_990, 0.61, 2_450) })
  .map(({ steps, withOi, startOi, start }) => {
    const events: ModelEvent[] = [];
    let price: number = start;
    let oi = startOi;
    let minute = 23 * 60 + 30; // half an hour before a UTC day ends
    const px = (v: number) => v.toPrecision(6);
    for (const s of steps) {
      minute += s.gapMin;
      const t = (T0 + minute * 60_000) * 1000;
      price = Math.max(start / 100, price * (1 + s.move / (s.big ? 500 : 10_000)));
      if (s.bar === 'trades' || s.bar === 'trades+candle') {
        for (let k = 0; k < s.n; k++) {
          const side = s.sideless && k % 2 === 1 ? null : k % 2 === 0 ? 'buy' : 'sell';
          events.push({ kind: 'trade', ts: t + k * 1000, price: px(price * (1 + (k - 1) / 2000)), qty: (0.5 + k).toFixed(3), side });
        }
      }
      if (s.bar === 'candle' || s.bar === 'trades+candle') {
        for (let k = 0; k < s.candles; k++) {
          // A second candle sits above or below the first: both the merged high and low move.
          const o = price * (1 + k * s.candleShift);
          events.push({ kind: 'candle', ts: t + k * 30_000_000, open: px(o), high: px(o * 1.002), low: px(o * 0.997), close: px(o * 1.001), volume: s.candleVolume ? (3 + k).toFixed(2) : null });
        }
      }
      if (s.bar === 'mark' || s.mark) events.push({ kind: 'mark_price', ts: t + 5_000_000, markPrice: px(price * 1.0001) });
      if (withOi && s.oi !== null) {
        oi = Math.max(0, oi + s.oi);
        events.push({ kind: 'open_interest', ts: t + 30_000_000, oiQty: String(oi) });
      }
      if (s.funding !== null) events.push({ kind: 'funding', ts: t + 1, rate: (s.funding / 100_000).toString() });
      if (s.liq !== null) {
        const side = s.liq.sideless ? null : s.liq.n > 0 ? 'sell' : 'buy';
        const notional = Math.abs(s.liq.n) * 10 * price;
        events.push({ kind: 'liquidation', ts: t + 2, side, price: px(price), qty: s.liq.byQty ? (notional / Number(px(price))).toFixed(6) : null, notional: s.liq.byQty ? null : notional.toFixed(4) });
      }
    }
    return events;
  });

const paramsArb = fc.record({
  halfLifeHours: fc.constantFrom(0, 24),
  fundingAdjusted: fc.boolean(),
  seedWarmupHours: fc.constantFrom(0, 0.5, 24),
  imbalanceWeight: fc.constantFrom(0, 0.5, 1),
  // The priors tried for issue 11 (docs/accuracy.md, "Signals tried"): entry spread, leverage spread, funding skew.
  entrySpreadPoints: fc.constantFrom(1, 1, 3, 5),
  leverageSpread: fc.constantFrom(0, 0, 0.2),
  fundingSkewWeight: fc.constantFrom(0, 0, 1),
  // The level-spread prior (opt-in): sharp levels, the measured best width, a broad one.
  levelSpread: fc.constantFrom(0, 0, 0, 0.4, 0.4, 1.5),
  // Different brackets of the default table, or a flat rate.
  positionNotional: fc.constantFrom(10_000, 50_000, 600_000, 1_000_000), // on and between caps
  flat: fc.boolean(),
});

describe('fast model = reference engine (fast-check)', () => {
  it('agrees cell by cell within 1e-9 of the total notional on generated event sequences', () => {
    fc.assert(
      fc.property(eventsArb, paramsArb, (events, { flat, ...p }) => {
        const params = parseModelParams({ ...p, participation: 0.2, ...(flat ? { maintenanceMarginRate: 0.006 } : {}) });
        const fast = runModel(params, aggregateBuckets(events, params.timeBucketSeconds)).snapshots;
        const ref = referenceReplay(events, params);
        const a = compareSnapshots(fast, ref, 1e-9);
        if (!a.ok) throw new Error(`disagreement: ${JSON.stringify(a)}`);
        for (let i = 0; i < ref.length; i++) {
          if (fast[i]!.priceStep !== ref[i]!.priceStep) throw new Error(`grid step ${fast[i]!.priceStep} ≠ ${ref[i]!.priceStep} at ${ref[i]!.t}`);
          const liq = Math.abs(fast[i]!.liquidatedLong - ref[i]!.liquidatedLong) + Math.abs(fast[i]!.liquidatedShort - ref[i]!.liquidatedShort);
          if (liq > 1e-9 * Math.max(1, ref[i]!.liquidatedLong + ref[i]!.liquidatedShort)) throw new Error(`liquidated notional differs at ${ref[i]!.t}`);
        }
        return true;
      }),
      { numRuns: 150 },
    );
    // The reference spreads levels by a direct weighted sum (cells × 6σ; σ = 600 buckets for a 5×
    // layer at 1.5): 20-30 s alone, up to 55 s beside other files, so more than the default 60 s.
  }, 120_000);
});

describe('liqmap cascade', () => {
  it('runs on a levels file and prints waves, finalPrice and liquidatedNotional as decimal strings', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { runCli } = await import('../_setup/cli.js');
    const dir = mkdtempSync(path.join(tmpdir(), 'liqmap-cascade-'));
    const file = path.join(dir, 'levels.json');
    writeFileSync(file, JSON.stringify([{ price: '98', notional: '2000000', side: 'long' }, { price: '96', notional: '3000000', side: 'long' }]));
    const r = runCli(['cascade', '--levels', file, '--price', '100', '--shock-to', '97.5', '--depth-per-percent', '1000000', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.finalPrice).toBe('92.6835');
    expect(out.liquidatedNotional).toBe('5000000');
    expect(out.waves).toHaveLength(2);
    writeFileSync(file, JSON.stringify([{ price: '98', notional: '-1', side: 'long' }]));
    const bad = runCli(['cascade', '--levels', file, '--price', '100', '--shock-to', '97.5', '--depth-per-percent', '1000000']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/level 0\.notional/);
  });
});

/** The same bucket as the reference engine reads it. */
const input = (b: MarketBucket): BucketInput => ({
  t: b.t,
  trades: { open: b.open, high: b.high, low: b.low, close: b.close, vwap: b.vwap, buy: b.buyVolume, sell: b.sellVolume },
  candle: null,
  openInterest: b.openInterest,
  funding: b.fundingRate,
  mark: null,
  liquidations: null,
});

function runPruned(buckets: MarketBucket[]): { snapshots: LevelSnapshot[]; cohorts: number[] } {
  const state = createModelState(one10x);
  const cohorts: number[] = [];
  const snapshots = buckets.map((b) => {
    const s = stepModel(state, b);
    cohorts.push(state.cohorts.size);
    return s;
  });
  return { snapshots, cohorts };
}

describe('cohort pruning (both engines, every UTC hour)', () => {
  it('merges the funding epochs of one entry whose levels share a bucket: the state stays bounded, the levels the same', () => {
    // Two days of minute buckets at one price, open interest rising every minute and a small
    // funding print every hour: each print starts a new epoch of cohorts at the same entry.
    const buckets = Array.from({ length: 2 * 1440 }, (_, i) => bucket(i, { buyVolume: 1, sellVolume: 1, openInterest: 1000 + i, fundingRate: i % 60 === 30 ? 1e-6 : null }));
    const { snapshots, cohorts } = runPruned(buckets);
    // Unmerged, 48 epochs × 2 sides; merged, the standing cohort and the current epoch's per side.
    expect(Math.max(...cohorts.slice(120))).toBeLessThanOrEqual(6);
    const ref = referenceModel(buckets.map(input), one10x);
    const a = compareSnapshots(snapshots, ref, 1e-9);
    expect(a.ok, JSON.stringify(a)).toBe(true);
    // The merged levels still hold what was opened: the open interest, at the entry price.
    const last = snapshots.at(-1)!;
    const oi = [...last.oiLong.values()].reduce((s, v) => s + v, 0);
    expect(oi / 100).toBeCloseTo(1000 + 2 * 1440 - 1, 6);
  });

  it(`drops a cohort under ${PRUNE_FRACTION} of its side's open notional at the next hour, as the reference does`, () => {
    // A large position at 100; one minute at 103 opens a sliver there (1e-6 of the side); the
    // price returns to 100 before the hour ends.
    const buckets = Array.from({ length: 120 }, (_, i) => {
      const px = i === 10 ? 103 : 100;
      return bucket(i, { buyVolume: 1, sellVolume: 1, open: px, high: px, low: px, close: px, vwap: px, openInterest: i < 10 ? 1_000_000 : 1_000_001 });
    });
    const { snapshots } = runPruned(buckets);
    const entry103 = (s: LevelSnapshot) => [...s.oiLong.keys()].filter((k) => k >= 1025 && k <= 1035).length;
    const hour = PRUNE_PERIOD_MS / 60_000;
    expect(entry103(snapshots[hour - 1]!)).toBe(1); // standing until the prune
    expect(entry103(snapshots[hour]!)).toBe(0); // dropped, its open interest reopened at 100
    const oi = [...snapshots[hour]!.oiLong.values()].reduce((s, v) => s + v, 0);
    expect(oi / 100).toBeCloseTo(1_000_001, 6);
    const ref = referenceModel(buckets.map(input), one10x);
    const a = compareSnapshots(snapshots, ref, 1e-12);
    expect(a.ok, JSON.stringify(a)).toBe(true);
  });
});
