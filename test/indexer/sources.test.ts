import { describe, expect, it } from 'vitest';
import { detectFormat, FORMATS, RowError, type Format } from '../../indexer/sources/index.js';
import type { CanonicalEvent } from '../../db/index.js';

/** Parses `lines` the way the pipeline does: detect on the first line, bind a header, parse the rest. */
function parseFile(fileName: string, lines: string[], opts: { market?: string; path?: string; format?: string } = {}) {
  let format: Format = detectFormat(fileName, lines[0]!, opts.format, opts.path);
  const market = opts.market ?? format.marketFromFileName(fileName);
  const events: CanonicalEvent[] = [];
  const errors: { line: number; field: string | null; reason: string }[] = [];
  lines.forEach((text, i) => {
    if (i === 0 && format.isHeader(text)) {
      format = format.withHeader?.(text) ?? format;
      return;
    }
    try {
      events.push(...format.parseLine(text, { fileName, market, line: i + 1 }));
    } catch (e) {
      if (!(e instanceof RowError)) throw e;
      errors.push({ line: i + 1, field: e.field, reason: e.message });
    }
  });
  return { format: format.name, events, errors };
}

describe('Binance public-data layouts', () => {
  it('reads trades with and without a header, taker side from is_buyer_maker', () => {
    const rows = ['5001,42000.10,0.015,630.0015,1704067200123,true', '5002,42000.20,0.5,21000.1,1704067200456,false'];
    for (const lines of [rows, ['id,price,qty,quote_qty,time,is_buyer_maker', ...rows]]) {
      const r = parseFile('ETHUSDT-trades-2024-01-01.csv', lines);
      expect(r.format).toBe('binance-trades');
      expect(r.errors).toEqual([]);
      expect(r.events).toEqual([
        { kind: 'trade', market: 'binance:ETHUSDT', ts: 1704067200123000, tradeId: '5001', price: '42000.10', qty: '0.015', side: 'sell' },
        { kind: 'trade', market: 'binance:ETHUSDT', ts: 1704067200456000, tradeId: '5002', price: '42000.20', qty: '0.5', side: 'buy' },
      ]);
    }
  });

  it('reads microsecond timestamps (the 2025 archive change) as well as milliseconds', () => {
    const r = parseFile('BTCUSDT-aggTrades-2025-02-01.csv', ['1,100000.5,0.1,1,1,1738368000123456,false']);
    expect(r.events[0]!.ts).toBe(1738368000123456);
  });

  it('reads fundingRate and metrics into funding and open interest', () => {
    const f = parseFile('BTCUSDT-fundingRate-2024-01.csv', ['calc_time,funding_interval_hours,last_funding_rate', '1704067200000,8,0.00037409', '1704096000000,8,-1.2E-5']);
    expect(f.events).toEqual([
      { kind: 'funding', market: 'binance:BTCUSDT', ts: 1704067200000000, rate: '0.00037409', markPrice: null, intervalHours: 8 },
      { kind: 'funding', market: 'binance:BTCUSDT', ts: 1704096000000000, rate: '-0.000012', markPrice: null, intervalHours: 8 },
    ]);
    const m = parseFile('BTCUSDT-metrics-2024-01-01.csv', [
      'create_time,symbol,sum_open_interest,sum_open_interest_value,count_toptrader_long_short_ratio,sum_toptrader_long_short_ratio,count_long_short_ratio,sum_taker_long_short_vol_ratio',
      '2024-01-01 00:05:00,BTCUSDT,78032.4560,3300148069.53,1.61,1.42,1.55,0.98',
    ]);
    expect(m.events).toEqual([{ kind: 'open_interest', market: 'binance:BTCUSDT', ts: Date.UTC(2024, 0, 1, 0, 5) * 1000, oiQty: '78032.4560', oiValue: '3300148069.53' }]);
  });

  it('tells trade klines from mark-price klines by the archive folder, and takes the interval from the row', () => {
    const line = '1704067200000,42283.58,42554.57,42261.02,42475.23,1271.68,1704070799999,53957671.6,51293,661.03,28049064.3,0';
    const trade = parseFile('BTCUSDT-1h-2024-01-01.csv', [line], { path: '/data/futures/um/daily/klines/BTCUSDT/1h/BTCUSDT-1h-2024-01-01.zip' });
    const mark = parseFile('BTCUSDT-1h-2024-01-01.csv', [line], { path: '/data/futures/um/daily/markPriceKlines/BTCUSDT/1h/BTCUSDT-1h-2024-01-01.zip' });
    expect(trade.format).toBe('binance-klines');
    expect(mark.format).toBe('binance-mark-price-klines');
    expect(trade.events[0]).toMatchObject({ kind: 'candle', intervalS: 3600, priceType: 'trade', volume: '1271.68', tradeCount: 51293 });
    expect(mark.events[0]).toMatchObject({ kind: 'candle', intervalS: 3600, priceType: 'mark', volume: null });
  });

  it('refuses rows with the reason and field that is wrong', () => {
    const r = parseFile('BTCUSDT-aggTrades-2024-01-01.csv', [
      '1,abc,0.1,1,1,1704067200000,true',
      '2,42000,-1,1,1,1704067200000,true',
      '3,42000,1,1,1,1704067200000',
      '4,42000,1,1,1,1704067200000,maybe',
      '5,0,1,1,1,1704067200000,true',
      '6,42000,1,1,1,1,true',
    ]);
    expect(r.events).toEqual([]);
    expect(r.errors.map((e) => e.field)).toEqual(['price', 'quantity', 'row', 'is_buyer_maker', 'price', 'transact_time']);
    expect(r.errors[2]!.reason).toMatch(/expected 7 columns/);
    expect(r.errors[5]!.reason).toMatch(/out of range/);
  });
});

