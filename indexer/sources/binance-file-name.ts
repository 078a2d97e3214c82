/**
 * Binance public-data file names: `BTCUSDT-aggTrades-2024-01-01.zip`,
 * `BTCUSDT-1m-2024-01-01.csv` (klines, markPriceKlines, indexPriceKlines, premiumIndexKlines),
 * `BTCUSDT-fundingRate-2024-01.zip`, `BTCUSDT-metrics-2024-01-01.zip`.
 */
const NAME = /^([A-Z0-9]+(?:_\d+)?)-([A-Za-z]+|\d+(?:s|m|h|d|w|mo))-\d{4}-\d{2}(?:-\d{2})?\.(?:csv|zip)(?:\.gz)?$/;

/** The parts of a Binance data file name, or null when the name is not one. */
export function parseBinanceFileName(fileName: string): { symbol: string; dataType: string } | null {
  const m = NAME.exec(fileName);
  return m ? { symbol: m[1]!, dataType: m[2]! } : null;
}

/** `binance:SYMBOL` for a Binance data file of `dataType` (or any, when omitted). */
export function binanceMarketFromFileName(fileName: string, dataType?: string | RegExp): string | null {
  const p = parseBinanceFileName(fileName);
  if (!p) return null;
  if (dataType !== undefined && !(typeof dataType === 'string' ? p.dataType === dataType : dataType.test(p.dataType))) return null;
  return `binance:${p.symbol}`;
}

/** Seconds of a kline interval name (`1m`, `4h`, `1d`, `1w`, `1mo` as 30 days), or null. */
export function intervalSeconds(name: string): number | null {
  const m = /^(\d+)(s|m|h|d|w|mo)$/.exec(name);
  if (!m) return null;
  const unit = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, mo: 2_592_000 }[m[2] as 's' | 'm' | 'h' | 'd' | 'w' | 'mo'];
  return Number(m[1]) * unit;
}
