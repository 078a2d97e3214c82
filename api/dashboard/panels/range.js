// Time range: presets (12 h, 24 h, 3 d, 7 d, 1 M) ending at the newest event of what is shown
// (lib/range-window.js), or a custom from/to (UTC).
import { linkedRange, presetWindow } from '../lib/range-window.js';

const $ = (id) => document.getElementById(id);
const toInput = (ms) => new Date(ms).toISOString().slice(0, 16);
const fromInput = (v) => (v ? new Date(`${v}:00Z`).getTime() : null);

export const range = {
  mount(app) {
    const buttons = [...document.querySelectorAll('#ranges button[data-range]')];
    const apply = () => {
      const key = app.state.range;
      for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.range === key));
      if (key !== 'custom') {
        Object.assign(app.state, presetWindow(app.entries?.get(app.state.market)?.markets ?? [], key));
        if (app.state.to != null) {
          $('from').value = toInput(app.state.from);
          $('to').value = toInput(app.state.to);
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
    app.state.range = linkedRange();
    app.on('market', apply);
  },
};
