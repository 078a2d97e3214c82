// The level queries as the page sends them, built in one place: boot.js starts the first
// heatmap with the same bytes app.js later asks for (lib/api.js hands it over), so the two
// must never be composed differently.
import { targetOf } from './targets.js';

export const MARKETS = '{ markets { id exchange symbol base coverage { kind last } } }';

export const HEATMAP = `query Heatmap($market: ID!, $from: DateTime, $to: DateTime, $resolutionSeconds: Int, $priceBucket: Float, $priceLow: Float, $priceHigh: Float, $check: Boolean) {
  heatmap(market: $market, from: $from, to: $to, resolutionSeconds: $resolutionSeconds, priceBucket: $priceBucket, priceLow: $priceLow, priceHigh: $priceHigh, check: $check) {
    market symbol basis paramsHash timeBucketSeconds resolutionSeconds priceBucket times prices priceLine long short maxValue parts { market venue basis share }
    CHECK
  }
}`;

/**
 * A level query (heatmap, clusters, liquidation map) written for `$market`, made to ask for the
 * picked target and the leverage layers toggled on (null: every leverage); returns the query
 * text and the variables those add.
 */
export function levelQuery(q, id, leverages) {
  const t = targetOf(id);
  let query = q;
  let vars = { market: id };
  if (t.symbol) {
    query = query.replace('$market: ID!', '$symbol: String!, $venues: [Venue!]').replaceAll('(market: $market', '(symbol: $symbol, venues: $venues');
    vars = { symbol: t.symbol, venues: t.venues };
  }
  if (leverages) {
    query = query.replace(/^(query \w+\()/, '$1$leverages: [Float!], ').replace(/\((market: \$market|symbol: \$symbol, venues: \$venues)/g, '($1, leverages: $leverages');
    vars.leverages = leverages;
  }
  return { query, vars };
}

const iso = (ms) => (ms == null ? null : new Date(ms).toISOString());

/** The heatmap request of a window (`state`: market, from, to in ms or null, check, leverages) with the check fields asked for. */
export function heatmapRequest(state, checkFields = '') {
  const { query, vars } = levelQuery(HEATMAP.replace('CHECK', state.check && checkFields ? `check { ${checkFields} }` : ''), state.market, state.leverages);
  return { query, variables: { ...vars, from: iso(state.from), to: iso(state.to), check: state.check } };
}
