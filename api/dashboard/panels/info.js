// What the picture is: the result's basis (ESTIMATED model / EXACT positions), its parameters,
// grid, the realized liquidations drawn and where a venue's feed is only a sample. The market's
// accuracy score has its own slot (#accuracy) for the accuracy panel.
import { money } from '../lib/format.js';

const $ = (id) => document.getElementById(id);
const BASIS = { ESTIMATED: 'ESTIMATED — leverage-mix model over trades, open interest and funding', EXACT: 'EXACT — from known (on-chain) positions', MIXED: 'MIXED — exact and estimated venues summed' };

export const info = {
  mount(app) {
    app.on('heatmap', ({ heatmap: h }) => {
      $('basis').textContent = BASIS[h.basis] ?? h.basis;
      $('basis').dataset.basis = h.basis;
      const q = new URLSearchParams({ market: h.market, ...(h.times.length ? { from: new Date(h.times[0]).toISOString(), to: new Date(h.times.at(-1)).toISOString() } : {}) });
      $('png-link').href = `/heatmap.png?${q}`;
      $('grid').textContent = `${h.resolutionSeconds / 60 >= 1 ? `${h.resolutionSeconds / 60} min` : `${h.resolutionSeconds} s`} columns × ${h.priceBucket} price rows · model bucket ${h.timeBucketSeconds} s · params ${h.paramsHash}`;
    });
    app.on('liquidations', ({ rows, truncated }) => {
      const sampled = rows.filter((r) => r.sampled).length;
      const sum = rows.reduce((a, r) => a + r.notional, 0);
      const parts = [`${rows.length} realized liquidations in the window (${money(sum)})${truncated ? ', the first 20,000 drawn' : ''}`];
      if (sampled) parts.push(`${sampled} from a sampled feed (the venue publishes at most one force order per second): a lower bound`);
      if (rows.length && rows.every((r) => r.side == null)) parts.push('the source gives no side: grey bubbles');
      $('liq-note').textContent = parts.join('; ');
      $('liq-note').dataset.count = String(rows.length);
      $('liq-note').dataset.sampled = String(sampled);
    });
  },
};
