import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  binanceUsdm,
  bybitLinear,
  Dec,
  dydxV4,
  fundingPaidSince,
  fundingRate,
  gmxV2,
  hyperliquid,
  isLiquidatable,
  okxSwap,
  quotePosition,
  BINANCE_FUNDING,
  HYPERLIQUID_FUNDING,
  type RuleSet,
} from '../../engine/index.js';
import { runCli } from '../_setup/cli.js';

const rel = (a: string | Dec, b: string | number) => new Dec(a).sub(b).abs().div(new Dec(b).abs()).toNumber();

describe('worked examples of shared/reference/margin-formulas.md', () => {
  it('Binance cross: wallet 500, long 0.02 BTCUSDT at 50,000 → 25,100.40', () => {
    const q = quotePosition({ exchange: 'binance', symbol: 'BTCUSDT', mode: 'cross', wallet: '500', side: 'long', qty: '0.02', entry: '50000' });
    expect(new Dec(q.liquidationPrice!).toDecimalPlaces(2).toFixed(2)).toBe('25100.40');
    expect(q.tier).toBe(1);
  });

  it('Bybit isolated: long 1 BTC at 20,000, 50×, MMR 0.5% → IM 400, MM 100, LP 19,700', () => {
    const q = quotePosition({ exchange: 'bybit', side: 'long', qty: '1', entry: '20000', leverage: '50', mmr: '0.005' });
    expect([q.initialMargin, q.maintenanceMargin, q.liquidationPrice]).toEqual(['400', '100', '19700']);
  });

  it('OKX isolated: 1 BTC at 50,000, margin 5,000, MMR 0.4%, fee 0.05% → 45,203.4154 / 54,753.6088', () => {
    const base = { exchange: 'okx', qty: '1', entry: '50000', margin: '5000', mmr: '0.004', takerFee: '0.0005' };
    expect(new Dec(quotePosition({ ...base, side: 'long' }).liquidationPrice!).toDecimalPlaces(4).toFixed(4)).toBe('45203.4154');
    expect(new Dec(quotePosition({ ...base, side: 'short' }).liquidationPrice!).toDecimalPlaces(4).toFixed(4)).toBe('54753.6088');
  });

  it('Hyperliquid isolated: long 0.0199 ETH at 2,459.5, margin 24.454895, max 50× → 1,243.0411908 (1e-7 relative)', () => {
    const q = quotePosition({ exchange: 'hyperliquid', coin: 'ETH', mode: 'isolated', side: 'long', qty: '0.0199', entry: '2459.5', margin: '24.454895', maxLeverage: '50' });
    expect(rel(q.liquidationPrice!, '1243.0411908')).toBeLessThan(1e-7);
  });

  it('dYdX: equity 1,000, short 3 ETH at oracle 3,000, MMF 5% → 3,174.60', () => {
    const q = quotePosition({ exchange: 'dydx', mode: 'isolated', side: 'short', qty: '3', oracle: '3000', equity: '1000', mmf: '0.05' });
    expect(new Dec(q.liquidationPrice!).toDecimalPlaces(2).toFixed(2)).toBe('3174.60');
  });

  it('GMX v2: liquidatable below size × minCollateralFactor, with the capped negative impact and fees', () => {
    // Long 10,000 USD = 4 ETH (entry 2,500) on 1,000 USDC: remaining = 1,000 + 4P − 10,000 − fees + impact.
    const base = { exchange: 'gmx', side: 'long', sizeUsd: '10000', sizeTokens: '4', collateralUsd: '1000', minCollateralFactor: '0.01' };
    expect(quotePosition(base).liquidationPrice).toBe('2275'); // 1,000 + 4P − 10,000 = 100
    const withCosts = quotePosition({ ...base, feesUsd: '20', priceImpactUsd: '-500', maxImpactFactorForLiquidations: '0.01' });
    expect(withCosts.liquidationPrice).toBe('2305'); // impact capped at −100: 4P = 9,000 + 100 + 20 + 100
    expect(quotePosition({ ...base, mark: '2276' }).liquidatable).toBe(false);
    expect(quotePosition({ ...base, mark: '2275' }).liquidatable).toBe(true);
    // A long backed by the index token loses on both legs: 4P + 0.4P − 10,000 = 100.
    expect(quotePosition({ exchange: 'gmx', side: 'long', sizeUsd: '10000', sizeTokens: '4', collateralTokens: '0.4', collateralIsIndex: true }).liquidationPrice).toBe(
      new Dec(10100).div('4.4').toDecimalPlaces(12).toFixed(),
    );
    // A short fully backed by the index token cannot be liquidated by price.
    expect(quotePosition({ exchange: 'gmx', side: 'short', sizeUsd: '10000', sizeTokens: '4', collateralTokens: '4', collateralIsIndex: true }).liquidationPrice).toBeNull();
  });

  it('GMX v2: pending fees from the accumulators, collateral at its own price, per-market parameters from the snapshot', () => {
    const base = { exchange: 'gmx', side: 'long', sizeUsd: '10000', sizeTokens: '4', collateralTokens: '1000', collateralPrice: '0.9998' };
    // ETH-USD's snapshot: minCollateralFactorForLiquidation 0.005 ($50), position fee 0.06% ($6), no impact cap.
    // 999.8 + 4P − 10,000 − 6 − 10,000 × (0.011 − 0.001) = 50 → P = 9,156.2 / 4.
    const eth = quotePosition({ ...base, gmxMarket: 'ETH-USD', borrowingFactor: '0.001', cumulativeBorrowingFactor: '0.011' });
    expect(eth.liquidationPrice).toBe('2289.05');
    expect(eth.maintenanceMargin).toBe('50');
    // Funding owed in collateral tokens: 10,000 × 0.000002 = 0.02 USDC at 0.9998.
    const funded = quotePosition({ ...base, gmxMarket: 'ETH-USD', fundingFeeAmountPerSize: '0.000001', latestFundingFeeAmountPerSize: '0.000003' });
    expect(funded.liquidationPrice).toBe(new Dec('9056.219996').div(4).toFixed());
    // A flag beats the snapshot; an unknown market gets gmx-synthetics' base config (1%).
    expect(quotePosition({ ...base, gmxMarket: 'ETH-USD', minCollateralFactor: '0.01' }).maintenanceMargin).toBe('100');
    expect(quotePosition({ ...base, gmxMarket: '0x00000000000000000000000000000000000000aa' }).maintenanceMargin).toBe('100');
  });

  it('Binance tiers: the bracket is the one of the notional at the liquidation price', () => {
    // 20 BTC long at 50,000 (1M notional, bracket 3 at entry) on a thin wallet: the liquidation
    // notional falls back into bracket 3 only if every bracket's own price is tried.
    const q = quotePosition({ exchange: 'binance', symbol: 'BTCUSDT', mode: 'isolated', side: 'long', qty: '20', entry: '50000', wallet: '40000' });
    const lp = new Dec(q.liquidationPrice!);
    const notional = lp.mul(20);
    expect(notional.gt(600_000) && notional.lte(3_000_000)).toBe(true);
    expect(q.tier).toBe(3);
    // And the price really is where equity meets maintenance in that bracket.
    const equity = new Dec(40000).add(lp.sub(50000).mul(20));
    expect(equity.sub(notional.mul('0.0065').sub(950)).abs().toNumber()).toBeLessThan(1e-9);
  });

  it('refuses invalid input with an actionable error', () => {
    expect(() => quotePosition({ exchange: 'bybit', side: 'long', qty: '-1', entry: '1', leverage: '5', mmr: '0.005' })).toThrow(/qty must be greater than zero/);
    expect(() => quotePosition({ exchange: 'binance', symbol: 'BTCUSDT', mode: 'isolated', side: 'long', qty: '1', entry: '20000', leverage: '200' })).toThrow(/above the maximum 125×/);
    expect(() => quotePosition({ exchange: 'binance', symbol: 'FOOUSDT', mode: 'cross', side: 'long', qty: '1', entry: '1', wallet: '1' })).toThrow(/pass --mmr and --cum/);
    expect(() => quotePosition({ exchange: 'kraken', side: 'long' })).toThrow(/exchange/);
  });
});

