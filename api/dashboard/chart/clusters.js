// Clusters as labelled horizontal bands across the plot (the levels standing at the last column).
import { money, price } from '../lib/format.js';

/** `clusters` as the API gives them (`side`, `priceLow`, `priceHigh`, `notional`). */
export function drawClusters(ctx, view, clusters, step) {
  if (!clusters) return;
  ctx.save();
  ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = 'left';
  clusters.forEach((c, i) => {
    const yTop = view.y(c.priceHigh);
    const yBot = view.y(c.priceLow);
    if (yBot < view.plot.y || yTop > view.plot.y + view.plot.h) return;
    const long = c.side === 'LONG';
    ctx.fillStyle = long ? 'rgba(255, 77, 109, 0.13)' : 'rgba(0, 214, 143, 0.13)';
    ctx.fillRect(view.plot.x, yTop, view.plot.w, Math.max(1, yBot - yTop));
    ctx.strokeStyle = long ? 'rgba(255, 77, 109, 0.6)' : 'rgba(0, 214, 143, 0.6)';
    ctx.strokeRect(view.plot.x + 0.5, Math.round(yTop) + 0.5, view.plot.w - 1, Math.max(1, Math.round(yBot - yTop)));
    ctx.fillStyle = long ? '#ff8fa3' : '#5cf0c0';
    const label = `#${i + 1} ${c.side} ${price(c.priceLow, step)}–${price(c.priceHigh, step)} · ${money(c.notional)}`;
    ctx.fillText(label, view.plot.x + 6, Math.max(view.plot.y + 11, Math.min(view.plot.y + view.plot.h - 3, yTop - 3)));
  });
  ctx.restore();
}
