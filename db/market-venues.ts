/**
 * The venue registry of market symbols: per venue, how a coin becomes the venue's USDT/USD
 * perpetual symbol (multi-venue CSVs, Tardis rows) and how a symbol splits into base and quote
 * (aggregation across venues). One entry per venue; a new venue is one entry here.
 */
interface VenueSymbols {
  /** The venue's linear perpetual symbol of a coin (upper case). */
  readonly perp: (coin: string) => string;
  /** Base and quote of one of the venue's symbols (upper case), or null when it is not a perpetual liqmap can read. */
  readonly parse: (symbol: string) => BaseQuote | null;
}

/** A market's base asset and quote currency, upper case (`BTC`, `USDT`). */
export interface BaseQuote {
  readonly base: string;
  readonly quote: string;
}

/** Quotes a concatenated symbol may end in, longest first (`BTCUSDT`, `ETHUSDC`, `BTCUSD`). */
const SUFFIX_QUOTES = ['USDT', 'USDC', 'USD'] as const;

/** `BTCUSDT` → BTC / USDT (a non-empty base before a known quote suffix). */
function suffixed(symbol: string): BaseQuote | null {
  for (const quote of SUFFIX_QUOTES) if (symbol.length > quote.length && symbol.endsWith(quote)) return { base: symbol.slice(0, -quote.length), quote };
  return null;
}

/** `BTC-USDT-SWAP` / `BTC-USD` → BTC / USDT, BTC / USD (the first two dash-separated parts). */
function dashed(suffix: string): (symbol: string) => BaseQuote | null {
  return (symbol) => {
    if (suffix && !symbol.endsWith(suffix)) return null;
    const [base, quote, ...rest] = symbol.slice(0, symbol.length - suffix.length).split('-');
    return base && quote && rest.length === 0 && (SUFFIX_QUOTES as readonly string[]).includes(quote) ? { base, quote } : null;
  };
}

/** Coin-named markets (Hyperliquid, Lighter): margined and quoted in USD(C). */
const coinOnly = (symbol: string): BaseQuote | null => (/^[\p{L}\p{N}]+$/u.test(symbol) ? { base: symbol, quote: 'USD' } : null);

const VENUES: Readonly<Record<string, VenueSymbols>> = {
  binance: { perp: (c) => `${c}USDT`, parse: suffixed },
  bybit: { perp: (c) => `${c}USDT`, parse: suffixed },
  okx: { perp: (c) => `${c}-USDT-SWAP`, parse: dashed('-SWAP') },
  hyperliquid: { perp: (c) => c, parse: coinOnly },
  dydx: { perp: (c) => `${c}-USD`, parse: dashed('') },
  kraken: {
    perp: (c) => `PF_${c === 'BTC' ? 'XBT' : c}USD`,
    parse: (s) => {
      const bq = s.startsWith('PF_') ? suffixed(s.slice(3)) : null;
      return bq && bq.base === 'XBT' ? { ...bq, base: 'BTC' } : bq;
    },
  },
  lighter: { perp: (c) => c, parse: coinOnly },
  gmx: { perp: (c) => `${c}-USD`, parse: dashed('') },
};

/** The venues of the registry, in its order (the order reference venues are chosen in). */
export const SYMBOL_VENUES: readonly string[] = Object.keys(VENUES);

/** The venue's perpetual symbol of `coin` (upper case), or undefined for a venue not in the registry. */
export function venuePerpSymbol(venue: string, coin: string): string | undefined {
  return VENUES[venue]?.perp(coin);
}

/**
 * Base and quote of a market id (`binance:BTCUSDT` → BTC / USDT, `okx:BTC-USDT-SWAP`,
 * `hyperliquid:BTC` → BTC / USD, `kraken:PF_XBTUSD` → BTC / USD), or null when its venue is not
 * in the registry or the symbol is not one of the venue's perpetuals.
 */
export function marketBaseQuote(marketId: string): BaseQuote | null {
  const i = marketId.indexOf(':');
  if (i <= 0) return null;
  const venue = VENUES[marketId.slice(0, i)];
  return venue ? venue.parse(marketId.slice(i + 1).toUpperCase()) : null;
}
