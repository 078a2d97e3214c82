import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  aggregateBuckets,
  compareSnapshots,
  createModelState,
  detectClusters,
  parseModelParams,
  referenceReplay,
  runModel,
  scoreAccuracy,
  simulateCascade,
  stepModel,
  modelParamsHash,
  niceStep,
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
const one10x = parseModelParams({ leverages: [{ leverage: 10, weight: 1 }], maintenanceMarginRate: 0.005, halfLifeHours: 0, imbalanceWeight: 0, priceBucketFraction: 0.001 });
const total = (m: ReadonlyMap<number, number>) => [...m.values()].reduce((s, v) => s + v, 0);

describe('the estimated model on hand-checked scenarios', () => {
  it('opens one cohort per side at the VWAP and places its liquidation at entry × (1 ∓ 1/L ± …)/(1 ∓ mmr)', () => {
    const s = createModelState(one10x);
    stepModel(s, bucket(0, { openInterest: 1000 }));
    const snap = stepModel(s, bucket(1, { openInterest: 1010, vwap: 100 }));
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
    stepModel(s, bucket(0, { openInterest: 1000 }));
    stepModel(s, bucket(1, { openInterest: 1010 }));
    const through = stepModel(s, bucket(2, { low: 90.4, close: 91, openInterest: 1010 }));
    expect(through.long.size).toBe(0);
    expect(through.liquidatedLong).toBeCloseTo(10 * ((100 * 0.9) / 0.995), 9);
    expect(through.short.size).toBe(1);
  });

  it('closes positions proportionally when open interest falls, and tilts new exposure to the taker side', () => {
    const tilted = parseModelParams({ ...one10x, imbalanceWeight: 1 });
    const s = createModelState(tilted);
    stepModel(s, bucket(0, { openInterest: 100 }));
    const opened = stepModel(s, bucket(1, { openInterest: 110, buyVolume: 3, sellVolume: 1 }));
    expect(total(opened.oiLong) / total(opened.oiShort)).toBeCloseTo(0.75 / 0.25, 9);
    // 15 long + 5 short at 100; OI −5 closes 5 on each side's total: half of 2 × 10.
    const closed = stepModel(s, bucket(2, { openInterest: 105 }));
    expect(total(closed.oiLong) + total(closed.oiShort)).toBeCloseTo(1000, 9);
  });

  it('moves levels with the funding paid since entry', () => {
    const s = createModelState(one10x);
    stepModel(s, bucket(0, { openInterest: 1000 }));
    stepModel(s, bucket(1, { openInterest: 1010 }));
    const after = stepModel(s, bucket(2, { openInterest: 1010, fundingRate: 0.01 }));
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
    stepModel(s, bucket(0, { openInterest: 1000 }));
    const opened = stepModel(s, bucket(1, { openInterest: 1010 }));
    const near = opened.long.get(904)!; // the 10× longs, nearest the price
    const far = total(opened.long) - near;
    // 300 of longs were force-closed while price never reached a modelled level.
    const after = stepModel(s, bucket(2, { openInterest: 1010, realizedLong: 300 }));
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
    const s = createModelState(parseModelParams({ ...big, leverages: [{ leverage: 10, weight: 1 }], priceBucketFraction: 0.001, halfLifeHours: 0 }));
    stepModel(s, bucket(0, { openInterest: 1 }));
    const snap = stepModel(s, bucket(1, { openInterest: 2 }));
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

/** Random but plausible event sequences: trades around a random walk, OI snapshots, funding. */
const eventsArb: fc.Arbitrary<ModelEvent[]> = fc
  .record({
    steps: fc.array(fc.record({ move: fc.integer({ min: -300, max: 300 }), n: fc.integer({ min: 0, max: 4 }), oi: fc.option(fc.integer({ min: -50, max: 80 }), { nil: null }), funding: fc.option(fc.integer({ min: -30, max: 30 }), { nil: null }), liq: fc.option(fc.integer({ min: -400, max: 400 }), { nil: null }), big: fc.boolean() }), { minLength: 3, maxLength: 40 }),
    withOi: fc.boolean(),
  })
  .map(({ steps, withOi }) => {
    const events: ModelEvent[] = [];
    let price = 30000;
    let oi = 1000;
    steps.forEach((s, i) => {
      const t = (T0 + i * 60_000) * 1000;
      price = Math.max(100, price * (1 + s.move / (s.big ? 500 : 10_000)));
      for (let k = 0; k < Math.max(1, s.n); k++) {
        events.push({ kind: 'trade', ts: t + k * 1000, price: price.toFixed(1), qty: (0.5 + k).toFixed(3), side: k % 2 === 0 ? 'buy' : 'sell' });
      }
      if (withOi && s.oi !== null) {
        oi = Math.max(1, oi + s.oi);
        events.push({ kind: 'open_interest', ts: t + 30_000_000, oiQty: String(oi) });
      }
      if (s.funding !== null) events.push({ kind: 'funding', ts: t + 1, rate: (s.funding / 100_000).toString() });
      if (s.liq !== null) events.push({ kind: 'liquidation', ts: t + 2, side: s.liq > 0 ? 'sell' : 'buy', price: price.toFixed(1), qty: null, notional: String(Math.abs(s.liq) * 1000) });
    });
    return events;
  });

describe('fast model = reference engine (fast-check)', () => {
  it('agrees cell by cell within 1e-9 of the total notional on generated event sequences', () => {
    fc.assert(
      fc.property(eventsArb, fc.constantFrom(0, 24), fc.boolean(), (events, halfLife, fundingAdjusted) => {
        const params = parseModelParams({ halfLifeHours: halfLife, fundingAdjusted, participation: 0.2 });
        const fast = runModel(params, aggregateBuckets(events, params.timeBucketSeconds)).snapshots;
        const ref = referenceReplay(events, params);
        const a = compareSnapshots(fast, ref, 1e-9);
        if (!a.ok) throw new Error(`disagreement: ${JSON.stringify(a)}`);
        return true;
      }),
      { numRuns: 150 },
    );
  });
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
