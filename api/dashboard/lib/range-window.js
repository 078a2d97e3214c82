// Time range presets (12 h … 1 M) ending at the newest event of what is shown, and the one the
// URL links (?range=7d). Read by the range panel and by boot.js, which asks for the first
// window before the panels exist.

export const PRESETS = { '12h': 12, '24h': 24, '3d': 72, '7d': 168, '1M': 720 };
export const DEFAULT_RANGE = '24h';

/** The preset the URL links, or the default. */
export function linkedRange(search = location.search) {
  const linked = new URLSearchParams(search).get('range');
  return linked && PRESETS[linked] ? linked : DEFAULT_RANGE;
}

/** Newest price event of markets (trades, candles, mark prices: what levels are computed from), epoch ms, or null. */
export function newest(markets) {
  const last = markets.flatMap((m) => m?.coverage ?? []).filter((c) => ['trades', 'candles', 'mark_prices'].includes(c.kind)).map((c) => (c.last ? new Date(c.last).getTime() : 0));
  return last.length ? Math.max(...last) : null;
}

/** `{ from, to }` of a preset ending at the markets' newest event (both null when none is known). */
export function presetWindow(markets, key) {
  const to = newest(markets);
  return { from: to == null ? null : to - PRESETS[key] * 3_600_000, to };
}
