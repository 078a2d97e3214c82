// Leverage toggles: the leverages the model keeps levels for (from the clusters' composition).
// Shown where the API takes a `leverages` argument (probed once); elsewhere the totals are all
// leverages.
import { gql } from '../lib/api.js';

const $ = (id) => document.getElementById(id);

export const leverage = {
  mount(app) {
    const box = $('leverages');
    app.on('market', async (m) => {
      if (app.supportsLeverages !== undefined || !m) return;
      try {
        await gql('query($m: ID!) { clusters(market: $m, leverages: []) { at } }', { m: m.id });
        app.supportsLeverages = true;
      } catch (e) {
        // An unknown argument is a validation error; any other answer means the argument exists.
        app.supportsLeverages = !/Unknown argument "leverages"/.test(e.message);
      }
    });
    app.on('levels', (d) => {
      const all = new Set();
      for (const c of d.clusters.clusters) for (const s of c.leverageComposition) all.add(s.leverage);
      const levs = [...all].sort((a, b) => a - b);
      box.dataset.available = levs.join(',');
      if (!app.supportsLeverages) return (box.hidden = true);
      box.hidden = false;
      const on = app.state.leverages ?? levs;
      box.replaceChildren(
        ...levs.map((l) => {
          const label = document.createElement('label');
          const input = Object.assign(document.createElement('input'), { type: 'checkbox', checked: on.includes(l), value: String(l) });
          input.addEventListener('change', () => {
            const picked = [...box.querySelectorAll('input:checked')].map((i) => Number(i.value));
            app.state.leverages = picked.length === levs.length ? null : picked;
            app.load();
          });
          label.append(input, `${l}×`);
          return label;
        }),
      );
    });
  },
};
