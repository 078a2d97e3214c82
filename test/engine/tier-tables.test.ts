import { describe, expect, it } from 'vitest';
import { quotePosition } from '../../engine/index.js';

/** A caller's tier table (what `--brackets` parses to) replaces a venue's bundled tiers. */
describe('tier tables per venue', () => {
  it('Bybit: the tier holding the position value at entry, with its deduction and leverage cap', () => {
    const brackets = [
      { floor: '0', cap: '2000000', mmr: '0.005', cum: '0', maxLeverage: 100 },
      { floor: '2000000', cap: '10000000', mmr: '0.01', cum: '10000', maxLeverage: 50 },
    ];
    // 100 BTC at 64,000 = 6.4M: tier 2. IM = 6.4M/20 = 320,000, MM = 6.4M·0.01 − 10,000 = 54,000;
    // LP = 64,000 − (320,000 − 54,000)/100 = 61,340 (refused without a table: tier 1 only is bundled).
    const q = quotePosition({ exchange: 'bybit', symbol: 'BTCUSDT', side: 'long', qty: '100', entry: '64000', leverage: '20', brackets });
    expect([q.liquidationPrice, q.maintenanceMargin, q.tier]).toEqual(['61340', '54000', 2]);
    expect(() => quotePosition({ exchange: 'bybit', symbol: 'BTCUSDT', side: 'long', qty: '100', entry: '64000', leverage: '60', brackets })).toThrow(/60× is above the maximum 50× of Bybit tier 2/);
    expect(() => quotePosition({ exchange: 'bybit', side: 'long', qty: '200', entry: '64000', leverage: '5', brackets })).toThrow(/above the last tier's cap 10000000/);
  });

  it('Hyperliquid: the table\'s own rate and deduction, tier at the liquidation price', () => {
    const brackets = [
      { floor: '0', cap: '150000000', mmr: '0.0125', cum: '0', maxLeverage: 40 },
      { floor: '150000000', cap: '1000000000', mmr: '0.03', cum: '2625000', maxLeverage: 20 },
    ];
    // 3,000 BTC at 60,000 = 180M, margin 9M: 9M + 3,000(P − 60,000) = 3,000·P·0.03 − 2,625,000
    // ⇒ P = (180M − 9M − 2.625M)/(3,000·0.97) = 168,375,000 / 2,910 = 57,860.8247422680412371…; 3,000·P = 173.6M ≥ 150M.
    const q = quotePosition({ exchange: 'hyperliquid', coin: 'BTC', side: 'long', qty: '3000', entry: '60000', margin: '9000000', leverage: '20', brackets });
    expect([q.liquidationPrice, q.tier]).toEqual(['57860.824742268041', 2]);
  });
});
