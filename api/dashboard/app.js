// The liqmap dashboard: plain ES modules over the public GraphQL API. This file holds the state
// and the loading; each panel (picker, range, leverage, tooltip, clusters, info, check, export,
// live, not-ready) is one small module under panels/ that mounts itself on the app's events.
import { gql } from './lib/api.js';
import { heatmapRequest, levelQuery } from './lib/requests.js';
import { CellLayer } from './chart/cells.js';
import { Chart } from './chart/chart.js';
import { notionalOf } from './chart/bubbles.js';
import { drawLegend } from './chart/legend.js';
import { PANELS } from './panels/index.js';

const $ = (id) => document.getElementById(id);

const AT = `query At($market: ID!, $at: DateTime, $priceBucket: Float) {
  clusters(market: $market, at: $at) { at price basis clusters { side priceLow priceHigh peakPrice notional shareOfSide distanceFraction leverageComposition { leverage notional } venues { market venue share } } }
  liquidationMap(market: $market, at: $at, priceBucket: $priceBucket, range: 0.5) { at price priceBucket prices long short }
}`;
const CANDLES = `query Candles($market: ID!, $from: DateTime, $to: DateTime, $resolutionSeconds: Int) {
  priceCandles(market: $market, from: $from, to: $to, resolutionSeconds: $resolutionSeconds) { resolutionSeconds times open high low close }
}`;
const LIQS = `query Liqs($market: ID!, $from: DateTime!, $to: DateTime!, $after: String) {
  liquidations(market: $market, where: { time: { _gte: $from, _lte: $to } }, first: 1000, after: $after) { nodes { time side price qty notional sampled } pageInfo { hasNextPage endCursor } }
}`;
/** At most this many liquidation pages (of 1,000) are drawn per window; the info panel says when cut. */
const MAX_LIQ_PAGES = 20;

const iso = (ms) => new Date(ms).toISOString();
const ms = (t) => new Date(t).getTime();

