// Leverage toggles: the leverages the model keeps levels for (from the clusters' composition);
// the toggles on are the level queries' `leverages` argument (every one on: the argument left out).
// What is offered is learned unfiltered and kept while some are off: a filtered answer only holds
// the layers asked for, and must not take the others' toggles away.
const $ = (id) => document.getElementById(id);

export const leverage = {
  mount(app) {
    const box = $('leverages');
    let known = new Set();
    app.on('market', () => (known = new Set()));
    app.on('levels', (d) => {
      const seen = new Set(app.state.leverages ?? []);
      for (const c of d.clusters.clusters) for (const s of c.leverageComposition) seen.add(s.leverage);
      known = app.state.leverages ? new Set([...known, ...seen]) : seen;
      const levs = [...known].sort((a, b) => a - b);
      box.dataset.available = levs.join(',');
      box.hidden = levs.length === 0;
      const on = app.state.leverages ?? levs;
      box.replaceChildren(
        ...levs.map((l) => {
          const label = document.createElement('label');
          const input = Object.assign(document.createElement('input'), { type: 'checkbox', checked: on.includes(l), value: String(l) });
          input.addEventListener('change', () => {
            const picked = [...box.querySelectorAll('input:checked')].map((i) => Number(i.value));
            // No leverage at all is no picture (and an error from the API): the last one stays on.
            if (picked.length === 0) return void (input.checked = true);
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