describe('funding', () => {
  it('clamps the interest-minus-premium term and caps the rate', () => {
    // Inside the clamp the rate is the interest rate: P + (I − P) = I.
    expect(fundingRate('0.0003', BINANCE_FUNDING).toFixed()).toBe('0.0001');
    expect(fundingRate('0.00005', BINANCE_FUNDING).toFixed()).toBe('0.0001');
    // Outside it the premium shows through, less the clamp: 0.0008 − 0.0005.
    expect(fundingRate('0.0008', BINANCE_FUNDING).toFixed()).toBe('0.0003');
    expect(fundingRate('-0.001', BINANCE_FUNDING).toFixed()).toBe('-0.0005');
    // Capped at 0.75 × tier-1 MMR (0.3%).
    expect(fundingRate('0.01', BINANCE_FUNDING).toFixed()).toBe('0.003');
    // Hyperliquid pays hourly one eighth of the 8-hour rate.
    expect(fundingRate('0.0008', HYPERLIQUID_FUNDING).toFixed()).toBe('0.0000375');
  });

  it('moves the liquidation price by the funding paid since entry', () => {
    const paid = fundingPaidSince('long', '1', [
      { rate: '0.0001', price: '20000' },
      { rate: '0.0003', price: '20500' },
      { rate: '-0.0001', price: '21000' },
    ]);
    expect(paid.toFixed()).toBe('6.05');
    const base = { exchange: 'bybit', side: 'long', qty: '1', entry: '20000', leverage: '50', mmr: '0.005' };
    const after = quotePosition({ ...base, fundingPaid: paid.toFixed() });
    expect(new Dec(after.liquidationPrice!).sub('19700').toFixed()).toBe('6.05'); // margin eroded: closer to entry
    const received = quotePosition({ ...base, fundingPaid: '-10' });
    expect(received.liquidationPrice).toBe('19690');
  });
});

