// What the picker offers: every indexed market, and per base asset listed on more than one
// market an aggregate across its venues ("BTC — all venues": the API's symbol: argument).

/** Prefix of a picked id that names an aggregate: `agg:BTC` (every venue) or `agg:BTC/binance+bybit`. */
export const AGGREGATE = 'agg:';

/** The target a picked id names: one market (`{ market }`) or an aggregate (`{ symbol, venues }`, venues null: all). */
export function targetOf(id) {
  if (!id.startsWith(AGGREGATE)) return { market: id };
  const [symbol, venues] = id.slice(AGGREGATE.length).split('/');
  return { symbol, venues: venues ? venues.split('+').map((v) => v.toUpperCase()) : null };
}

/**
 * The picker's entries, `{ id, label, markets }` (markets: the `markets` rows it covers): the
 * markets in the API's order (the first one is the default), then one aggregate per base asset
 * that more than one market has (`markets { base }`, null for a market the registry cannot read),
 * over the venues of those markets.
 */
export function pickables(markets) {
  const byBase = new Map();
  for (const m of markets) if (m.base) byBase.set(m.base, [...(byBase.get(m.base) ?? []), m]);
  // The venues named (`agg:ETH/bybit+okx`), not left to default to every venue of the registry:
  // the same aggregate, but the cost limit prices an unnamed one's per-venue shares for all of them.
  const aggregates = [...byBase]
    .filter(([, ms]) => ms.length > 1)
    .map(([base, ms]) => {
      const venues = [...new Set(ms.map((m) => m.exchange))];
      return { id: `${AGGREGATE}${base}/${[...venues].sort().join('+')}`, label: `${base} — all venues (${venues.join(', ')})`, markets: ms };
    });
  return [...markets.map((m) => ({ id: m.id, label: m.id, markets: [m] })), ...aggregates];
}
