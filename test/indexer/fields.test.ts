import { describe, expect, it } from 'vitest';
import { ident, price, quantity, signedDecimal, timeToUs } from '../../indexer/sources/fields.js';
import { RowError } from '../../indexer/sources/index.js';
import { checkEventColumns, isMarketId } from '../../db/index.js';

function refusal(fn: () => unknown): RowError {
  try {
    fn();
  } catch (e) {
    if (e instanceof RowError) return e;
    throw e;
  }
  throw new Error('expected a RowError, the value was accepted');
}

describe('numbers: finite, positive where they must be, within the documented range', () => {
  it('keeps ordinary prices and sizes exactly as printed, scientific notation expanded', () => {
    expect(price('42000.10')).toBe('42000.10');
    expect(price('0.000001234')).toBe('0.000001234');
    expect(price('1.2E-5')).toBe('0.000012');
    expect(price('999999999999999.99')).toBe('999999999999999.99');
    expect(quantity('0')).toBe('0');
    expect(quantity('123456789012345678901'.slice(0, 20))).toBe('12345678901234567890');
    expect(signedDecimal('-0.00037', 'rate')).toBe('-0.00037');
  });

  it('refuses what would be stored as Infinity, overflow numeric, or break the price grid', () => {
    for (const raw of ['1e400', '1e99999999999999999', '1000000000000000', '1e15', 'Infinity', 'NaN', '0', '-5', '1e-19', '9'.repeat(131_073)]) {
      const e = refusal(() => price(raw));
      expect(e.field).toBe('price');
      expect(e.message.length).toBeLessThan(200);
    }
    for (const raw of ['1e99999999999999999', '1e21', '1e-20000', '-1']) expect(refusal(() => quantity(raw, 'qty')).field).toBe('qty');
    expect(refusal(() => quantity('0.' + '0'.repeat(40) + '1', 'qty')).message).toMatch(/range|digits after/);
    expect(refusal(() => signedDecimal('12', 'rate')).message).toMatch(/range/);
  });
});

describe('ISO dates', () => {
  it('reads valid times, offsets and leap days', () => {
    expect(timeToUs('2024-02-29T23:59:59.5Z')).toBe(Date.UTC(2024, 1, 29, 23, 59, 59, 500) * 1000);
    expect(timeToUs('2024-01-01 02:00:00+02:00')).toBe(Date.UTC(2024, 0, 1) * 1000);
    expect(timeToUs('2024-01-01T00:00-0530')).toBe(Date.UTC(2024, 0, 1, 5, 30) * 1000);
  });

  it('refuses impossible dates with the part that is wrong, instead of rolling them over', () => {
    expect(refusal(() => timeToUs('2024-02-30T00:00:00Z')).message).toMatch(/day 30 does not exist in 2024-02/);
    expect(refusal(() => timeToUs('2023-02-29 00:00')).message).toMatch(/day 29/);
    expect(refusal(() => timeToUs('2024-13-45 99:99')).message).toMatch(/month 13/);
    expect(refusal(() => timeToUs('2024-01-01 24:00')).message).toMatch(/hour 24/);
    expect(refusal(() => timeToUs('2024-01-01 23:60')).message).toMatch(/minute 60/);
    expect(refusal(() => timeToUs('2024-01-01T00:00:00+25:99')).message).toMatch(/offset \+25:99/);
    expect(refusal(() => timeToUs('2024-01-01T00:00:00+18:30')).message).toMatch(/offset/);
  });
});

describe('ids and market ids', () => {
  it('refuses control characters, invalid text and over-long ids', () => {
    expect(ident('  12345 ', 'id')).toBe('12345');
    expect(refusal(() => ident('a'.repeat(201), 'id')).message).toMatch(/201 characters/);
    expect(refusal(() => ident('12\u001b[31m', 'id')).message).toMatch(/control characters/);
    expect(refusal(() => ident('12\ufffd', 'id')).message).toMatch(/control characters|invalid/);
    expect(refusal(() => ident('12\ud800', 'id')).message).toMatch(/invalid/);
  });

  it('accepts exchange:SYMBOL market ids and nothing with spaces, quotes or 5,000 characters', () => {
    for (const ok of ['binance:BTCUSDT', 'okx:BTC-USDT-SWAP', 'kraken:PF_XBTUSD', 'dydx:BTC-USD', 'binance:1000PEPEUSDT', 'binance:币安人生USDT']) expect(isMarketId(ok), ok).toBe(true);
    for (const bad of ['binance:BTC USDT', "binance:BTC'", 'binance:"x"', `binance:${'A'.repeat(5000)}`, 'BINANCE:BTC', 'binance:', ':BTC', 'binance:BTC\u0000']) expect(isMarketId(bad), bad).toBe(false);
  });

  it('checks events against what their columns accept', () => {
    const trade = { kind: 'trade', market: 'binance:BTCUSDT', ts: 1.7e15, tradeId: '1', price: '1', qty: '1', side: null } as const;
    expect(checkEventColumns(trade)).toBeNull();
    expect(checkEventColumns({ ...trade, tradeId: 'x\u0000' })?.field).toBe('tradeId');
    expect(checkEventColumns({ ...trade, tradeId: 'é'.repeat(600) })?.reason).toMatch(/bytes/);
    expect(checkEventColumns({ ...trade, price: 'Infinity' })?.field).toBe('price');
    expect(checkEventColumns({ ...trade, market: 'binance:BTC USDT' })?.field).toBe('market');
    const candle = { kind: 'candle', market: 'binance:BTCUSDT', ts: 1.7e15, intervalS: 60, priceType: 'trade', open: '1', high: '1', low: '1', close: '1', volume: null, quoteVolume: null, tradeCount: 3 } as const;
    expect(checkEventColumns(candle)).toBeNull();
    expect(checkEventColumns({ ...candle, intervalS: 2 ** 31 })?.field).toBe('intervalS');
    expect(checkEventColumns({ ...candle, tradeCount: Number.NaN })?.field).toBe('tradeCount');
  });
});
