import { describe, expect, it } from 'vitest';
import { isLiquidatable, okxSwap, quotePosition, Dec } from '../../engine/index.js';

/**
 * OKX USDT-margined swap in cross (single-currency) margin, from the documented margin ratio
 * (OKX help "Spot and futures mode: cross margin trading", mgnRatio): liquidated when
 * (cross balance + UPL of the cross positions) / (maintenance margin + liquidation fees) = 100%,
 * the liquidation fee of a perpetual being position value × taker fee. With W the balance,
 * U and M the other positions' PnL and requirement, r = MMR + fee, setting the ratio to 1:
 * W + U + s·q·(P − E) = M + q·P·r. Each expected value below is that equation solved by hand
 * (checked with Python's decimal at 50 digits), not the engine's output.
 */
describe('OKX cross margin', () => {
  it('long: the other positions\' maintenance and loss bring the price up', () => {
    // Long 2 BTC at 60,000, balance 10,000, others' maintenance + fees 300, others' UPL −500,
    // MMR 0.4%, taker 0.05%: 10,000 − 500 + 2(P − 60,000) = 300 + 2P·0.0045
    // ⇒ P·(2 − 0.009) = 120,000 + 300 − 9,500 = 110,800 ⇒ P = 110,800 / 1.991 = 55,650.42692114515318935…
    const q = quotePosition({ exchange: 'okx', mode: 'cross', side: 'long', qty: '2', entry: '60000', wallet: '10000', otherMaintenance: '300', otherUpnl: '-500', mmr: '0.004', takerFee: '0.0005', leverage: '20' });
    expect(q.liquidationPrice).toBe('55650.426921145153');
    // Bankruptcy: 9,500 + 2(P − 60,000) = 0 ⇒ 55,250; initial margin 120,000 / 20; maintenance 120,000 · 0.0045.
    expect([q.bankruptcyPrice, q.initialMargin, q.maintenanceMargin]).toEqual(['55250', '6000', '540']);
  });

  it('short: the other positions\' profit pushes the price away', () => {
    // Short 50 ETH at 3,000.5, balance 4,000, others' requirement 150.25, others' UPL +220.75,
    // MMR 0.5%, taker 0.05%: 4,220.75 − 50(P − 3,000.5) = 150.25 + 50P·0.0055
    // ⇒ P·(50 + 0.275) = 4,220.75 − 150.25 + 150,025 = 154,095.5 ⇒ P = 154,095.5 / 50.275 = 3,065.05221282943809050…
    const q = quotePosition({ exchange: 'okx', mode: 'cross', side: 'short', qty: '50', entry: '3000.5', wallet: '4000', otherMaintenance: '150.25', otherUpnl: '220.75', mmr: '0.005', takerFee: '0.0005', leverage: '10' });
    expect(q.liquidationPrice).toBe('3065.052212829438');
    expect(q.bankruptcyPrice).toBe('3084.915'); // 3,000.5 + 4,220.75 / 50
  });

  it('is liquidatable exactly past that price, and without other positions equals isolated', () => {
    const p = { mode: 'cross' as const, side: 'long' as const, qty: '2', entry: '60000', wallet: '10000', otherMaintenance: '300', otherUpnl: '-500', mmr: '0.004', takerFee: '0.0005', leverage: '20' };
    expect(isLiquidatable(okxSwap, p, new Dec('55650.4'))).toBe(true);
    expect(isLiquidatable(okxSwap, p, new Dec('55650.5'))).toBe(false);
    // A cross balance of 5,000 alone backs 1 BTC as an isolated margin of 5,000 does (the worked example's 45,203.4154).
    const cross = quotePosition({ exchange: 'okx', mode: 'cross', side: 'long', qty: '1', entry: '50000', wallet: '5000', mmr: '0.004', takerFee: '0.0005', leverage: '10' });
    expect(new Dec(cross.liquidationPrice!).toDecimalPlaces(4).toFixed(4)).toBe('45203.4154');
  });

  it('needs the cross balance and a rate', () => {
    expect(() => quotePosition({ exchange: 'okx', mode: 'cross', side: 'long', qty: '1', entry: '50000', mmr: '0.004', leverage: '10' })).toThrow(/cross mode needs --wallet/);
    expect(() => quotePosition({ exchange: 'okx', mode: 'cross', side: 'long', qty: '1', entry: '50000', wallet: '5000', leverage: '10' })).toThrow(/--mmr.*--brackets/);
  });
});
