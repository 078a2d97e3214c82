import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import type { HeatmapMatrix } from '../levels/heatmap.js';
import { colourIndex, VIRIDIS } from './viridis.js';

/** Size of a rendered heatmap, pixels. */
export interface PngSize {
  readonly width: number;
  readonly height: number;
}

/** What the image says about itself: the market, the window and the result's basis. */
export interface RenderMeta {
  readonly market: string;
  /** ESTIMATED, EXACT or MIXED. */
  readonly basis: string;
  readonly paramsHash: string;
  /** The window asked for, epoch ms. */
  readonly fromMs: number;
  readonly toMs: number;
}

/** What a render needs of a heatmap, in transferable form (handed to a render thread). */
export interface RenderInput {
  readonly cols: number;
  readonly rows: number;
  /** long + short per cell, row-major by time (values[i × rows + j]). */
  readonly values: Float64Array;
  /** Close of each column, quote. */
  readonly priceLine: Float64Array;
  /** Start of each column's time step, epoch ms. */
  readonly stepStarts: Float64Array;
  /** Width of a column, ms. */
  readonly stepMs: number;
  /** Lower edge of the lowest row, and the row height, quote. */
  readonly lo: number;
  readonly priceBucket: number;
  /** Realized liquidations in the window: time (ms), price, notional (quote), side (1 sell = long liquidated, −1 buy, 0 unknown), 4 numbers each. */
  readonly liquidations: Float64Array;
  readonly meta: RenderMeta;
}

/** A realized liquidation as {@link toRenderInput} takes it. */
export interface RenderLiquidation {
  readonly t: number;
  readonly price: number;
  readonly notional: number;
  readonly side: 'buy' | 'sell' | null;
}

/** A heatmap as a render input. */
export function toRenderInput(m: HeatmapMatrix, meta: RenderMeta, liquidations: readonly RenderLiquidation[] = []): RenderInput {
  const values = new Float64Array(m.long.length);
  for (let i = 0; i < values.length; i++) values[i] = (m.long[i] ?? 0) + (m.short[i] ?? 0);
  const stepMs = m.resolutionSeconds * 1000;
  const liq = new Float64Array(liquidations.length * 4);
  liquidations.forEach((l, k) => liq.set([l.t, l.price, l.notional, l.side === 'sell' ? 1 : l.side === 'buy' ? -1 : 0], k * 4));
  return {
    cols: m.times.length,
    rows: m.prices.length,
    values,
    priceLine: Float64Array.from(m.priceLine),
    stepStarts: Float64Array.from(m.times, (t) => Math.floor(t / stepMs) * stepMs),
    stepMs,
    lo: m.prices[0] ?? 0,
    priceBucket: m.priceBucket,
    liquidations: liq,
    meta,
  };
}

/** Quote notional in human units ($12.3M), as the dashboard writes it. */
export function money(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return `$${(a / 1e9).toFixed(2)}B`;
  if (a >= 1e6) return `$${(a / 1e6).toFixed(1)}M`;
  if (a >= 1e3) return `$${(a / 1e3).toFixed(a >= 1e5 ? 0 : 1)}k`;
  return `$${a.toFixed(0)}`;
}

