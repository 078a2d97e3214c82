// Hover tooltip: the cell under the cursor (its time step, price row, long and short pending
// notional in quote), the venues' shares of it (an aggregate's parts, from the API's
// Heatmap.parts; one market is all of its own venue), and a realized liquidation when over a bubble.
import { bubbleAt, describeBubble } from '../chart/bubbles.js';
import { money, price, time, venueShares } from '../lib/format.js';

const $ = (id) => document.getElementById(id);

export const tooltip = {
  mount(app) {
    const tip = $('tooltip');
    app.on('hover', (h) => {
      const layer = h && app.chart.layerAt(h.t);
      const cell = layer?.cellAt(h.t, h.p);
      if (!cell) {
        tip.hidden = true;
        return;
      }
      const total = cell.long + cell.short;
      const market = app.state.market;
      const shares = cell.shares ?? (total > 0 ? [{ market, venue: market.split(':')[0], share: 1 }] : []);
      const bubble = bubbleAt(app.chart.view, app.chart.layers.bubbles, app.chart.layers.bubbleMax, h.x, h.y);
      tip.replaceChildren();
      const line = (text, cls) => {
        const div = document.createElement('div');
        div.textContent = text;
        if (cls) div.className = cls;
        tip.append(div);
      };
      line(`${time(cell.stepStart)} – ${time(cell.stepStart + layer.stepMs)} UTC`, 'muted');
      line(`price ${price(cell.priceLow, layer.priceBucket)} – ${price(cell.priceHigh, layer.priceBucket)}`);
      line(`longs ${money(cell.long)} · shorts ${money(cell.short)}`);
      line(`total ${money(total)} pending`);
      if (shares.length) line(venueShares(shares), 'shares');
      if (bubble) line(`realized ${time(bubble.t)}: ${describeBubble(bubble)} @ ${price(bubble.price)}`, 'bubble');
      Object.assign(tip.dataset, { time: new Date(cell.time).toISOString(), priceLow: String(cell.priceLow), long: String(cell.long), short: String(cell.short), resolution: String(layer.stepMs / 1000), shares: JSON.stringify(shares.map((s) => ({ market: s.market, share: s.share }))) });
      tip.hidden = false;
      const box = app.chart.canvas.getBoundingClientRect();
      const left = h.x + 16 + tip.offsetWidth > box.width ? h.x - tip.offsetWidth - 12 : h.x + 16;
      tip.style.left = `${left}px`;
      tip.style.top = `${Math.max(0, h.y - tip.offsetHeight - 8)}px`;
    });
  },
};
