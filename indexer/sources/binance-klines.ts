import type { CandleEvent, CandlePriceType } from '../../db/index.js';
import type { Format } from './format.js';
import { RowError } from './format.js';
import { binanceMarketFromFileName } from './binance-file-name.js';
import { MAX_CANDLE_INTERVAL_S, epochToUs, expectColumns, tradeCount, optionalQuantity, price, quantity, requireMarket, signedDecimal, splitCsv } from './fields.js';

const HEADER = 'open_time,open,high,low,close,volume,close_time';

/** The archive folder each price type is published under on data.binance.vision. */
const FOLDER: Record<CandlePriceType, string> = {
  trade: 'klines',
  mark: 'markPriceKlines',
  index: 'indexPriceKlines',
  premium: 'premiumIndexKlines',
};

const NAME: Record<CandlePriceType, string> = {
  trade: 'binance-klines',
  mark: 'binance-mark-price-klines',
  index: 'binance-index-price-klines',
  premium: 'binance-premium-index-klines',
};

function folderOf(sourcePath: string): CandlePriceType | null {
  for (const t of ['mark', 'index', 'premium'] as const) if (sourcePath.includes(FOLDER[t])) return t;
  return null;
}

/**
 * Binance USDⓈ-M kline archives: `open_time, open, high, low, close, volume, close_time,
 * quote_volume, count, taker_buy_volume, taker_buy_quote_volume, ignore`, header optional.
 * Trade, mark-price, index-price and premium-index klines share the layout and even the file
 * name (`BTCUSDT-1m-2024-01-01.zip`); the price type comes from the archive's folder
 * (`…/markPriceKlines/…`) or from `--format`. The interval is `close_time − open_time + 1 ms`.
 */
function binanceKlines(priceType: CandlePriceType): Format {
  const layout = FOLDER[priceType];
  return {
    name: NAME[priceType],
    description: `Binance USDⓈ-M ${layout} CSV (open_time … ignore), header optional`,
    needsMarket: true,
    detect(fileName, firstLine, sourcePath) {
      const isKline = firstLine.startsWith(HEADER) || (binanceMarketFromFileName(fileName, /^\d+(?:s|m|h|d|w|mo)$/) !== null && splitCsv(firstLine).length === 12);
      return isKline && (folderOf(sourcePath ?? '') ?? 'trade') === priceType;
    },
    isHeader: (line) => line.startsWith('open_time'),
    marketFromFileName: (fileName) => binanceMarketFromFileName(fileName, /^\d+(?:s|m|h|d|w|mo)$/),
    parseLine(line, ctx): CandleEvent[] {
      const c = splitCsv(line);
      expectColumns(c, 12, layout);
      const open = epochToUs(c[0], 'open_time');
      const close = epochToUs(c[6], 'close_time');
      const intervalS = Math.round((close - open + 1000) / 1e6);
      if (intervalS <= 0) throw new RowError('close_time', `close_time is not after open_time`);
      if (intervalS > MAX_CANDLE_INTERVAL_S) throw new RowError('close_time', `close_time is ${intervalS} s after open_time (a candle spans at most ${MAX_CANDLE_INTERVAL_S} s, a year)`);
      // Premium-index klines are a signed ratio, not a price.
      const px = priceType === 'premium' ? signedDecimal : price;
      return [
        {
          kind: 'candle',
          market: requireMarket(ctx.market, layout),
          ts: open,
          intervalS,
          priceType,
          open: px(c[1], 'open'),
          high: px(c[2], 'high'),
          low: px(c[3], 'low'),
          close: px(c[4], 'close'),
          volume: priceType === 'trade' ? quantity(c[5], 'volume') : null,
          quoteVolume: priceType === 'trade' ? optionalQuantity(c[7], 'quote_volume') : null,
          tradeCount: priceType === 'trade' && c[8]?.trim() ? tradeCount(c[8], 'count') : null,
        },
      ];
    },
  };
}

/** Trade-price klines. */
export const binanceTradeKlines = binanceKlines('trade');
/** Mark-price klines (`markPriceKlines`). */
export const binanceMarkPriceKlines = binanceKlines('mark');
/** Index-price klines (`indexPriceKlines`). */
export const binanceIndexPriceKlines = binanceKlines('index');
/** Premium-index klines (`premiumIndexKlines`). */
export const binancePremiumIndexKlines = binanceKlines('premium');
