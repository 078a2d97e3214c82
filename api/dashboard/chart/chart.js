// The chart: one canvas, layers drawn from the view each frame (heatmap bitmaps, clusters,
// price, bubbles, the liquidation-map strip, axes), and the interaction that changes the view:
// wheel zooms time (over the price axis, or with shift, price), drag pans both axes, a drag on
// the price axis zooms price, double-click resets. A hover overlay canvas holds the crosshair,
// so moving the mouse repaints nothing else.
import { View } from '../lib/view.js';
import { drawAxes } from './axes.js';
import { drawBubbles } from './bubbles.js';
import { drawCurrentPrice, drawPrice } from './candles.js';
import { drawClusters } from './clusters.js';
import { drawLiqMapStrip } from './liqmap-side.js';

const AXIS_W = 72;
const STRIP_W = 90;
const BOTTOM = 24;

export class Chart {
  constructor(canvas, overlay) {
    this.canvas = canvas;
    this.overlay = overlay;
    this.view = new View({ x: 0, y: 0, w: 1, h: 1 });
    /** What the frame draws; set by the app. */
    this.layers = { base: null, detail: null, candles: [], bubbles: [], bubbleMax: 0, clusters: null, liqMap: null, current: null };
    this.drawnBubbles = [];
    this.priceMode = 'none';
    this.frames = 0;
    this.listeners = { hover: [], view: [], settle: [] };
    this.#resize();
    new ResizeObserver(() => {
      this.#resize();
      this.draw();
    }).observe(canvas);
    this.#interact();
  }

  on(event, fn) {
    this.listeners[event].push(fn);
  }
  #emit(event, arg) {
    for (const fn of this.listeners[event]) fn(arg);
  }

  #resize() {
    const dpr = window.devicePixelRatio || 1;
    const w = this.canvas.clientWidth || 1200;
    const h = this.canvas.clientHeight || 600;
    for (const c of [this.canvas, this.overlay]) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
    }
    this.dpr = dpr;
    this.size = { w, h };
    Object.assign(this.view.plot, { x: 0, y: 0, w: w - AXIS_W - STRIP_W, h: h - BOTTOM });
    this.strip = { x: w - AXIS_W - STRIP_W, y: 0, w: STRIP_W, h: h - BOTTOM };
    this.axis = { x: w - AXIS_W, w: AXIS_W };
  }

  /** Repaints on the next animation frame (one paint however many calls). */
  requestDraw() {
    if (this.pending) return;
    this.pending = requestAnimationFrame(() => {
      this.pending = 0;
      this.draw();
    });
  }

  /** Paints every layer for the current view, now. */
  draw() {
    const t = performance.now();
    const ctx = this.canvas.getContext('2d');
    const { view, layers: L } = this;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, this.size.w, this.size.h);
    ctx.save();
    ctx.beginPath();
    ctx.rect(view.plot.x, view.plot.y, view.plot.w, view.plot.h);
    ctx.clip();
    L.base?.draw(ctx, view);
    L.detail?.draw(ctx, view);
    drawClusters(ctx, view, L.clusters?.clusters, L.base?.priceBucket);
    const line = L.base ? { times: L.base.times, close: L.base.priceLine, resolutionSeconds: L.base.stepMs / 1000 } : null;
    this.priceMode = drawPrice(ctx, view, pickCandles(L.candles, view), line);
    drawCurrentPrice(ctx, view, L.current);
    this.drawnBubbles = drawBubbles(ctx, view, L.bubbles, L.bubbleMax);
    ctx.restore();
    drawLiqMapStrip(ctx, view, L.liqMap, this.strip);
    drawAxes(ctx, view, this.axis, L.current);
    this.frames++;
    performance.measure('liqmap:frame', { start: t, end: performance.now() });
  }

  #interact() {
    const c = this.overlay;
    const pos = (e) => {
      const r = c.getBoundingClientRect();
      return { x: e.clientX - r.left, y: e.clientY - r.top };
    };
    const changed = () => {
      this.requestDraw();
      this.#emit('view', this.view.window());
      clearTimeout(this.settleTimer);
      this.settleTimer = setTimeout(() => this.#emit('settle', this.view.window()), 250);
    };
    c.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        const { x, y } = pos(e);
        const f = Math.exp(e.deltaY * 0.0015);
        if (e.shiftKey || x >= this.strip.x) this.view.zoomPrice(f, this.view.pAt(y));
        else this.view.zoomTime(f, this.view.tAt(x));
        changed();
      },
      { passive: false },
    );
    let drag = null;
    c.addEventListener('pointerdown', (e) => {
      const p = pos(e);
      drag = { ...p, onAxis: p.x >= this.strip.x };
      c.setPointerCapture(e.pointerId);
    });
    c.addEventListener('pointermove', (e) => {
      const p = pos(e);
      if (drag) {
        if (drag.onAxis) this.view.zoomPrice(Math.exp((p.y - drag.y) * 0.005), (this.view.p0 + this.view.p1) / 2);
        else this.view.panPixels(p.x - drag.x, p.y - drag.y);
        drag.x = p.x;
        drag.y = p.y;
        changed();
      }
      this.hoverAt(p.x, p.y);
    });
    c.addEventListener('pointerup', () => (drag = null));
    c.addEventListener('pointerleave', () => this.hoverAt(-1, -1));
    c.addEventListener('dblclick', () => {
      this.view.reset(this.view.bounds);
      changed();
    });
  }

  /** Crosshair at a pixel and a hover event (null outside the plot). */
  hoverAt(x, y) {
    const ctx = this.overlay.getContext('2d');
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, this.size.w, this.size.h);
    if (!this.view.inPlot(x, y)) return this.#emit('hover', null);
    ctx.strokeStyle = 'rgba(255,255,255,0.5)';
    ctx.setLineDash([3, 3]);
    ctx.beginPath();
    ctx.moveTo(Math.round(x) + 0.5, this.view.plot.y);
    ctx.lineTo(Math.round(x) + 0.5, this.view.plot.y + this.view.plot.h);
    ctx.moveTo(this.view.plot.x, Math.round(y) + 0.5);
    ctx.lineTo(this.view.plot.x + this.view.plot.w, Math.round(y) + 0.5);
    ctx.stroke();
    this.#emit('hover', { x, y, t: this.view.tAt(x), p: this.view.pAt(y) });
  }

  /** The layer whose cells are on screen at a time: the detail where it covers, else the base. */
  layerAt(t) {
    const d = this.layers.detail;
    return d && t >= d.t0 && t < d.t1 ? d : this.layers.base;
  }
}

/** The finest candle set covering the view (detail over base). */
function pickCandles(sets, view) {
  let best = null;
  for (const s of sets) if (s && s.times.length && s.from <= view.t0 + 1 && s.to >= view.t1 - 1 && (!best || s.resolutionSeconds < best.resolutionSeconds)) best = s;
  return best ?? sets[0] ?? null;
}
