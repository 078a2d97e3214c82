// The visible window (time × price) and its mapping to the plot's pixels. Zoom and pan change
// only these four numbers; every layer draws from them, so a frame never refetches anything.

export class View {
  /** @param {{x: number, y: number, w: number, h: number}} plot the plot rectangle, CSS pixels. */
  constructor(plot) {
    this.plot = plot;
    this.t0 = 0;
    this.t1 = 1;
    this.p0 = 0;
    this.p1 = 1;
    /** The data's full extent: zoom and pan stay within it (with some margin). */
    this.bounds = { t0: 0, t1: 1, p0: 0, p1: 1 };
  }

  /** Shows the whole of `bounds`. */
  reset(bounds) {
    this.bounds = { ...bounds };
    Object.assign(this, { t0: bounds.t0, t1: bounds.t1, p0: bounds.p0, p1: bounds.p1 });
  }

  x(t) {
    return this.plot.x + ((t - this.t0) / (this.t1 - this.t0)) * this.plot.w;
  }
  y(p) {
    return this.plot.y + (1 - (p - this.p0) / (this.p1 - this.p0)) * this.plot.h;
  }
  tAt(x) {
    return this.t0 + ((x - this.plot.x) / this.plot.w) * (this.t1 - this.t0);
  }
  pAt(y) {
    return this.p0 + (1 - (y - this.plot.y) / this.plot.h) * (this.p1 - this.p0);
  }
  inPlot(x, y) {
    return x >= this.plot.x && x < this.plot.x + this.plot.w && y >= this.plot.y && y < this.plot.y + this.plot.h;
  }

  /** Zooms the time axis by `f` (< 1 zooms in) around time `at`. */
  zoomTime(f, at) {
    const b = this.bounds;
    const minSpan = Math.max(60_000, (b.t1 - b.t0) / 5000);
    const span = Math.min(b.t1 - b.t0, Math.max(minSpan, (this.t1 - this.t0) * f));
    const r = (at - this.t0) / (this.t1 - this.t0);
    this.t0 = at - r * span;
    this.t1 = this.t0 + span;
    this.#clampTime();
  }

  /** Zooms the price axis by `f` around price `at`. */
  zoomPrice(f, at) {
    const b = this.bounds;
    const span = Math.min((b.p1 - b.p0) * 2, Math.max((b.p1 - b.p0) / 2000, (this.p1 - this.p0) * f));
    const r = (at - this.p0) / (this.p1 - this.p0);
    this.p0 = at - r * span;
    this.p1 = this.p0 + span;
  }

  /** Moves the window by pixels (drag right shows earlier times, drag down higher prices). */
  panPixels(dx, dy) {
    const dt = (dx / this.plot.w) * (this.t1 - this.t0);
    const dp = (dy / this.plot.h) * (this.p1 - this.p0);
    this.t0 -= dt;
    this.t1 -= dt;
    this.p0 += dp;
    this.p1 += dp;
    this.#clampTime();
  }

  #clampTime() {
    const b = this.bounds;
    const span = this.t1 - this.t0;
    const margin = span * 0.2;
    if (this.t0 < b.t0 - margin) [this.t0, this.t1] = [b.t0 - margin, b.t0 - margin + span];
    if (this.t1 > b.t1 + margin) [this.t0, this.t1] = [b.t1 + margin - span, b.t1 + margin];
  }

  /** The window as plain numbers (what tests and exports read). */
  window() {
    return { t0: this.t0, t1: this.t1, p0: this.p0, p1: this.p1 };
  }
}
