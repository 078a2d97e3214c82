/**
 * Market ids: `exchange:SYMBOL`. The exchange is lower-case ASCII letters, digits, `_` and `-`
 * (at most 32 characters); the symbol starts with a letter or digit (any script: Binance lists
 * non-Latin symbols) followed by letters, digits, `.`, `_`, `/` and `-` (at most 64 characters).
 * No spaces, quotes or control characters: ids are keys, shown in URLs and on dashboards.
 */
export const MARKET_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}:[\p{L}\p{N}][\p{L}\p{N}._/-]{0,63}$/u;

/** The rule, as a user reads it in an error message. */
export const MARKET_ID_RULE =
  'exchange:SYMBOL, e.g. binance:BTCUSDT (exchange: a-z, 0-9, _ or -, at most 32 characters; symbol: letters, digits, . _ / -, at most 64 characters)';

/** Whether `id` is a well-formed market id. */
export function isMarketId(id: string): boolean {
  return id.length <= 97 && MARKET_ID_PATTERN.test(id);
}
