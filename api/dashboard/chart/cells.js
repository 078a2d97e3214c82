// The heatmap's cells as one bitmap: a pixel per (time step, price row), coloured once when data
// arrives. A frame only scales that bitmap onto the plot (drawImage), so pan and zoom cost the
// same whatever the number of cells; live columns are painted into it in place.
import { VIRIDIS, colourIndex } from '../viridis.js';

/**
 * One heatmap answer (`times`, `prices`, `priceBucket`, `resolutionSeconds`, `long`, `short`,
 * times in ms, and for an aggregate `parts` with each market's share of every cell) on its grid:
 * slot k is the time step starting at `s0 + k × step`.
 */
export class CellLayer {
  constructor(h, scaleMax) {
    this.priceBucket = h.priceBucket;
    this.prices = h.prices;
    this.rows = h.prices.length;
    this.stepMs = h.resolutionSeconds * 1000;
    this.s0 = h.times.length ? Math.floor(h.times[0] / this.stepMs) * this.stepMs : 0;
    this.scaleMax = scaleMax;
    this.times = [];
    this.long = [];
    this.short = [];
    this.priceLine = [];
    /** An aggregate's parts (`market`, `venue`, `share` per cell, the layout of long), or null for one market. */
    this.parts = h.parts?.map((p) => ({ market: p.market, venue: p.venue, share: [] })) ?? null;
    /** Column index by slot (-1: a step without a computed bucket). */
    this.slotCol = [];
    this.canvas = null;
    this.capacity = 0;
    this.append(h);
  }

  get slots() {
    return this.slotCol.length;
  }
  /** Time range covered, ms: [start of the first step, end of the last]. */
  get t0() {
    return this.s0;
  }
  get t1() {
    return this.s0 + this.slots * this.stepMs;
  }
  get p0() {
    return this.prices[0] ?? 0;
  }
  get p1() {
    return this.p0 + this.rows * this.priceBucket;
  }
  /** Largest cell, quote (long + short). */
  max() {
    let m = 0;
    for (let i = 0; i < this.long.length; i++) m = Math.max(m, this.long[i] + this.short[i]);
    return m;
  }

  /**
   * Adds columns on the same grid (a live update): columns of a step already held are replaced
   * (the step's newest bucket moved on), later ones appended; only their pixels are painted.
   */
  append(h) {
    if (h.prices.length && (h.prices.length !== this.rows || Math.abs(h.prices[0] - this.p0) > this.priceBucket / 1e6)) throw new Error('append: a different price grid');
    let first = Infinity;
    h.times.forEach((t, c) => {
      const slot = Math.floor((t - this.s0) / this.stepMs);
      if (slot < 0) return;
      while (this.slotCol.length <= slot) this.slotCol.push(-1);
      let col = this.slotCol[slot];
      if (col < 0) {
        col = this.times.length;
        this.slotCol[slot] = col;
        this.times.push(t);
        this.priceLine.push(h.priceLine[c]);
        for (let j = 0; j < this.rows; j++) {
          this.long.push(0);
          this.short.push(0);
        }
        for (const p of this.parts ?? []) for (let j = 0; j < this.rows; j++) p.share.push(0);
      }
      this.times[col] = t;
      this.priceLine[col] = h.priceLine[c];
      for (let j = 0; j < this.rows; j++) {
        this.long[col * this.rows + j] = h.long[c * this.rows + j];
        this.short[col * this.rows + j] = h.short[c * this.rows + j];
      }
      // Shares matched by market: an update's parts come in the API's order, which need not be ours.
      for (const p of this.parts ?? []) {
        const from = h.parts?.find((q) => q.market === p.market)?.share;
        for (let j = 0; j < this.rows; j++) p.share[col * this.rows + j] = from?.[c * this.rows + j] ?? 0;
      }
      first = Math.min(first, slot);
    });
    if (first < Infinity) this.#paint(first, this.slots);
    return first < Infinity ? this.slots - first : 0;
  }

  /** Paints slots [a, b) into the bitmap (grown with spare room when full). */
  #paint(a, b) {
    if (!this.rows || b <= a) return;
    if (b > this.capacity) {
      const old = this.canvas;
      this.capacity = Math.ceil(b * 1.25) + 8;
      this.canvas = new OffscreenCanvas(this.capacity, this.rows);
      if (old) this.canvas.getContext('2d').drawImage(old, 0, 0);
    }
    const img = new ImageData(b - a, this.rows);
    const d = img.data;
    for (let s = a; s < b; s++) {
      const col = this.slotCol[s];
      for (let j = 0; j < this.rows; j++) {
        const o = ((this.rows - 1 - j) * (b - a) + (s - a)) * 4;
        if (col < 0) continue;
        const v = this.long[col * this.rows + j] + this.short[col * this.rows + j];
        const c = VIRIDIS[colourIndex(v, this.scaleMax)];
        d[o] = c[0];
        d[o + 1] = c[1];
        d[o + 2] = c[2];
        d[o + 3] = 255;
      }
    }
    this.canvas.getContext('2d').putImageData(img, a, 0);
  }

  /** Scales the bitmap onto the plot (clipped by the caller). */
  draw(ctx, view) {
    if (!this.canvas || !this.rows) return;
    const x0 = view.x(this.t0);
    const x1 = view.x(this.t1);
    const y0 = view.y(this.p1);
    const y1 = view.y(this.p0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.canvas, 0, 0, this.slots, this.rows, x0, y0, x1 - x0, y1 - y0);
  }

  /** Each part's share of cell k (largest first, empty shares left out), or null for one market. */
  sharesAt(k) {
    if (!this.parts) return null;
    return this.parts.map((p) => ({ market: p.market, venue: p.venue, share: p.share[k] })).filter((s) => s.share > 0).sort((a, b) => b.share - a.share);
  }

  /** The cell under (t, p): its column time, price row, long/short notional and (an aggregate's) venue shares, or null. */
  cellAt(t, p) {
    const slot = Math.floor((t - this.s0) / this.stepMs);
    const j = Math.floor((p - this.p0) / this.priceBucket);
    if (slot < 0 || slot >= this.slots || j < 0 || j >= this.rows) return null;
    const col = this.slotCol[slot];
    if (col < 0) return null;
    const k = col * this.rows + j;
    return { col, row: j, time: this.times[col], stepStart: this.s0 + slot * this.stepMs, priceLow: this.prices[j], priceHigh: this.prices[j] + this.priceBucket, long: this.long[k], short: this.short[k], shares: this.sharesAt(k) };
  }

  /** Every cell overlapping [t0, t1] × [p0, p1] (what is on screen), in column then row order. */
  cellsIn(w) {
    const out = [];
    const a = Math.max(0, Math.floor((w.t0 - this.s0) / this.stepMs));
    const b = Math.min(this.slots - 1, Math.floor((w.t1 - this.s0) / this.stepMs));
    const ja = Math.max(0, Math.floor((w.p0 - this.p0) / this.priceBucket));
    const jb = Math.min(this.rows - 1, Math.floor((w.p1 - this.p0) / this.priceBucket));
    for (let s = a; s <= b; s++) {
      const col = this.slotCol[s];
      if (col < 0) continue;
      for (let j = ja; j <= jb; j++) out.push({ time: this.times[col], priceLow: this.prices[j], priceHigh: this.prices[j] + this.priceBucket, long: this.long[col * this.rows + j], short: this.short[col * this.rows + j] });
    }
    return out;
  }
}