type Case = { rules: RuleSet<any>; position: any; lev?: number };

/** Generators of valid positions for every rule set (prices 1..1e5, sizes 1e-3..1e3). */
const price = fc.integer({ min: 100, max: 10_000_000 }).map((n) => (n / 100).toString());
const size = fc.integer({ min: 1, max: 1_000_000 }).map((n) => (n / 1000).toString());
const sideArb = fc.constantFrom('long' as const, 'short' as const);
const lev = fc.integer({ min: 2, max: 50 });

const cases: fc.Arbitrary<Case> = fc.oneof(
  // Binance: notional up to 100k keeps 50× inside the bracket's maximum (100× up to 600k).
  fc.record({ side: sideArb, qty: size.map((q) => (Number(q) / 1000).toString()), entry: price, lev }).map(({ side, qty, entry, lev }) => ({
    rules: binanceUsdm,
    lev,
    position: { symbol: 'BTCUSDT', mode: 'isolated' as const, side, qty, entry, wallet: new Dec(qty).mul(entry).div(lev).toFixed() },
  })),
  fc.record({ side: sideArb, qty: size, entry: price, lev }).map(({ side, qty, entry, lev }) => ({ rules: bybitLinear, lev, position: { side, qty, entry, leverage: String(lev), mmr: '0.005' } })),
  fc.record({ side: sideArb, qty: size, entry: price, lev }).map(({ side, qty, entry, lev }) => ({ rules: okxSwap, lev, position: { side, qty, entry, leverage: String(lev), mmr: '0.004', takerFee: '0.0005' } })),
  // OKX cross: the cross balance backs the position like an isolated margin, beside other positions' requirement.
  fc.record({ side: sideArb, qty: size, entry: price, lev }).map(({ side, qty, entry, lev }) => ({
    rules: okxSwap,
    lev,
    position: { mode: 'cross' as const, side, qty, entry, leverage: '100', wallet: new Dec(qty).mul(entry).div(lev).toFixed(), otherMaintenance: new Dec(qty).mul(entry).mul('0.001').toFixed(), otherUpnl: new Dec(qty).mul(entry).mul('-0.002').toFixed(), mmr: '0.004', takerFee: '0.0005' },
  })),
  fc.record({ side: sideArb, qty: size, entry: price, lev: fc.integer({ min: 2, max: 25 }) }).map(({ side, qty, entry, lev }) => ({
    rules: hyperliquid,
    lev,
    position: { coin: 'X', mode: 'isolated' as const, side, qty, entry, maxLeverage: '50', margin: new Dec(qty).mul(entry).div(lev).toFixed() },
  })),
  fc.record({ side: sideArb, qty: size, entry: price, lev: fc.integer({ min: 2, max: 15 }) }).map(({ side, qty, entry, lev }) => ({
    rules: dydxV4,
    lev,
    position: { mode: 'isolated' as const, side, qty, oracle: entry, equity: new Dec(qty).mul(entry).div(lev).toFixed(), mmf: '0.03' },
  })),
  fc.record({ side: sideArb, qty: size, entry: price, lev: fc.integer({ min: 2, max: 50 }) }).map(({ side, qty, entry, lev }) => ({
    rules: gmxV2,
    lev,
    position: { side, sizeTokens: qty, sizeUsd: new Dec(qty).mul(entry).toFixed(), collateralUsd: new Dec(qty).mul(entry).div(lev).toFixed(), minCollateralUsd: '0' },
  })),
);