describe('recorded websocket streams', () => {
  it('keeps trade, aggTrade, forceOrder and markPrice payloads, skips the rest, uses exchange time', () => {
    const lines = [
      '1723161255030314667 {"stream":"btcusdt@depth@0ms","data":{"e":"depthUpdate","E":1723161256299,"s":"BTCUSDT","b":[],"a":[]}}',
      '1723161255088176367 {"stream":"btcusdt@trade","data":{"e":"trade","E":1723161256322,"T":1723161256321,"s":"BTCUSDT","t":5266583935,"p":"61800.30","q":"0.006","X":"MARKET","m":false}}',
      '{"e":"aggTrade","E":1723161256400,"a":99,"s":"ETHUSDT","p":"2500.1","q":"1.5","f":1,"l":3,"T":1723161256399,"m":true}',
      '{"stream":"btcusdt@forceOrder","data":{"e":"forceOrder","E":1568014460893,"o":{"s":"BTCUSDT","S":"SELL","o":"LIMIT","f":"IOC","q":"0.014","p":"9910","ap":"9910.5","X":"FILLED","l":"0.014","z":"0.014","T":1568014460893}}}',
      '{"e":"markPriceUpdate","E":1562305380000,"s":"BTCUSDT","p":"11794.15000000","i":"11784.62659091","P":"11784.25641265","r":"0.00038167","T":1562306400000}',
      '{"e":"trade","E":1723161256322,"T":1723161256321,"s":"BTCUSDT","t":1,"p":"-5","q":"0.006","m":false}',
    ];
    const r = parseFile('capture.jsonl', lines);
    expect(r.format).toBe('binance-ws');
    expect(r.events).toEqual([
      { kind: 'trade', market: 'binance:BTCUSDT', ts: 1723161256321000, tradeId: '5266583935', price: '61800.30', qty: '0.006', side: 'buy' },
      { kind: 'trade', market: 'binance:ETHUSDT', ts: 1723161256399000, tradeId: 'agg:99', price: '2500.1', qty: '1.5', side: 'sell' },
      { kind: 'liquidation', market: 'binance:BTCUSDT', ts: 1568014460893000, side: 'sell', price: '9910.5', qty: '0.014', notional: null, key: 'sell:9910.5:0.014', sampled: true },
      { kind: 'mark_price', market: 'binance:BTCUSDT', ts: 1562305380000000, markPrice: '11794.15000000', indexPrice: '11784.62659091', fundingRate: '0.00038167' },
    ]);
    expect(r.errors).toEqual([{ line: 6, field: 'p', reason: 'p must be greater than zero, got -5' }]);
  });
});