/** The app the panels mount on: state, chart, events, loading. */
class App {
  constructor() {
    this.state = { market: null, from: null, to: null, check: false, leverages: null, range: '24h' };
    this.chart = new Chart($('heatmap'), $('hover'));
    this.listeners = {};
    this.data = null;
    this.generation = 0;
    this.checkFields = '';
    this.chart.on('settle', () => this.#detail());
    this.chart.on('hover', (h) => this.emit('hover', h));
  }

  on(event, fn) {
    (this.listeners[event] ??= []).push(fn);
  }
  emit(event, arg) {
    for (const fn of this.listeners[event] ?? []) fn(arg, this);
  }
  status(state, text) {
    $('status').dataset.state = state;
    $('status').textContent = text;
  }
  /** Loads the market's window: heatmap, levels at its end, candles, liquidations; then paints. */
  async load() {
    const gen = ++this.generation;
    const { market } = this.state;
    if (!market) return this.status('ready', 'no markets indexed yet');
    this.status('loading', 'loading…');
    performance.clearMarks();
    performance.mark('liqmap:load-start');
    try {
      // Kept so a measurement can replay exactly what the first paint waited for.
      this.lastRequest = heatmapRequest(this.state, this.checkFields);
      const vars = this.lastRequest.variables;
      const { heatmap: h } = await gql(this.lastRequest.query, vars);
      performance.mark('liqmap:heatmap-parsed');
      if (gen !== this.generation) return;
      const hm = { ...h, times: h.times.map(ms) };
      const base = new CellLayer(hm, h.maxValue);
      performance.mark('liqmap:cells-built');
      this.data = { heatmap: hm, base, windowFrom: vars.from ? ms(vars.from) : (hm.times[0] ?? 0), windowTo: vars.to ? ms(vars.to) : (hm.times.at(-1) ?? 0) + base.stepMs };
      const L = this.chart.layers;
      Object.assign(L, { base, detail: null, candles: [], bubbles: [], clusters: null, liqMap: null, current: hm.priceLine.at(-1) ?? null });
      this.chart.view.reset({ t0: base.t0, t1: base.t1, p0: base.p0, p1: base.p1 });
      this.chart.draw();
      drawLegend($('legend'), h.maxValue);
      performance.mark('liqmap:first-paint');
      performance.measure('liqmap:first-paint', 'liqmap:load-start', 'liqmap:first-paint');
      this.emit('heatmap', this.data);
      if (!hm.times.length) return this.status('ready', 'no computed levels in this window: choose another range');
      this.status('loading', 'loading levels, candles and liquidations…');
      await Promise.all([this.levels(gen, hm.times.at(-1)), this.#candles(gen, base, 0), this.#liquidations(gen, base.t0, base.t1)]);
      if (gen !== this.generation) return;
      this.chart.draw();
      this.status('ready', `${base.times.length} × ${base.rows} cells · ${h.resolutionSeconds}s × ${h.priceBucket} · ${h.basis.toLowerCase()}`);
      // What the canvas now shows, for whoever waits on it (tests, the screenshot script).
      Object.assign($('heatmap').dataset, { market, leverages: this.state.leverages?.join(',') ?? 'all', generation: String(gen) });
      this.emit('loaded', this.data);
    } catch (e) {
      if (gen !== this.generation) return;
      this.emit('error', e);
      if (!this.handled) this.status('error', e.message);
      this.handled = false;
    }
  }

  /** Clusters and the liquidation map standing at `at` (the bands, the list and the strip). */
  async levels(gen, at) {
    if (at == null) return;
    const { query, vars } = levelQuery(AT, this.state.market, this.state.leverages);
    const d = await gql(query, { ...vars, at: iso(at), priceBucket: this.data.base.priceBucket });
    if (gen !== this.generation) return;
    Object.assign(this.chart.layers, { clusters: d.clusters, liqMap: d.liquidationMap });
    this.data.clusters = d.clusters;
    this.data.liqMap = d.liquidationMap;
    this.emit('levels', d);
  }

  /** OHLC on a layer's columns: slot 0 for the base, 1 for the detail. */
  async #candles(gen, layer, slot) {
    const { priceCandles: c } = await gql(CANDLES, { market: this.markets()[0], from: iso(layer.t0), to: iso(layer.t1 - 1), resolutionSeconds: layer.stepMs / 1000 });
    if (gen !== this.generation) return;
    const set = { ...c, times: c.times.map(ms), from: layer.t0, to: layer.t1 };
    const L = this.chart.layers;
    L.candles = slot === 0 ? [set] : [L.candles[0], set];
  }

  /**
   * The markets behind what is shown: the market, or an aggregate's parts (its reference venue
   * first: the prices its levels are mapped onto, so its candles are the price drawn).
   */
  markets() {
    return this.data?.heatmap.parts?.map((p) => p.market) ?? [this.state.market];
  }

  /** Every stored liquidation of the markets shown in [from, to], up to MAX_LIQ_PAGES pages each. */
  async #liquidations(gen, from, to) {
    const rows = [];
    let truncated = false;
    for (const market of this.markets()) {
      let after = null;
      let pages = 0;
      let more = true;
      while (more && pages < MAX_LIQ_PAGES) {
        const { liquidations: l } = await gql(LIQS, { market, from: iso(from), to: iso(to), after });
        if (gen !== this.generation) return;
        for (const n of l.nodes) rows.push({ t: ms(n.time), time: n.time, market, side: n.side, price: Number(n.price), notional: notionalOf(n), sampled: n.sampled });
        more = l.pageInfo.hasNextPage;
        after = l.pageInfo.endCursor;
        pages++;
      }
      truncated ||= more;
    }
    const L = this.chart.layers;
    L.bubbles = rows;
    L.bubbleMax = rows.reduce((m, r) => Math.max(m, r.notional), 0);
    this.data.liquidations = { rows, truncated };
    this.emit('liquidations', this.data.liquidations);
  }

  /** After zoom/pan settles: finer cells (and candles) for the visible window when the base is coarse there. */
  async #detail() {
    const d = this.data;
    if (!d) return;
    const v = this.chart.view;
    const base = d.base;
    const from = Math.max(base.t0, v.t0);
    const to = Math.min(base.t1, v.t1);
    const colPx = (base.stepMs / (v.t1 - v.t0)) * v.plot.w;
    const widthMs = (d.heatmap.timeBucketSeconds ?? 60) * 1000;
    if (!(to > from) || colPx < 3 || base.stepMs <= widthMs) return;
    const cur = this.chart.layers.detail;
    if (cur && cur.t0 <= from && cur.t1 >= to && (cur.stepMs / (v.t1 - v.t0)) * v.plot.w < 3) return;
    const gen = this.generation;
    const r = heatmapRequest({ ...this.state, from, to, check: false });
    const vars = { ...r.variables, priceBucket: base.priceBucket, priceLow: base.p0, priceHigh: base.p1 - base.priceBucket / 2 };
    try {
      const { heatmap: h } = await gql(r.query, vars);
      if (gen !== this.generation) return;
      const layer = new CellLayer({ ...h, times: h.times.map(ms) }, base.scaleMax);
      this.chart.layers.detail = layer;
      await this.#candles(gen, layer, 1);
      this.chart.requestDraw();
      this.emit('detail', layer);
    } catch (e) {
      this.emit('error', e);
    }
  }
}

const app = new App();
// Tests and the screenshot script read the app's state through this handle.
window.liqmapDashboard = app;
for (const panel of PANELS) panel.mount(app);
app.emit('init');
