import { isMarketId, type TradeEvent, type TradeSpans } from '../../db/index.js';
import type { Format } from './format.js';
import { binanceMarketFromFileName } from './binance-file-name.js';
import { bool, epochToUs, expectColumns, ident, price, quantity, requireMarket, splitCsv } from './fields.js';
import { epochUsAt, priceSpanOk, quantitySpanOk } from './field-spans.js';

const HEADER = 'agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker';

/**
 * The spelling of every archive line, for {@link binanceAggTrades}'s encodeLine: ids in
 * digits, plain decimals, ms or µs, `true`/`false` (splitCsv drops one `\r`). The first and
 * last trade ids are not stored but must be digits too, so such a line holds none of the
 * characters the pipeline's checks before parseLine look for (NUL, U+FFFD).
 */
const COMMON = /^\d{1,32},\d+(?:\.\d+)?,\d+(?:\.\d+)?,\d{1,32},\d{1,32},\d{1,16},(?:true|false)\r?$/;

/**
 * Binance USDⓈ-M `aggTrades` archives (data.binance.vision): `agg_trade_id, price, quantity,
 * first_trade_id, last_trade_id, transact_time, is_buyer_maker`, with or without the header.
 * The taker side is `sell` when the buyer was the maker. Trade ids are stored as `agg:<id>`.
 */
export const binanceAggTrades: Format = {
  name: 'binance-agg-trades',
  description: 'Binance USDⓈ-M aggTrades CSV (data.binance.vision), header optional',
  needsMarket: true,
  detect: (fileName, firstLine) =>
    firstLine.startsWith(HEADER) || (/-aggTrades-/.test(fileName) && splitCsv(firstLine).length === 7),
  isHeader: (line) => line.startsWith('agg_trade_id'),
  marketFromFileName: (fileName) => binanceMarketFromFileName(fileName, 'aggTrades'),
  parseLine(line, ctx): TradeEvent[] {
    const c = splitCsv(line);
    expectColumns(c, 7, 'aggTrades');
    return [
      {
        kind: 'trade',
        market: requireMarket(ctx.market, 'aggTrades'),
        ts: epochToUs(c[5], 'transact_time'),
        tradeId: `agg:${ident(c[0], 'agg_trade_id')}`,
        price: price(c[1]),
        qty: quantity(c[2]),
        side: bool(c[6], 'is_buyer_maker') ? 'sell' : 'buy',
      },
    ];
  },
  encodeLine(line, ctx, out) {
    const market = ctx.market;
    if (market === null || !marketOk(market) || !COMMON.test(line)) return false;
    const idTo = line.indexOf(',');
    const priceTo = line.indexOf(',', idTo + 1);
    const qtyTo = line.indexOf(',', priceTo + 1);
    const lastTo = line.indexOf(',', line.indexOf(',', qtyTo + 1) + 1);
    const timeTo = line.indexOf(',', lastTo + 1);
    if (!priceSpanOk(line, idTo + 1, priceTo) || !quantitySpanOk(line, priceTo + 1, qtyTo)) return false;
    const ts = epochUsAt(line, lastTo + 1, timeTo);
    if (ts < 0) return false;
    spans.market = market;
    spans.ts = ts;
    spans.line = line;
    spans.idTo = idTo;
    spans.priceFrom = idTo + 1;
    spans.priceTo = priceTo;
    spans.qtyFrom = priceTo + 1;
    spans.qtyTo = qtyTo;
    spans.side = line.charCodeAt(timeTo + 1) === 116 /* t */ ? 'sell' : 'buy';
    out.addTradeSpans(spans, ctx.line);
    return true;
  },
};

// One spans object for every line: encodeLine runs synchronously and the rows copy the bytes.
const spans: TradeSpans = { market: '', ts: 0, line: '', idPrefix: 'agg:', idFrom: 0, idTo: 0, priceFrom: 0, priceTo: 0, qtyFrom: 0, qtyTo: 0, side: 'buy' };

// The market is the same for every line of a file: checked once (checkEventColumns's rule).
let lastGoodMarket = '';
function marketOk(market: string): boolean {
  if (market === lastGoodMarket) return true;
  if (!isMarketId(market)) return false;
  lastGoodMarket = market;
  return true;
}