/** A 1/2/5 × 10ᵏ step giving about `n` ticks over `span`. */
function niceStep(span: number, n: number): number {
  const raw = span / Math.max(1, n);
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

const TIME_STEPS_S = [60, 300, 900, 1800, 3600, 7200, 14_400, 21_600, 43_200, 86_400, 172_800, 604_800];
const iso = (ms: number) => new Date(ms).toISOString();
/** Below this size the image is the cells and the price line alone (no room for text). */
const MIN_DECORATED = { width: 240, height: 150 };

/** A rectangle of the image, pixels. */
export interface PngRect {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** Heights of the bands around the plot, pixels: title on top, then under the plot the time axis and, below it, the legend. */
export const PNG_BANDS = { title: 22, timeAxis: 20, legend: 26, priceAxis: 62 } as const;

/**
 * Where each part of an image of `size` goes: stacked bands that never overlap, so the legend
 * (its own band under the time axis) is never drawn over cells or over the time labels. A
 * thumbnail (under 240 × 150) is the plot alone.
 */
export function pngLayout(size: PngSize): { decorated: boolean; plot: PngRect; timeAxis: PngRect; legend: PngRect } {
  const { width, height } = size;
  if (width < MIN_DECORATED.width || height < MIN_DECORATED.height) {
    const none = { x: 0, y: height, w: width, h: 0 };
    return { decorated: false, plot: { x: 0, y: 0, w: width, h: height }, timeAxis: none, legend: none };
  }
  const b = PNG_BANDS;
  const plot = { x: 0, y: b.title, w: width - b.priceAxis, h: height - b.title - b.timeAxis - b.legend };
  const timeAxis = { x: 0, y: plot.y + plot.h, w: width, h: b.timeAxis };
  return { decorated: true, plot, timeAxis, legend: { x: 0, y: timeAxis.y + timeAxis.h, w: width, h: b.legend } };
}

/**
 * Renders a heatmap (long + short) as a PNG that explains itself: time across, price up, viridis
 * by cell notional (√ scale, the dashboard's), the close line in white, realized liquidations as
 * bubbles; around it a title (market, window, basis, parameter hash), the price axis on the
 * right, the UTC time axis and the colour legend in quote. Nearest-cell sampling: each pixel
 * shows one cell. Images smaller than 240 × 150 get the plot alone.
 */
export function renderHeatmapPng(m: RenderInput, size: PngSize): Buffer {
  const { width, height } = size;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  const layout = pngLayout(size);
  const { decorated, plot } = layout;
  ctx.fillStyle = '#0d0d14';
  ctx.fillRect(0, 0, width, height);
  const { cols, rows, values } = m;
  let max = 0;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  // The time span shown: the window asked for, or the columns' own when they reach beyond it.
  const t0 = Math.min(m.meta.fromMs, cols ? m.stepStarts[0]! : m.meta.fromMs);
  const t1 = Math.max(m.meta.toMs, cols ? m.stepStarts[cols - 1]! + m.stepMs : m.meta.toMs);
  const p0 = m.lo;
  const p1 = m.lo + rows * m.priceBucket;
  const x = (t: number) => plot.x + ((t - t0) / (t1 - t0 || 1)) * plot.w;
  const y = (p: number) => plot.y + (1 - (p - p0) / (p1 - p0 || 1)) * plot.h;
  ctx.fillStyle = '#000';
  ctx.fillRect(plot.x, plot.y, plot.w, plot.h);
  if (cols > 0 && rows > 0) {
    const cells = createCanvas(cols, rows);
    const cctx = cells.getContext('2d');
    const img = cctx.createImageData(cols, rows);
    for (let i = 0; i < cols; i++) {
      for (let j = 0; j < rows; j++) {
        const c = VIRIDIS[colourIndex(values[i * rows + j] ?? 0, max)]!;
        const o = ((rows - 1 - j) * cols + i) * 4;
        img.data[o] = c[0];
        img.data[o + 1] = c[1];
        img.data[o + 2] = c[2];
        img.data[o + 3] = 255;
      }
    }
    cctx.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    // One column per time step: the bitmap spans the first step's start to the last one's end.
    ctx.drawImage(cells, 0, 0, cols, rows, x(m.stepStarts[0]!), plot.y, x(m.stepStarts[cols - 1]! + m.stepMs) - x(m.stepStarts[0]!), plot.h);
    drawPriceLine(ctx, m, x, y);
    drawLiquidations(ctx, m, x, y, plot);
  }
  if (decorated) {
    drawFrame(ctx, m, { t0, t1, p0, p1, max }, layout, size, x, y);
  }
  return canvas.toBuffer('image/png');
}

function drawPriceLine(ctx: SKRSContext2D, m: RenderInput, x: (t: number) => number, y: (p: number) => number): void {
  ctx.strokeStyle = '#ffffff';
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  for (let i = 0; i < m.cols; i++) {
    const px = x(m.stepStarts[i]! + m.stepMs / 2);
    const py = y(m.priceLine[i] ?? m.lo);
    if (i === 0) ctx.moveTo(px, py);
    else ctx.lineTo(px, py);
  }
  ctx.stroke();
}

function drawLiquidations(ctx: SKRSContext2D, m: RenderInput, x: (t: number) => number, y: (p: number) => number, plot: { x: number; y: number; w: number; h: number }): void {
  const l = m.liquidations;
  let max = 0;
  for (let k = 2; k < l.length; k += 4) max = Math.max(max, l[k]!);
  ctx.save();
  ctx.beginPath();
  ctx.rect(plot.x, plot.y, plot.w, plot.h);
  ctx.clip();
  for (let k = 0; k < l.length; k += 4) {
    const side = l[k + 3]!;
    ctx.fillStyle = side > 0 ? 'rgba(255, 77, 109, 0.75)' : side < 0 ? 'rgba(0, 214, 143, 0.75)' : 'rgba(190, 190, 210, 0.7)';
    ctx.beginPath();
    ctx.arc(x(l[k]!), y(l[k + 1]!), max > 0 ? 1.5 + 12 * Math.sqrt(l[k + 2]! / max) : 2, 0, Math.PI * 2);
    ctx.fill();
  }
  ctx.restore();
}

function drawFrame(
  ctx: SKRSContext2D,
  m: RenderInput,
  d: { t0: number; t1: number; p0: number; p1: number; max: number },
  layout: ReturnType<typeof pngLayout>,
  size: PngSize,
  x: (t: number) => number,
  y: (p: number) => number,
): void {
  const { plot } = layout;
  ctx.font = '12px "DejaVu Sans", "Liberation Sans", sans-serif';
  ctx.textBaseline = 'alphabetic';
  // Title: what, where, when, how it was obtained.
  ctx.fillStyle = '#ffffff';
  ctx.textAlign = 'left';
  ctx.fillText(`${m.meta.market} · pending liquidations · ${iso(d.t0).slice(0, 16).replace('T', ' ')} → ${iso(d.t1).slice(0, 16).replace('T', ' ')} UTC`, 6, 15);
  ctx.fillStyle = m.meta.basis === 'EXACT' ? '#5cf0c0' : '#ffb000';
  ctx.textAlign = 'right';
  ctx.fillText(`${m.meta.basis} · params ${m.meta.paramsHash} · liqmap`, size.width - 6, 15);
  // Price axis on the right.
  ctx.font = '11px "DejaVu Sans", "Liberation Sans", sans-serif';
  ctx.textAlign = 'left';
  const pStep = niceStep(d.p1 - d.p0, plot.h / 45);
  const decimals = Math.max(0, Math.min(8, -Math.floor(Math.log10(pStep))));
  ctx.strokeStyle = 'rgba(255,255,255,0.12)';
  for (let p = Math.ceil(d.p0 / pStep) * pStep; p <= d.p1; p += pStep) {
    const py = Math.round(y(p)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(plot.x + plot.w, py);
    ctx.lineTo(plot.x + plot.w + 4, py);
    ctx.stroke();
    ctx.fillStyle = '#bbbbbb';
    ctx.fillText(p.toFixed(decimals), plot.x + plot.w + 6, Math.min(plot.y + plot.h, Math.max(plot.y + 9, py + 4)));
  }
  // Time axis (UTC).
  const span = d.t1 - d.t0;
  const tStep = (TIME_STEPS_S.find((s) => ((s * 1000) / span) * plot.w >= 110) ?? 604_800) * 1000;
  ctx.textAlign = 'center';
  for (let t = Math.ceil(d.t0 / tStep) * tStep; t <= d.t1; t += tStep) {
    const px = Math.round(x(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(px, plot.y + plot.h);
    ctx.lineTo(px, plot.y + plot.h + 4);
    ctx.stroke();
    const s = iso(t);
    ctx.fillStyle = '#bbbbbb';
    ctx.fillText(span > 4 * 86_400_000 ? s.slice(5, 10) : span > 86_400_000 ? `${s.slice(5, 10)} ${s.slice(11, 16)}` : s.slice(11, 16), px, plot.y + plot.h + 15);
  }
  // Legend, in its own band: the colour scale with the notional its colours stand for (√ scale).
  const lw = Math.min(260, Math.floor(size.width * 0.4));
  const ly = layout.legend.y + 4;
  for (let i = 0; i < lw; i++) {
    const c = VIRIDIS[Math.round((i / (lw - 1)) * 255)]!;
    ctx.fillStyle = `rgb(${c[0]},${c[1]},${c[2]})`;
    ctx.fillRect(6 + i, ly, 1, 8);
  }
  ctx.fillStyle = '#bbbbbb';
  ctx.textAlign = 'left';
  ctx.fillText('$0', 6, ly + 20);
  ctx.textAlign = 'right';
  ctx.fillText(`${money(d.max)} per cell`, 6 + lw, ly + 20);
  ctx.textAlign = 'left';
  ctx.fillText(`√ scale · rows ${m.priceBucket} quote · columns ${m.stepMs / 60_000 >= 1 ? `${m.stepMs / 60_000} min` : `${m.stepMs / 1000} s`} · white: close · bubbles: realized liquidations`, 14 + lw, ly + 8);
}
