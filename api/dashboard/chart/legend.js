// The colour legend: the viridis scale with the notional each colour stands for (√ scale).
import { VIRIDIS } from '../viridis.js';
import { money } from '../lib/format.js';

/** Draws the scale into its own canvas, 0 to `max` (quote per cell). */
export function drawLegend(canvas, max) {
  const ctx = canvas.getContext('2d');
  const W = canvas.width;
  const H = canvas.height;
  ctx.clearRect(0, 0, W, H);
  const barH = 10;
  for (let x = 0; x < W; x++) {
    const c = VIRIDIS[Math.round((x / (W - 1)) * 255)];
    ctx.fillStyle = `rgb(${c[0]},${c[1]},${c[2]})`;
    ctx.fillRect(x, 0, 1, barH);
  }
  ctx.fillStyle = '#aaa';
  ctx.font = '11px system-ui, sans-serif';
  // Colour position is √(value / max): ticks at the values of evenly spaced positions.
  for (const f of [0, 0.25, 0.5, 0.75, 1]) {
    const x = f * (W - 1);
    ctx.textAlign = f === 0 ? 'left' : f === 1 ? 'right' : 'center';
    ctx.fillText(money(max * f * f), x, barH + 12);
  }
  canvas.dataset.max = String(max);
}
