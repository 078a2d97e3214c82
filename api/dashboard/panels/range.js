// Time range: presets (12 h, 24 h, 3 d, 7 d, 1 M) ending at the market's newest event, or a
// custom from/to (UTC).
const $ = (id) => document.getElementById(id);
const PRESETS = { '12h': 12, '24h': 24, '3d': 72, '7d': 168, '1M': 720 };
const toInput = (ms) => new Date(ms).toISOString().slice(0, 16);
const fromInput = (v) => (v ? new Date(`${v}:00Z`).getTime() : null);

/** Newest price event of a market (trades, candles, mark prices: what levels are computed from), epoch ms, or null. */
function newest(m) {
  const last = (m?.coverage ?? []).filter((c) => ['trades', 'candles', 'mark_prices'].includes(c.kind)).map((c) => (c.last ? new Date(c.last).getTime() : 0));
  return last.length ? Math.max(...last) : null;
}

export const range = {
  mount(app) {
    const buttons = [...document.querySelectorAll('#ranges button[data-range]')];
    const apply = () => {
      const key = app.state.range;
      for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.range === key));
      if (key !== 'custom') {
        const to = newest(app.markets?.get(app.state.market));
        app.state.to = to;
        app.state.from = to == null ? null : to - PRESETS[key] * 3_600_000;
        if (to != null) {
          $('from').value = toInput(app.state.from);
          $('to').value = toInput(to);
        }
      } else {
        app.state.from = fromInput($('from').value);
        app.state.to = fromInput($('to').value);
      }
      app.load();
    };
    for (const b of buttons)
      b.addEventListener('click', () => {
        app.state.range = b.dataset.range;
        apply();
      });
    for (const id of ['from', 'to'])
      $(id).addEventListener('change', () => {
        app.state.range = 'custom';
        apply();
      });
    // A preset can be linked (?range=7d).
    const linked = new URLSearchParams(location.search).get('range');
    if (linked && PRESETS[linked]) app.state.range = linked;
    app.on('market', apply);
  },
};