function entryOf(c: Case): Dec {
  const p = c.position;
  return new Dec(p.entry ?? p.oracle ?? new Dec(p.sizeUsd).div(p.sizeTokens));
}

describe('properties of every rule set (fast-check)', () => {
  it('at the liquidation price equity equals the maintenance requirement (1e-9 relative)', () => {
    fc.assert(
      fc.property(cases, (c) => {
        const q = c.rules.quote(c.position);
        if (q.liquidationPrice === null) return true;
        const eq = c.rules.equityAt(c.position, q.liquidationPrice);
        const mm = c.rules.maintenanceAt(c.position, q.liquidationPrice);
        return eq.sub(mm).abs().lte(mm.abs().mul(1e-9).add(1e-12));
      }),
      { numRuns: 400 },
    );
  });

  it('long liquidation < entry < short liquidation, and liquidatable exactly beyond it', () => {
    fc.assert(
      fc.property(cases, (c) => {
        const q = c.rules.quote(c.position);
        if (q.liquidationPrice === null) return true;
        const entry = entryOf(c);
        const lp = q.liquidationPrice;
        const beyond = c.position.side === 'long' ? lp.mul(0.999) : lp.mul(1.001);
        const inside = c.position.side === 'long' ? lp.mul(1.001) : lp.mul(0.999);
        return (c.position.side === 'long' ? lp.lt(entry) : lp.gt(entry)) && isLiquidatable(c.rules, c.position, beyond) && !isLiquidatable(c.rules, c.position, inside);
      }),
      { numRuns: 400 },
    );
  });

  it('higher leverage moves the liquidation price toward entry', () => {
    fc.assert(
      fc.property(cases, (c) => {
        const more = { ...c, position: { ...c.position } };
        const lo = c.lev!;
        const hi = lo + 1;
        const scale = (p: any, l: number) => {
          if (p.wallet !== undefined) return { ...p, wallet: new Dec(p.qty).mul(p.entry).div(l).toFixed() };
          if (p.leverage !== undefined) return { ...p, leverage: String(l) };
          if (p.margin !== undefined) return { ...p, margin: new Dec(p.qty).mul(p.entry).div(l).toFixed() };
          if (p.equity !== undefined) return { ...p, equity: new Dec(p.qty).mul(p.oracle).div(l).toFixed() };
          return { ...p, collateralUsd: new Dec(p.sizeUsd).div(l).toFixed() };
        };
        const a = c.rules.quote(scale(c.position, lo)).liquidationPrice;
        const b = more.rules.quote(scale(c.position, hi)).liquidationPrice;
        if (a === null || b === null) return true;
        const entry = entryOf(c);
        return b.sub(entry).abs().lt(a.sub(entry).abs());
      }),
      { numRuns: 300 },
    );
  });

  it('Binance tier selection is consistent at bracket boundaries', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 20_000, max: 90_000 }), fc.integer({ min: 2, max: 40 }), (qty10, entry, walletPct) => {
        const qty = new Dec(qty10).div(10);
        const notional = qty.mul(entry);
        const q = binanceUsdm.quote({ symbol: 'BTCUSDT', mode: 'isolated', side: 'long', qty: qty.toFixed(), entry: String(entry), wallet: notional.mul(walletPct).div(100).toFixed() });
        if (q.liquidationPrice === null) return true;
        const n = q.liquidationPrice.mul(qty);
        const caps = [0, 50e3, 600e3, 3e6, 12e6, 70e6, 100e6];
        const t = q.tier!;
        return n.gt(caps[t - 1]!) && n.lte(caps[t]!);
      }),
      { numRuns: 300 },
    );
  });
});

