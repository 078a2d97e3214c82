// The market's score next to the heatmap: the `accuracy` query over the window shown —
// out-of-sample traversed-range capture at q = 20% with its interval, the lift over knowing
// nothing (20%), and the distance-only baseline on the same predictions (docs/accuracy.md).
// An aggregate is scored per market (each venue's own levels against its own liquidations).
import { gql } from '../lib/api.js';
import { venueName } from '../lib/format.js';

const $ = (id) => document.getElementById(id);
const ACCURACY = `query Accuracy($market: ID!, $from: DateTime!, $to: DateTime!) {
  accuracy(market: $market, from: $from, to: $to, horizonSeconds: 3600) {
    paramsHash scoredLevel sided outOfSample { predictions liquidations capture { q model { value low high } modelLift { value } distance { value } } }
  }
}`;
const pct = (x) => (x == null ? 'n/a' : `${(100 * x).toFixed(1)}%`);

/** One line of text for an accuracy answer (exported for the page's tests). */
export function scoreText(a) {
  const w = a.outOfSample;
  const c = w.capture.find((f) => Math.abs(f.q - 0.2) < 1e-9);
  if (!c || w.predictions === 0 || c.model.value == null) return 'Score: no realized liquidations in this window to score the levels against.';
  const ci = c.model.low == null ? '' : ` [${pct(c.model.low)}–${pct(c.model.high)}]`;
  return `Score (out of sample, 1 h horizon): the top 20% of traversed price buckets held ${pct(c.model.value)}${ci} of the realized notional — lift ${c.modelLift.value.toFixed(2)}× (know-nothing 20%), distance-only baseline ${pct(c.distance?.value)}; ${w.predictions} predictions, ${w.liquidations} liquidations${a.sided ? '' : ', sides pooled'}.`;
}

export const accuracy = {
  mount(app) {
    let asked = 0;
    app.on('heatmap', async ({ heatmap: h }) => {
      const mine = ++asked;
      const el = $('accuracy');
      el.className = 'hint';
      if (!h.times.length) return void (el.textContent = '');
      el.textContent = 'Score: …';
      try {
        const span = { from: new Date(h.times[0]).toISOString(), to: new Date(h.times.at(-1)).toISOString() };
        const parts = h.parts ?? [{ market: h.market, venue: null }];
        const scores = await Promise.all(parts.map((p) => gql(ACCURACY, { market: p.market, ...span })));
        if (mine !== asked) return; // a newer window asked meanwhile
        el.textContent = parts.length === 1 ? scoreText(scores[0].accuracy) : parts.map((p, i) => `${venueName(p.venue)} — ${scoreText(scores[i].accuracy)}`).join('\n');
        el.dataset.state = 'ok';
      } catch (e) {
        if (mine !== asked) return;
        el.textContent = `Score: ${e.message}`;
        el.dataset.state = 'error';
      }
    });
  },
};
