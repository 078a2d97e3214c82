// The price over the heatmap: OHLC candles when a column is wide enough to show one, the close
// line otherwise, and the current price marked on the price axis.

const UP = '#e8e8e8';
const DOWN = '#ff5d7a';

/** Candles `{times, open, high, low, close, resolutionSeconds}` (ms), or null before they load. */
export function drawPrice(ctx, view, candles, fallbackLine) {
  const src = candles && candles.times.length ? candles : fallbackLine;
  if (!src || !src.times.length) return 'none';
  const stepMs = src.resolutionSeconds * 1000;
  const colPx = (stepMs / (view.t1 - view.t0)) * view.plot.w;
  if (candles && candles.times.length && colPx >= 4) {
    // One path per colour for wicks and one for bodies: a few fills per frame, not one per candle.
    const bw = Math.max(1, Math.min(colPx * 0.7, 24));
    const wick = { up: new Path2D(), down: new Path2D() };
    const body = { up: new Path2D(), down: new Path2D() };
    for (let i = 0; i < candles.times.length; i++) {
      const xc = view.x(candles.times[i] + stepMs / 2);
      if (xc < view.plot.x - bw || xc > view.plot.x + view.plot.w + bw) continue;
      const o = candles.open[i];
      const c = candles.close[i];
      const k = c >= o ? 'up' : 'down';
      const xw = Math.round(xc) + 0.5;
      wick[k].moveTo(xw, view.y(candles.high[i]));
      wick[k].lineTo(xw, view.y(candles.low[i]));
      const y0 = view.y(Math.max(o, c));
      body[k].rect(xc - bw / 2, y0, bw, Math.max(1, view.y(Math.min(o, c)) - y0));
    }
    for (const [k, colour] of [['up', UP], ['down', DOWN]]) {
      ctx.strokeStyle = ctx.fillStyle = colour;
      ctx.stroke(wick[k]);
      ctx.fill(body[k]);
    }
    return 'candles';
  }
  const closes = candles && candles.times.length ? candles.close : fallbackLine.close;
  ctx.strokeStyle = '#fff';
  ctx.lineWidth = 1.25;
  ctx.beginPath();
  let started = false;
  for (let i = 0; i < src.times.length; i++) {
    const x = view.x(src.times[i] + stepMs / 2);
    const y = view.y(closes[i]);
    if (started) ctx.lineTo(x, y);
    else ctx.moveTo(x, y);
    started = true;
  }
  ctx.stroke();
  ctx.lineWidth = 1;
  return 'line';
}

/** A dashed line at the current price across the plot; its label is drawn by the price axis. */
export function drawCurrentPrice(ctx, view, p) {
  if (p == null) return;
  const y = Math.round(view.y(p)) + 0.5;
  ctx.save();
  ctx.setLineDash([4, 3]);
  ctx.strokeStyle = '#ffb000';
  ctx.beginPath();
  ctx.moveTo(view.plot.x, y);
  ctx.lineTo(view.plot.x + view.plot.w, y);
  ctx.stroke();
  ctx.restore();
}
