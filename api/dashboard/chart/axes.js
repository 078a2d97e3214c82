// Axes: prices on the right (as trading charts have them) and UTC times along the bottom.
import { price, tick } from '../lib/format.js';

/** A "nice" step (1, 2 or 5 × 10ᵏ) giving about `n` ticks over `span`. */
export function niceStep(span, n) {
  const raw = span / Math.max(1, n);
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

const TIME_STEPS = [1, 5, 15, 30, 60, 300, 900, 1800, 3600, 7200, 14_400, 21_600, 43_200, 86_400, 172_800, 604_800].map((s) => s * 1000);

/** Grid lines, the right price axis (with the current price's tag) and the time axis. */
export function drawAxes(ctx, view, rect, current) {
  const { plot } = view;
  ctx.save();
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = '#0d0d14';
  ctx.fillRect(rect.x, 0, rect.w, plot.y + plot.h + 24);
  ctx.fillRect(plot.x, plot.y + plot.h, plot.w + (rect.x - plot.x - plot.w), 24);
  const pStep = niceStep(view.p1 - view.p0, plot.h / 50);
  ctx.strokeStyle = 'rgba(255,255,255,0.07)';
  ctx.fillStyle = '#aaa';
  ctx.textAlign = 'left';
  for (let p = Math.ceil(view.p0 / pStep) * pStep; p <= view.p1; p += pStep) {
    const y = Math.round(view.y(p)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(plot.x, y);
    ctx.lineTo(plot.x + plot.w, y);
    ctx.stroke();
    ctx.fillText(price(p, pStep), rect.x + 6, y + 4);
  }
  const span = view.t1 - view.t0;
  const tStep = TIME_STEPS.find((s) => (s / span) * plot.w >= 90) ?? 604_800_000;
  ctx.textAlign = 'center';
  for (let t = Math.ceil(view.t0 / tStep) * tStep; t <= view.t1; t += tStep) {
    const x = Math.round(view.x(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(x, plot.y);
    ctx.lineTo(x, plot.y + plot.h);
    ctx.stroke();
    ctx.fillText(tick(t, span), x, plot.y + plot.h + 15);
  }
  if (current != null && current >= view.p0 && current <= view.p1) {
    const y = view.y(current);
    ctx.fillStyle = '#ffb000';
    ctx.fillRect(rect.x, y - 8, rect.w, 16);
    ctx.fillStyle = '#000';
    ctx.textAlign = 'left';
    ctx.fillText(price(current), rect.x + 6, y + 4);
  }
  ctx.restore();
}
