import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Dec,
  GmxMarketState,
  gmxV2,
  isLiquidatable,
  referenceGmxLiquidatable,
  referenceGmxLiquidationPrice,
  type GmxPositionState,
  type GmxStateUpdate,
  type ReferenceGmxMarket,
} from '../../engine/index.js';

/**
 * The fast GMX v2 rule (closed form per impact piece, engine/margin) against the reference
 * (the contract's check evaluated literally and bisected, engine/reference) on random
 * positions and market states: pending borrowing and funding, pending impact with and without
 * the cap binding, index and non-index collateral, both sides.
 */

const dec = (min: number, max: number, digits = 6) => fc.integer({ min: Math.round(min * 10 ** digits), max: Math.round(max * 10 ** digits) }).map((n) => new Dec(n).div(10 ** digits).toFixed());

const FALLBACK = { minCollateralFactor: '0.01', minCollateralUsd: '1', maxImpactFactorForLiquidations: '0', positionFeeFactor: '0.0006' };

const cases = fc
  .record({
    isLong: fc.boolean(),
    collateralIsIndex: fc.boolean(),
    entry: dec(0.5, 90_000, 2),
    sizeUsd: dec(50, 2_000_000, 2),
    leverage: fc.integer({ min: 2, max: 150 }),
    collateralPrice: dec(0.97, 1.03, 6),
    borrowingFactor: dec(0, 0.5, 9),
    borrowingAccrued: dec(0, 0.02, 9),
    fundingPerSize: dec(0, 0.001, 12),
    fundingAccrued: dec(0, 0.00002, 12),
    pendingImpactShare: dec(-0.03, 0.01, 6),
    mcf: dec(0.002, 0.05, 4),
    cap: fc.option(dec(0, 0.02, 4), { nil: undefined }),
    fee: dec(0, 0.001, 5),
  })
  .map((c) => {
    const sizeTokens = new Dec(c.sizeUsd).div(c.entry).toDecimalPlaces(18).toFixed();
    const collateralUsd = new Dec(c.sizeUsd).div(c.leverage);
    const collateralTokens = (c.collateralIsIndex ? collateralUsd.div(c.entry) : collateralUsd.div(c.collateralPrice)).toDecimalPlaces(18).toFixed();
    const position: GmxPositionState = {
      isLong: c.isLong,
      market: 'gmx:X-USD',
      marketToken: '0x00000000000000000000000000000000000000aa',
      collateralToken: c.collateralIsIndex ? 'index' : 'usdc',
      collateralIsIndex: c.collateralIsIndex,
      sizeUsd: c.sizeUsd,
      sizeTokens,
      collateralTokens,
      collateralUsd: collateralUsd.toFixed(),
      collateralPrice: c.collateralIsIndex ? c.entry : c.collateralPrice,
      borrowingFactor: c.borrowingFactor,
      fundingFeePerSize: c.fundingPerSize,
      // Pending impact as a share of the size in tokens (negative: a cost).
      pendingImpactTokens: new Dec(sizeTokens).mul(c.pendingImpactShare).toDecimalPlaces(18).toFixed(),
    };
    const updates: GmxStateUpdate[] = [
      { kind: 'cumulativeBorrowingFactor', collateralToken: '', flag: c.isLong, value: new Dec(c.borrowingFactor).add(c.borrowingAccrued).toFixed() },
      { kind: 'fundingFeeAmountPerSize', collateralToken: position.collateralToken, flag: c.isLong, value: new Dec(c.fundingPerSize).add(c.fundingAccrued).toFixed() },
      { kind: 'minCollateralFactorForLiquidation', collateralToken: '', flag: false, value: c.mcf },
      { kind: 'positionFeeFactor', collateralToken: '', flag: false, value: c.fee },
      ...(c.cap === undefined ? [] : [{ kind: 'maxPositionImpactFactorForLiquidations', collateralToken: '', flag: false, value: c.cap }]),
    ];
    return { position, updates };
  });

function fast(position: GmxPositionState, updates: readonly GmxStateUpdate[]) {
  const state = new GmxMarketState();
  for (const u of updates) state.apply(u);
  const input = state.inputOf(position)!;
  return { input, price: gmxV2.quote(input).liquidationPrice };
}

const market = (updates: readonly GmxStateUpdate[]): ReferenceGmxMarket => ({ latest: updates, collateralPrices: new Map(), fallback: FALLBACK });

describe('GMX v2: fast rule and independent reference agree', () => {
  it('on the liquidation price (1e-20 relative) and on which side of it the contract liquidates', () => {
    fc.assert(
      fc.property(cases, ({ position, updates }) => {
        const f = fast(position, updates);
        const r = referenceGmxLiquidationPrice(position, market(updates));
        if (f.price === null || r === null) return f.price === null && r === null;
        const agree = f.price.sub(r.toString()).abs().lte(f.price.abs().mul('1e-20'));
        // Just inside the liquidation side both say liquidatable, just outside neither does.
        const inside = f.price.mul(position.isLong ? '0.999999' : '1.000001');
        const outside = f.price.mul(position.isLong ? '1.000001' : '0.999999');
        const ref = (p: Dec) => referenceGmxLiquidatable(position, market(updates), new (r.constructor as typeof Dec)(p.toString()));
        return agree && isLiquidatable(gmxV2, f.input, inside) && ref(inside) && !isLiquidatable(gmxV2, f.input, outside) && !ref(outside);
      }),
      { numRuns: 300, seed: 15 },
    );
  });

  it('a binding impact cap moves the price exactly by the capped amount', () => {
    // $10,000 long of 4 tokens, 1,000 USD of collateral at 1.0, pending impact −0.2 tokens (≈ −$450 at 2,250).
    const position: GmxPositionState = {
      isLong: true, market: 'gmx:X-USD', marketToken: null, collateralToken: 'usdc', collateralIsIndex: false, sizeUsd: '10000', sizeTokens: '4',
      collateralTokens: '1000', collateralUsd: '1000', collateralPrice: '1', borrowingFactor: '0', fundingFeePerSize: '0', pendingImpactTokens: '-0.2',
    };
    const base: GmxStateUpdate[] = [
      { kind: 'minCollateralFactorForLiquidation', collateralToken: '', flag: false, value: '0.01' },
      { kind: 'positionFeeFactor', collateralToken: '', flag: false, value: '0' },
      { kind: 'maxPositionImpactFactorForLiquidations', collateralToken: '', flag: false, value: '0.5' },
    ];
    // Cap at 50% of size, not binding: 1000 + 4P − 10000 − 0.2P = 100 → P = 9100 / 3.8.
    expect(fast(position, base).price!.toFixed(6)).toBe(new Dec(9100).div('3.8').toFixed(6));
    // Capped at 1% of size ($100): 1000 + 4P − 10000 − 100 = 100 → P = 2300 (the cap binds: 0.2 × 2300 = 460 > 100).
    const capped = [...base.slice(0, 2), { kind: 'maxPositionImpactFactorForLiquidations', collateralToken: '', flag: false, value: '0.01' }];
    expect(fast(position, capped).price!.toFixed()).toBe('2300');
    expect(referenceGmxLiquidationPrice(position, market(capped))!.toFixed(12)).toBe('2300.000000000000');
  });
});