describe('multi-venue, Tardis and generic layouts', () => {
  it('maps venue + coin to each venue’s perp symbol', () => {
    const c = parseFile('candles-4h-x.csv', ['timestamp,venue,coin,o,h,l,c,v', '2025-03-06T11:00:00.000Z,okx,ETH,2292,2299.4,2283.8,2296.6,731.3046', '2025-03-06T11:00:00.000Z,binance,BTC,1,2,0.5,1.5,10']);
    expect(c.events.map((e) => [e.market, (e as { intervalS: number }).intervalS])).toEqual([
      ['okx:ETH-USDT-SWAP', 14400],
      ['binance:BTCUSDT', 14400],
    ]);
    const l = parseFile('liq.csv', ['timestamp,venue,coin,side,size_usd,price', '2025-05-25T14:36:58.596Z,hyperliquid,HYPE,S,101.25763,38.501', '2026-03-04T10:00:00Z,okx,ETH,buy,5000,2100.5']);
    expect(l.events).toEqual([
      { kind: 'liquidation', market: 'hyperliquid:HYPE', ts: Date.parse('2025-05-25T14:36:58.596Z') * 1000, side: null, price: '38.501', qty: null, notional: '101.25763', key: '?:38.501:101.25763' },
      { kind: 'liquidation', market: 'okx:ETH-USDT-SWAP', ts: Date.parse('2026-03-04T10:00:00Z') * 1000, side: 'buy', price: '2100.5', qty: null, notional: '5000', key: 'buy:2100.5:5000' },
    ]);
    // Hyperliquid's own side letters (B bid, A ask) and the position names; S says nothing.
    const sides = parseFile('liq.csv', ['timestamp,venue,coin,side,size_usd,price', ...['B', 'A', 'Ask', 'long', 'SHORT', 'S'].map((s, i) => `2025-05-25T14:36:5${i}.000Z,hyperliquid,ETH,${s},100,2500`)]);
    expect(sides.events.map((e) => (e as { side: string | null }).side)).toEqual(['buy', 'sell', 'sell', 'sell', 'buy', null]);
    expect(sides.errors).toEqual([]);
    const f = parseFile('funding.csv', ['timestamp,venue,coin,funding_rate', '2025-03-08T09:00:00.000Z,hyperliquid,HYPE,0.00001315099']);
    expect(f.events[0]).toMatchObject({ market: 'hyperliquid:HYPE', intervalHours: 1, rate: '0.00001315099' });
  });

  it('reads Tardis trades with the venue from the exchange column', () => {
    const r = parseFile('t.csv', ['exchange,symbol,timestamp,local_timestamp,id,side,price,amount', 'bybit,BTCUSDT,1582329602111000,1582329602418379,abc-1,unknown,9682,0.132']);
    expect(r.events).toEqual([{ kind: 'trade', market: 'bybit:BTCUSDT', ts: 1582329602111000, tradeId: 'abc-1', price: '9682', qty: '0.132', side: null }]);
  });

  it('tells Tardis liquidations from trades by the file name, and reads derivative_ticker into mark price and open interest', () => {
    const header = 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount';
    const liq = parseFile('binance-futures_liquidations_2020-02-01_BTCUSDT.csv', [header, 'binance-futures,BTCUSDT,1580515200123000,1580515200200000,,sell,9350.5,0.25']);
    expect(liq.format).toBe('tardis-liquidations');
    expect(liq.events).toEqual([{ kind: 'liquidation', market: 'binance:BTCUSDT', ts: 1580515200123000, side: 'sell', price: '9350.5', qty: '0.25', notional: null, key: 'sell:9350.5:0.25' }]);
    const tick = parseFile('binance-futures_derivative_ticker_2020-02-01_BTCUSDT.csv', [
      'exchange,symbol,timestamp,local_timestamp,funding_timestamp,funding_rate,predicted_funding_rate,open_interest,last_price,index_price,mark_price',
      'binance-futures,BTCUSDT,1580515200500000,1580515200600000,1580544000000000,0.0001,,52000.123,9351,9349.8,9350.1',
      'binance-futures,BTCUSDT,1580515201500000,1580515201600000,1580544000000000,0.0001,,,9351,9349.8,9350.2',
    ]);
    expect(tick.events).toEqual([
      { kind: 'mark_price', market: 'binance:BTCUSDT', ts: 1580515200500000, markPrice: '9350.1', indexPrice: '9349.8', fundingRate: '0.0001' },
      { kind: 'open_interest', market: 'binance:BTCUSDT', ts: 1580515200500000, oiQty: '52000.123', oiValue: null },
      { kind: 'mark_price', market: 'binance:BTCUSDT', ts: 1580515201500000, markPrice: '9350.2', indexPrice: '9349.8', fundingRate: '0.0001' },
    ]);
  });

  it('reads Bybit public trading history with its fractional-second timestamps exactly', () => {
    const r = parseFile('BTCUSDT2024-01-01.csv', [
      'timestamp,symbol,side,size,price,tickDirection,trdMatchID,grossValue,homeNotional,foreignNotional',
      '1704067200.1234,BTCUSDT,Sell,0.005,42283.6,ZeroMinusTick,6f6c8b3e-0d0a-5f7e-9c3e-2b1d3c4e5f60,2.114180e+10,0.005,211.418',
    ]);
    expect(r.events).toEqual([{ kind: 'trade', market: 'bybit:BTCUSDT', ts: 1704067200123400, tradeId: '6f6c8b3e-0d0a-5f7e-9c3e-2b1d3c4e5f60', price: '42283.6', qty: '0.005', side: 'sell' }]);
  });

  it('reads the generic CSV by its header, in any column order, with quoted fields', () => {
    const r = parseFile('mine.csv', ['time,kind,market,price,qty,side,id', '2024-01-01T00:00:00.5Z,trade,"kraken:PF_XBTUSD",42000.5,0.25,buy,t1', '2024-01-01T00:00:01Z,funding,kraken:PF_XBTUSD,,,,']);
    expect(r.format).toBe('generic-csv');
    expect(r.events).toEqual([{ kind: 'trade', market: 'kraken:PF_XBTUSD', ts: Date.UTC(2024, 0, 1) * 1000 + 500_000, tradeId: 't1', price: '42000.5', qty: '0.25', side: 'buy' }]);
    expect(r.errors).toEqual([{ line: 3, field: 'rate', reason: 'rate is empty' }]);
  });

  it('reads generic JSON lines of every kind', () => {
    const r = parseFile('mine.jsonl', [
      '{"kind":"open_interest","market":"dydx:BTC-USD","time":1704067200000,"oi":"1234.5"}',
      '{"kind":"candle","market":"dydx:BTC-USD","time":"2024-01-01T00:00:00Z","interval":60,"open":1,"high":2,"low":0.5,"close":1.5,"volume":3}',
      '{"kind":"liquidation","market":"dydx:BTC-USD","time":"2024-01-01T00:00:00Z","price":"42000","side":"long","notional":"1e3"}',
    ]);
    expect(r.format).toBe('generic-jsonl');
    expect(r.errors).toEqual([]);
    expect(r.events.map((e) => e.kind)).toEqual(['open_interest', 'candle', 'liquidation']);
    expect(r.events[2]).toMatchObject({ side: 'sell', notional: '1000' });
  });

  it('names the file when no layout fits, and every format has a unique name', () => {
    expect(() => detectFormat('mystery.csv', 'a,b,c')).toThrow(/mystery\.csv: unknown layout/);
    expect(new Set(FORMATS.map((f) => f.name)).size).toBe(FORMATS.length);
  });
});
