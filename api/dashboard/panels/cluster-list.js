// The side list of clusters standing at the last column (the same ones drawn as bands), with an
// aggregate's per-venue shares of each (the API's Cluster.venues: "42% Binance, 31% Bybit").
import { money, pct, price, venueShares } from '../lib/format.js';

const $ = (id) => document.getElementById(id);

export const clusterList = {
  mount(app) {
    app.on('levels', ({ clusters: c }) => {
      const step = app.data?.base.priceBucket;
      $('clusters-at').textContent = `at ${c.at.slice(0, 16).replace('T', ' ')} UTC, price ${price(c.price)}`;
      $('clusters').replaceChildren(
        ...c.clusters.map((k, i) => {
          const li = document.createElement('li');
          li.dataset.side = k.side;
          li.dataset.notional = String(k.notional);
          li.dataset.peak = String(k.peakPrice);
          const levs = k.leverageComposition.map((s) => `${s.leverage}× ${pct(s.notional / k.notional)}`).join(', ');
          li.innerHTML = `<b>#${i + 1}</b> <span class="side">${k.side}</span> ${price(k.priceLow, step)}–${price(k.priceHigh, step)} · <b>${money(k.notional)}</b> <span class="hint">${pct(k.shareOfSide)} of side · ${(k.distanceFraction * 100).toFixed(2)}% away · ${levs}</span>`;
          if (k.venues?.length) {
            li.dataset.venues = JSON.stringify(k.venues.map((v) => ({ market: v.market, share: v.share })));
            const venues = Object.assign(document.createElement('div'), { className: 'venues', textContent: venueShares(k.venues) });
            li.append(venues);
          }
          return li;
        }),
      );
    });
  },
};