describe('liqmap quote', () => {
  it('prints the documented JSON fields as decimal strings', () => {
    const r = runCli(['quote', '--exchange', 'binance', '--symbol', 'BTCUSDT', '--mode', 'cross', '--wallet', '500', '--side', 'long', '--qty', '0.02', '--entry', '50000', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const q = JSON.parse(r.stdout);
    expect(Object.keys(q)).toEqual(expect.arrayContaining(['liquidationPrice', 'bankruptcyPrice', 'initialMargin', 'maintenanceMargin', 'tier']));
    expect(q.liquidationPrice).toMatch(/^25100\.40/);
    const hl = JSON.parse(runCli(['quote', '--exchange', 'hyperliquid', '--coin', 'ETH', '--mode', 'isolated', '--margin', '24.45', '--side', 'long', '--qty', '0.0199', '--entry', '2459.5', '--max-leverage', '50', '--json']).stdout);
    expect(typeof hl.liquidationPrice).toBe('string');
    const gmx = JSON.parse(runCli(['quote', '--exchange', 'gmx', '--side', 'short', '--size-usd', '10000', '--size-tokens', '4', '--collateral-usd', '1000', '--mark', '2800', '--json']).stdout);
    expect(gmx).toMatchObject({ liquidationPrice: '2725', liquidatable: true });
  });

  it('takes negative amounts and refuses bad input with one line and exit code 2', () => {
    const ok = runCli(['quote', '--exchange', 'bybit', '--symbol', 'BTCUSDT', '--side', 'long', '--qty', '1', '--entry', '20000', '--leverage', '50', '--extra-margin', '-50', '--json']);
    expect(JSON.parse(ok.stdout).liquidationPrice).toBe('19750');
    const bad = runCli(['quote', '--exchange', 'binance', '--symbol', 'BTCUSDT', '--mode', 'isolated', '--side', 'long', '--qty', '1', '--entry', '20000', '--leverage', '200']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('liqmap: LEVERAGE_TOO_HIGH: leverage 200× is above the maximum 125× of Binance BTCUSDT bracket 1');
  });
});

describe('bundled bracket snapshots per venue and symbol', () => {
  it('finds a market\'s dated table by venue and symbol, and says when there is none', async () => {
    const { marketBrackets, bracketAt } = await import('../../engine/index.js');
    const eth = marketBrackets('binance:ETHUSDT')!;
    expect(eth.asOf).toBe('2024-10-24');
    expect(bracketAt(eth, 100_000)).toMatchObject({ cap: 600_000, rate: 0.005, amount: 50, maxLeverage: 100 });
    expect(bracketAt(marketBrackets('binance:BTCUSDT')!, 10_000)).toMatchObject({ rate: 0.004, amount: 0, maxLeverage: 125 });
    // Hyperliquid: MMR = 1/(2 × max leverage), deduction by the tiers' recurrence.
    const hl = marketBrackets('hyperliquid:BTC')!;
    expect(bracketAt(hl, 200_000_000)).toMatchObject({ rate: 1 / 40, amount: 150_000_000 * (1 / 40 - 1 / 80), maxLeverage: 20 });
    // SOL (table 54), DOGE and HYPE (table 52): the model caps their leverage mix at 20× / 10×.
    expect(bracketAt(marketBrackets('hyperliquid:SOL')!, 10_000)).toMatchObject({ rate: 1 / 40, amount: 0, maxLeverage: 20 });
    expect(bracketAt(marketBrackets('hyperliquid:SOL')!, 80_000_000)).toMatchObject({ rate: 1 / 20, amount: 70_000_000 * (1 / 20 - 1 / 40), maxLeverage: 10 });
    for (const coin of ['DOGE', 'HYPE']) expect(bracketAt(marketBrackets(`hyperliquid:${coin}`)!, 10_000)).toMatchObject({ rate: 1 / 20, maxLeverage: 10 });
    expect(marketBrackets('okx:ETH-USDT-SWAP')).toBeNull();
    expect(marketBrackets('nonsense')).toBeNull();
  });

  it('quotes ETHUSDT with its own brackets (liqmap quote --symbol)', () => {
    // Isolated 10× long 1 ETH at 2,000: LP = (200 + 0 − 2000)/(0.004 − 1), ETHUSDT's first bracket.
    const r = runCli(['quote', '--exchange', 'binance', '--symbol', 'ETHUSDT', '--mode', 'isolated', '--wallet', '200', '--side', 'long', '--qty', '1', '--entry', '2000', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const q = JSON.parse(r.stdout);
    expect(Number(q.liquidationPrice)).toBeCloseTo(1800 / 0.996, 8);
    expect(q.tier).toBe(1);
  });
});
