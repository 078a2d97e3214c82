// Number and time formats of the dashboard (UTC throughout, as the page says).

/** Quote notional in human units: $12.3M, $845k, $1.20B. */
export function money(n) {
  const a = Math.abs(n);
  const s = n < 0 ? '-' : '';
  if (a >= 1e9) return `${s}$${(a / 1e9).toFixed(2)}B`;
  if (a >= 1e6) return `${s}$${(a / 1e6).toFixed(1)}M`;
  if (a >= 1e3) return `${s}$${(a / 1e3).toFixed(a >= 1e5 ? 0 : 1)}k`;
  return `${s}$${a.toFixed(0)}`;
}

/** A price with as many decimals as its size needs (and a bucket's step allows). */
export function price(p, step = 0) {
  const d = step > 0 ? Math.max(0, Math.min(8, -Math.floor(Math.log10(step)))) : p >= 1000 ? 0 : p >= 1 ? 2 : 5;
  return p.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

/** `2026-03-05 04:00` (UTC) from epoch ms. */
export function time(ms) {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** A time-axis label for a tick, shorter as the span is shorter. */
export function tick(ms, spanMs) {
  const iso = new Date(ms).toISOString();
  if (spanMs > 4 * 86_400_000) return iso.slice(5, 10);
  if (spanMs > 86_400_000) return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
  return iso.slice(11, spanMs > 3_600_000 ? 16 : 19);
}

/** Share as a percentage, 0 decimals above 10%. */
export function pct(f) {
  return `${(f * 100).toFixed(f >= 0.1 ? 0 : 1)}%`;
}

/** How the page names a venue (the API's Venue enum: BINANCE, OKX…). */
const VENUES = { BINANCE: 'Binance', BYBIT: 'Bybit', OKX: 'OKX', HYPERLIQUID: 'Hyperliquid', DYDX: 'dYdX', GMX: 'GMX', KRAKEN: 'Kraken', LIGHTER: 'Lighter' };
export function venueName(v) {
  const key = String(v).toUpperCase();
  return VENUES[key] ?? key.charAt(0) + key.slice(1).toLowerCase();
}

/** A share as {@link pct}, but never "100%" for less than all of it (99.8%). */
export function sharePct(f) {
  return f < 1 && f >= 0.995 ? `${(Math.floor(f * 1000) / 10).toFixed(1)}%` : pct(f);
}

/**
 * Venue shares as a trader reads them, largest first: `42% Binance, 31% Bybit, 27% OKX`
 * (`shares`: `{ venue, market, share }`; a venue listed twice is named by its market).
 */
export function venueShares(shares) {
  const twice = new Set(shares.map((s) => s.venue).filter((v, i, a) => a.indexOf(v) !== i));
  return [...shares].sort((a, b) => b.share - a.share).map((s) => `${sharePct(s.share)} ${twice.has(s.venue) ? s.market : venueName(s.venue)}`).join(', ');
}
