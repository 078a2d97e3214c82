// Realized liquidations over the heatmap: a circle per stored force order at its time and price,
// its area proportional to its notional, coloured by the side that was liquidated.
import { money } from '../lib/format.js';

export const LONG_LIQ = 'rgba(255, 77, 109, 0.75)';
export const SHORT_LIQ = 'rgba(0, 214, 143, 0.75)';
export const UNKNOWN_LIQ = 'rgba(190, 190, 210, 0.7)';

/** Notional of a stored liquidation row, quote (its own, or price × qty). */
export function notionalOf(row) {
  if (row.notional != null) return Number(row.notional);
  if (row.qty != null) return Number(row.qty) * Number(row.price);
  return 0;
}

/** Radius of a bubble: √notional against the largest, 2 to 18 pixels. */
function radius(n, max) {
  return max > 0 ? 2 + 16 * Math.sqrt(n / max) : 3;
}

/**
 * Draws `rows` (`{t, price, notional, side}`, t in ms) that fall in the view; returns those drawn
 * (what the side panel lists and tests compare with the stored rows).
 */
export function drawBubbles(ctx, view, rows, max) {
  const drawn = [];
  for (const r of rows) {
    if (r.t < view.t0 || r.t > view.t1 || r.price < view.p0 || r.price > view.p1) continue;
    const x = view.x(r.t);
    const y = view.y(r.price);
    ctx.fillStyle = r.side === 'SELL' ? LONG_LIQ : r.side === 'BUY' ? SHORT_LIQ : UNKNOWN_LIQ;
    ctx.beginPath();
    ctx.arc(x, y, radius(r.notional, max), 0, Math.PI * 2);
    ctx.fill();
    drawn.push(r);
  }
  return drawn;
}

/** The bubble under a pixel, or null (the tooltip names it). */
export function bubbleAt(view, rows, max, x, y) {
  let best = null;
  for (const r of rows) {
    const dx = view.x(r.t) - x;
    const dy = view.y(r.price) - y;
    const rr = radius(r.notional, max);
    if (dx * dx + dy * dy <= rr * rr && (!best || r.notional > best.notional)) best = r;
  }
  return best;
}

/** One line describing a bubble. */
export function describeBubble(r) {
  const side = r.side === 'SELL' ? 'long liquidated' : r.side === 'BUY' ? 'short liquidated' : 'side not reported';
  return `${money(r.notional)} ${side}${r.sampled ? ' (sampled feed)' : ''}`;
}
