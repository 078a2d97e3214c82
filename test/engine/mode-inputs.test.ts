import { describe, expect, it } from 'vitest';
import { quotePosition } from '../../engine/index.js';

/**
 * An input a venue reads in one margin mode only is refused in the other, naming the input,
 * its flag and the mode; before, it was dropped and the quote came back as if it were absent.
 */
const refusal = (field: string, flag: string, mode: string) => new RegExp(`^${field} \\(${flag}\\) is read in ${mode === 'cross' ? 'isolated' : 'cross'} mode only; this \\w+ position is ${mode}`);

const cases: { venue: string; mode: 'isolated' | 'cross'; base: Record<string, unknown>; extra: Record<string, string> }[] = [
  {
    venue: 'binance isolated',
    mode: 'isolated',
    base: { exchange: 'binance', symbol: 'BTCUSDT', mode: 'isolated', side: 'long', qty: '1', entry: '60000', leverage: '20' },
    extra: { otherMaintenance: '100', otherUpnl: '-50' },
  },
  { venue: 'binance cross', mode: 'cross', base: { exchange: 'binance', symbol: 'BTCUSDT', mode: 'cross', side: 'long', qty: '1', entry: '60000', wallet: '5000' }, extra: { extraMargin: '100' } },
  {
    venue: 'okx isolated',
    mode: 'isolated',
    base: { exchange: 'okx', side: 'long', qty: '1', entry: '60000', leverage: '20', mmr: '0.004' },
    extra: { wallet: '5000', otherMaintenance: '100', otherUpnl: '-50' },
  },
  { venue: 'okx cross', mode: 'cross', base: { exchange: 'okx', mode: 'cross', side: 'long', qty: '1', entry: '60000', wallet: '5000', leverage: '20', mmr: '0.004' }, extra: { margin: '3000', extraMargin: '100' } },
  { venue: 'hyperliquid isolated', mode: 'isolated', base: { exchange: 'hyperliquid', coin: 'ETH', side: 'long', qty: '1', entry: '2000', margin: '200' }, extra: { accountValue: '1000', otherMaintenance: '100' } },
  { venue: 'hyperliquid cross', mode: 'cross', base: { exchange: 'hyperliquid', coin: 'ETH', mode: 'cross', side: 'long', qty: '1', entry: '2000', accountValue: '1000' }, extra: { margin: '200' } },
  { venue: 'dydx isolated', mode: 'isolated', base: { exchange: 'dydx', mode: 'isolated', side: 'short', qty: '3', oracle: '3000', equity: '1000', mmf: '0.05' }, extra: { otherMaintenance: '100' } },
];

const flagOf = (field: string) => `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

describe('inputs of the other margin mode', () => {
  for (const c of cases) {
    it(`${c.venue}: refuses ${Object.keys(c.extra).join(', ')}`, () => {
      expect(quotePosition(c.base).liquidationPrice).not.toBeNull(); // the position itself quotes
      for (const [field, value] of Object.entries(c.extra)) {
        expect(() => quotePosition({ ...c.base, [field]: value }), field).toThrow(refusal(field, flagOf(field), c.mode));
      }
    });
  }

  it('the default mode counts: Hyperliquid and OKX default to isolated', () => {
    const { mode: _m, ...hl } = cases[5]!.base;
    expect(() => quotePosition(hl)).toThrow(refusal('accountValue', '--account-value', 'isolated'));
    const { mode: _o, ...okx } = cases[3]!.base;
    expect(() => quotePosition(okx)).toThrow(refusal('wallet', '--wallet', 'isolated'));
  });

  it('Bybit (isolated only) refuses cross, GMX refuses a mode at all', () => {
    expect(() => quotePosition({ exchange: 'bybit', mode: 'cross', side: 'long', qty: '1', entry: '20000', leverage: '50', mmr: '0.005' })).toThrow(/^mode: /);
    expect(() => quotePosition({ exchange: 'gmx', mode: 'isolated', side: 'short', sizeUsd: '10000', sizeTokens: '4', collateralUsd: '1000' })).toThrow(/mode: not an input of gmx/);
  });

  it('a rate override together with a tier table is refused', () => {
    const brackets = [{ floor: '0', cap: '1000000', mmr: '0.004', cum: '0', maxLeverage: 100 }];
    expect(() => quotePosition({ exchange: 'okx', side: 'long', qty: '1', entry: '60000', leverage: '20', mmr: '0.004', brackets })).toThrow(/^mmr \(--mmr\) and --brackets/);
    expect(() => quotePosition({ exchange: 'bybit', side: 'long', qty: '1', entry: '60000', leverage: '20', mmDeduction: '0', brackets })).toThrow(/^mmDeduction \(--mm-deduction\) and --brackets/);
    expect(() => quotePosition({ exchange: 'hyperliquid', coin: 'BTC', side: 'long', qty: '1', entry: '60000', margin: '3000', maxLeverage: '40', brackets })).toThrow(/^maxLeverage \(--max-leverage\) and --brackets/);
    expect(() => quotePosition({ exchange: 'dydx', side: 'short', qty: '3', oracle: '3000', equity: '1000', mmf: '0.05', brackets })).toThrow(/brackets: not an input of dydx/);
  });
});
