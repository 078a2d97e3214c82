// The page's first requests, started as soon as this small module runs (its own <script>, so it
// does not wait for the rest of the modules): the market list, then the heatmap of the entry
// and range the URL names (else the first market's default range), asked exactly as app.js
// will ask for it (lib/requests.js), so that its request finds the answer already on the way.
import { gql, prefetch } from './lib/api.js';
import { MARKETS, heatmapRequest } from './lib/requests.js';
import { linkedRange, presetWindow } from './lib/range-window.js';
import { AGGREGATE, pickables } from './lib/targets.js';

/**
 * The entry first shown: the one the URL names when listed (a base's aggregate named without its
 * venues, `agg:ETH`, is that base's entry), else the first.
 */
export function initialPick(entries, search = location.search) {
  const wanted = new URLSearchParams(search).get('market');
  const bare = wanted?.startsWith(AGGREGATE) && !wanted.includes('/') ? `${wanted}/` : null;
  return entries.find((e) => e.id === wanted) ?? (bare && entries.find((e) => e.id.startsWith(bare))) ?? entries[0] ?? null;
}

/** The picker's entries ({@link pickables}) and the first one shown: `{ entries, first }`. */
export const boot = gql(MARKETS).then(({ markets }) => {
  const entries = pickables(markets);
  const first = initialPick(entries);
  if (first) {
    const r = heatmapRequest({ market: first.id, ...presetWindow(first.markets, linkedRange()), check: false, leverages: null });
    prefetch(r.query, r.variables);
  }
  return { entries, first };
});
boot.catch(() => {}); // the picker reports it
