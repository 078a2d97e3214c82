// Live updates: the clustersUpdated subscription (SSE) says when a newer bucket is computed and from
// which bucket results changed (`changedFrom`: late data recomputes older ones); those columns
// alone are fetched on the same grid and painted into the heatmap bitmap in place (no full
// reload), and the levels at the new end replace the bands, the list and the strip.
import { gql, subscribe } from '../lib/api.js';
import { levelQuery } from '../lib/requests.js';

const $ = (id) => document.getElementById(id);
const SUB = `subscription Live($market: ID!) { clustersUpdated(market: $market) { at changedFrom price } }`;
// Bounded by the step of the bucket announced: `from` alone means "to the newest event", which the
// cost limit prices as the longest range allowed (31 days of columns) and refuses.
const DELTA = `query Delta($market: ID!, $from: DateTime, $to: DateTime, $resolutionSeconds: Int, $priceBucket: Float, $priceLow: Float, $priceHigh: Float) {
  heatmap(market: $market, from: $from, to: $to, resolutionSeconds: $resolutionSeconds, priceBucket: $priceBucket, priceLow: $priceLow, priceHigh: $priceHigh) { times prices priceBucket resolutionSeconds priceLine long short parts { market venue basis share } }
}`;

export const live = {
  mount(app) {
    const box = $('live');
    let abort = null;
    let busy = Promise.resolve();
    const stop = () => {
      abort?.abort();
      abort = null;
    };
    const start = () => {
      stop();
      if (!box.checked || !app.data || app.state.range === 'custom') return;
      abort = new AbortController();
      const gen = app.generation;
      box.dataset.columns = '0';
      box.dataset.updates = '0';
      // An aggregate is re-summed after its parts: its reference venue's updates say when.
      subscribe(SUB, { market: app.markets()[0] }, (msg) => {
        const u = msg.data?.clustersUpdated;
        if (u?.at) busy = busy.then(() => update(gen, Date.parse(u.at), u.changedFrom ? Date.parse(u.changedFrom) : null)).catch((e) => app.emit('error', e));
      }, abort.signal).catch(() => {});
    };
    const update = async (gen, at, changedFrom) => {
      const base = app.data?.base;
      // changedFrom null: results were rolled back and not yet recomputed; the next message says.
      if (gen !== app.generation || !base || changedFrom === null) return;
      // Columns [changedFrom, at] changed; the newest one held is always taken again too (it was
      // still filling, and a message sent before the page subscribed may have been missed). Only
      // the page's window: older columns are not held.
      const step = (ms) => Math.floor(ms / base.stepMs) * base.stepMs;
      const newest = base.times.at(-1);
      const from = Math.max(base.t0, Math.min(step(changedFrom), step(newest)));
      const to = step(at) + base.stepMs - 1;
      if (to < from) return;
      const v = app.chart.view;
      const following = v.t1 >= base.t1 - base.stepMs;
      const { query, vars } = levelQuery(DELTA, app.state.market, app.state.leverages);
      const { heatmap: h } = await gql(query, { ...vars, from: new Date(from).toISOString(), to: new Date(to).toISOString(), resolutionSeconds: base.stepMs / 1000, priceBucket: base.priceBucket, priceLow: base.p0, priceHigh: base.p1 - base.priceBucket / 2 });
      if (gen !== app.generation) return;
      const before = base.t1;
      const painted = base.append({ ...h, times: h.times.map((t) => new Date(t).getTime()) });
      const grown = base.t1 - before;
      v.bounds.t1 = base.t1;
      if (following && grown > 0) {
        v.t0 += grown;
        v.t1 += grown;
      }
      app.chart.layers.current = base.priceLine.at(-1);
      // A recompute still short of the newest column: the levels there are not rewritten yet.
      if (at >= newest) await app.levels(gen, base.times.at(-1));
      box.dataset.columns = String(Number(box.dataset.columns) + grown / base.stepMs);
      box.dataset.painted = String(painted);
      box.dataset.repainted = String(h.times.length);
      box.dataset.from = new Date(from).toISOString();
      box.dataset.updates = String(Number(box.dataset.updates ?? 0) + 1);
      app.chart.requestDraw();
      app.emit('live', { at, painted });
    };
    box.addEventListener('change', start);
    app.on('loaded', start);
    app.on('market', stop);
  },
};
