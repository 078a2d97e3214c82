import type { CanonicalEvent } from '../../db/index.js';
import type { Format } from './format.js';
import { epochToUs, expectColumns, ident, price, quantity, signedDecimal, splitCsv } from './fields.js';
import { symbolMarket } from './venues.js';

const HEADER = 'exchange,symbol,timestamp,local_timestamp,funding_timestamp,funding_rate,predicted_funding_rate,open_interest,last_price,index_price,mark_price';

function present(v: string | undefined): v is string {
  return v !== undefined && v.trim() !== '';
}

/**
 * Tardis.dev normalized `derivative_ticker` CSV: mark/index price, current funding rate and
 * open interest as the venue published them. Each row becomes a mark-price sample and, when
 * the row carries it, an open-interest snapshot (in the venue's contract units: base units on
 * Binance USDⓈ-M and Bybit linear).
 */
export const tardisDerivativeTicker: Format = {
  name: 'tardis-derivative-ticker',
  description: 'Tardis.dev normalized derivative_ticker CSV (mark/index price, funding rate, open interest)',
  needsMarket: false,
  detect: (_fileName, firstLine) => firstLine.startsWith(HEADER),
  isHeader: (line) => line.startsWith('exchange,'),
  marketFromFileName: () => null,
  parseLine(line, ctx): CanonicalEvent[] {
    const c = splitCsv(line);
    expectColumns(c, 11, 'Tardis derivative_ticker');
    const market = ctx.market ?? symbolMarket(ident(c[0], 'exchange'), ident(c[1], 'symbol'));
    const ts = epochToUs(c[2], 'timestamp');
    const out: CanonicalEvent[] = [];
    if (present(c[10])) {
      out.push({
        kind: 'mark_price',
        market,
        ts,
        markPrice: price(c[10], 'mark_price'),
        indexPrice: present(c[9]) ? price(c[9], 'index_price') : null,
        fundingRate: present(c[5]) ? signedDecimal(c[5], 'funding_rate') : null,
      });
    }
    if (present(c[7])) out.push({ kind: 'open_interest', market, ts, oiQty: quantity(c[7], 'open_interest'), oiValue: null });
    return out;
  },
};
