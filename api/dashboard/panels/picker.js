// Picker: every indexed market (exchange:SYMBOL) and, per base asset on more than one market,
// its aggregate across venues ("BTC — all venues"); the pick is kept in the URL (?market=…).
import { boot } from '../boot.js';

const $ = (id) => document.getElementById(id);

export const picker = {
  mount(app) {
    const select = $('market');
    app.on('init', async () => {
      let entries, first;
      try {
        // boot.js asked already, and started the first heatmap.
        ({ entries, first } = await boot);
      } catch (e) {
        return app.status('error', e.message);
      }
      app.entries = new Map(entries.map((e) => [e.id, e]));
      const singles = entries.filter((e) => e.markets.length === 1 && e.id === e.markets[0].id);
      const aggregates = entries.filter((e) => !singles.includes(e));
      const option = (e) => Object.assign(new Option(e.label, e.id, false, e === first), { title: e.markets.map((m) => m.id).join(' + ') });
      select.replaceChildren(...singles.map(option));
      if (aggregates.length) {
        const g = Object.assign(document.createElement('optgroup'), { label: 'across venues' });
        g.append(...aggregates.map(option));
        select.append(g);
      }
      if (!first) return app.status('ready', 'no markets indexed yet');
      choose(first.id);
    });
    const choose = (id) => {
      app.state.market = id;
      // Leverage mixes differ between markets: a new pick starts with every leverage.
      app.state.leverages = null;
      const q = new URLSearchParams(location.search);
      q.set('market', id);
      history.replaceState(null, '', `?${q}`);
      app.emit('market', app.entries.get(id));
    };
    select.addEventListener('change', () => choose(select.value));
  },
};
