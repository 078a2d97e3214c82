import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareBucketInputs, exactBucketInputs, niceStep, parseModelParams, referenceMaintenance, referencePriceIndex, referencePriceStep, RD, type BucketInput, type RawEvent } from '../../engine/index.js';

const T0 = Date.UTC(2024, 0, 1);

describe('the reference engine keeps its own grid, brackets and aggregation', () => {
  it('picks 1/2/5 × 10ᵏ price steps in decimals, the documented rule, wherever the price sits', () => {
    expect(referencePriceStep('42000', '0.0005').toString()).toBe('20');
    expect(referencePriceStep('2500', '0.0005').toString()).toBe('1');
    expect(referencePriceStep('0.2', '0.0005').toString()).toBe('0.0001');
    expect(referencePriceStep('99999', '0.0005').toString()).toBe('20');
    expect(referencePriceStep('100000', '0.0005').toString()).toBe('50');
    expect(referencePriceIndex(new RD('41999.999'), new RD(20))).toBe(2099);
    // Where float noise does not decide, the fast path's grid gives the same step.
    fc.assert(
      fc.property(fc.double({ min: 1e-4, max: 1e6, noNaN: true }), fc.constantFrom(0.0001, 0.0005, 0.001, 0.002), (price, fraction) => {
        const exact = referencePriceStep(price, fraction);
        const m = new RD(price).mul(fraction).div(new RD(10).pow(new RD(price).mul(fraction).e));
        if ([1, 2, 5, 10].some((edge) => m.sub(edge).abs().lt(1e-9))) return true;
        expect(exact.toNumber()).toBe(niceStep(price, fraction));
        return true;
      }),
    );
  });

  it('looks up the maintenance bracket at the typical position notional itself', () => {
    for (const positionNotional of [1_000, 50_000, 50_001, 600_000, 1_000_000, 80_000_000, 1e9]) {
      const p = parseModelParams({ positionNotional, leverages: [{ leverage: 5, weight: 1 }] });
      const r = referenceMaintenance(p);
      expect(r.rate.toNumber()).toBe(p.maintenanceMarginRate);
      expect(r.amountFraction.toNumber()).toBeCloseTo(p.maintenanceAmountFraction, 18);
    }
    // A flat rate has no brackets: the reference applies the given rate and amount.
    expect(referenceMaintenance(parseModelParams({ maintenanceMarginRate: 0.008 })).rate.toString()).toBe('0.008');
    // Parsed parameters parsed again keep their brackets.
    expect(parseModelParams(parseModelParams({ positionNotional: 1_000_000 })).maintenanceTiers?.length).toBeGreaterThan(1);
  });

  it('re-derives bucket inputs from raw events exactly, and names the first value an aggregation got wrong', () => {
    const events: RawEvent[] = [
      { kind: 'trade', ts: T0 * 1000 + 1, price: '100.1', qty: '0.3', side: 'buy' },
      { kind: 'trade', ts: T0 * 1000 + 2, price: '100.3', qty: '0.1', side: null },
      { kind: 'trade', ts: T0 * 1000 + 2, price: '99.9', qty: '0.2', side: 'sell' },
      { kind: 'funding', ts: T0 * 1000 + 3, rate: '0.0001' },
      { kind: 'liquidation', ts: T0 * 1000 + 4, side: 'sell', price: '99', qty: '2', notional: null },
      { kind: 'candle', ts: (T0 + 60_000) * 1000, open: '1', high: '3', low: '0.5', close: '2', volume: null },
      { kind: 'open_interest', ts: (T0 + 61_000) * 1000, oiQty: '12.5' },
    ];
    const exact = exactBucketInputs(events, 60);
    expect(exact.map((b) => b.t)).toEqual([T0, T0 + 60_000]);
    const [a, b] = exact;
    expect(a!.trades!.open.toString()).toBe('100.1');
    expect(a!.trades!.close.toString()).toBe('99.9'); // the later of two trades at one time
    expect(a!.trades!.vwap.toString()).toBe(new RD('100.1').mul('0.3').add(new RD('100.3').mul('0.1')).add(new RD('99.9').mul('0.2')).div('0.6').toString());
    expect([a!.trades!.buy.toString(), a!.trades!.sell.toString()]).toEqual(['0.35', '0.25']);
    expect(a!.liquidations!.long.toString()).toBe('198');
    expect(b!.candle!.volume.toString()).toBe('0');
    expect(b!.openInterest!.toString()).toBe('12.5');
    const asFloats = exact.map(
      (x): BucketInput<number> => ({
        t: x.t,
        trades: x.trades && { open: x.trades.open.toNumber(), high: x.trades.high.toNumber(), low: x.trades.low.toNumber(), close: x.trades.close.toNumber(), vwap: x.trades.vwap.toNumber(), buy: x.trades.buy.toNumber(), sell: x.trades.sell.toNumber() },
        candle: x.candle && { open: x.candle.open.toNumber(), high: x.candle.high.toNumber(), low: x.candle.low.toNumber(), close: x.candle.close.toNumber(), volume: x.candle.volume.toNumber() },
        openInterest: x.openInterest?.toNumber() ?? null,
        funding: x.funding?.toNumber() ?? null,
        mark: null,
        liquidations: x.liquidations && { long: x.liquidations.long.toNumber(), short: x.liquidations.short.toNumber() },
      }),
    );
    expect(compareBucketInputs(asFloats, exact)).toMatchObject({ ok: true, bucketsCompared: 2, firstMismatch: null });
    const wrong = asFloats.map((x, i) => (i === 0 ? { ...x, trades: { ...x.trades!, sell: x.trades!.sell + 1e-6 } } : x));
    const verdict = compareBucketInputs(wrong, exact);
    expect(verdict.ok).toBe(false);
    expect(verdict.firstMismatch).toMatchObject({ t: T0, field: 'trades.sell', exact: '0.25' });
    expect(compareBucketInputs(asFloats.slice(1), exact).firstMismatch).toMatchObject({ t: T0, field: 'trades' });
  });
});
