// The liquidation map beside the price axis (as Coinglass draws it): pending long (below the
// price) and short (above) notional per price row at the last column, as horizontal bars.
import { money } from '../lib/format.js';

/** Draws `map` (`prices`, `priceBucket`, `long`, `short`) into the strip `rect`. */
export function drawLiqMapStrip(ctx, view, map, rect) {
  ctx.fillStyle = '#0b0b12';
  ctx.fillRect(rect.x, rect.y, rect.w, rect.h);
  if (!map || !map.prices.length) return;
  let max = 0;
  for (let j = 0; j < map.prices.length; j++) max = Math.max(max, map.long[j], map.short[j]);
  if (!(max > 0)) return;
  for (let j = 0; j < map.prices.length; j++) {
    const yTop = view.y(map.prices[j] + map.priceBucket);
    const yBot = view.y(map.prices[j]);
    if (yBot < rect.y || yTop > rect.y + rect.h) continue;
    const h = Math.max(1, yBot - yTop - 0.5);
    for (const [v, colour] of [[map.long[j], 'rgba(255, 77, 109, 0.85)'], [map.short[j], 'rgba(0, 214, 143, 0.85)']]) {
      if (!(v > 0)) continue;
      ctx.fillStyle = colour;
      ctx.fillRect(rect.x, yTop, (v / max) * (rect.w - 2), h);
    }
  }
  ctx.fillStyle = '#888';
  ctx.font = '10px system-ui, sans-serif';
  ctx.fillText(`max ${money(max)}`, rect.x + 2, rect.y + 10);
}
