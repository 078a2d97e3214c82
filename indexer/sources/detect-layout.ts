import { LiqmapError, printable } from '../../base/index.js';
import type { Format } from './format.js';
import { binanceAggTrades } from './binance-agg-trades.js';
import { binanceTrades } from './binance-trades.js';
import { binanceFundingRate } from './binance-funding-rate.js';
import { binanceMetrics } from './binance-metrics.js';
import { binanceIndexPriceKlines, binanceMarkPriceKlines, binancePremiumIndexKlines, binanceTradeKlines } from './binance-klines.js';
import { binanceLiquidationSnapshot } from './binance-liquidation-snapshot.js';
import { binanceWsCapture } from './binance-ws-capture.js';
import { tardisTrades } from './tardis-trades.js';
import { tardisLiquidations } from './tardis-liquidations.js';
import { tardisDerivativeTicker } from './tardis-derivative-ticker.js';
import { bybitTrades } from './bybit-trades.js';
import { multivenueCandles } from './multivenue-candles.js';
import { multivenueFunding } from './multivenue-funding.js';
import { multivenueLiquidations } from './multivenue-liquidations.js';
import { genericCsv, genericJsonl } from './generic.js';

/** Every format, most specific first (detection takes the first that accepts a file). */
export const FORMATS: readonly Format[] = [
  tardisLiquidations,
  tardisTrades,
  tardisDerivativeTicker,
  bybitTrades,
  binanceAggTrades,
  binanceTrades,
  binanceFundingRate,
  binanceMetrics,
  binanceLiquidationSnapshot,
  binanceTradeKlines,
  binanceMarkPriceKlines,
  binanceIndexPriceKlines,
  binancePremiumIndexKlines,
  multivenueCandles,
  multivenueFunding,
  multivenueLiquidations,
  genericJsonl,
  binanceWsCapture,
  genericCsv,
];

/** The format called `name`, or a clear error listing the known names. */
export function formatByName(name: string): Format {
  const f = FORMATS.find((x) => x.name === name);
  if (!f) {
    throw new LiqmapError('LAYOUT_UNKNOWN', `unknown --format "${name}"; known formats: ${FORMATS.map((x) => x.name).join(', ')}`);
  }
  return f;
}

/**
 * The format of a file, from `forced` (a `--format` name) or detected from its base name, first
 * non-empty line and full path. Throws `LAYOUT_UNKNOWN` naming the file when none fits.
 */
export function detectFormat(fileName: string, firstLine: string, forced?: string, sourcePath?: string): Format {
  if (forced) return formatByName(forced);
  const line = firstLine.replace(/^\uFEFF/, '');
  for (const f of FORMATS) if (f.detect(fileName, line, sourcePath ?? fileName)) return f;
  throw new LiqmapError(
    'LAYOUT_UNKNOWN',
    `${printable(fileName, 200)}: unknown layout (first line: "${printable(line, 80)}"); pass --format with one of ${FORMATS.map((x) => x.name).join(', ')}`,
    { file: fileName },
  );
}
