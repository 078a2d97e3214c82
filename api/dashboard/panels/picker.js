// Market picker: every indexed market (exchange:SYMBOL), kept in the URL (?market=…).
import { gql } from '../lib/api.js';

const $ = (id) => document.getElementById(id);
const MARKETS = '{ markets { id exchange symbol coverage { kind last } } }';

export const picker = {
  mount(app) {
    const select = $('market');
    app.on('init', async () => {
      let markets;
      try {
        // The page's inline script asked already (window.liqmapBoot); the same query otherwise.
        const boot = await window.liqmapBoot?.catch(() => null);
        if (boot?.errors?.length) throw new Error(boot.errors.map((e) => e.message).join('; '));
        ({ markets } = boot?.data ?? (await gql(MARKETS)));
      } catch (e) {
        return app.status('error', e.message);
      }
      app.markets = new Map(markets.map((m) => [m.id, m]));
      const wanted = new URLSearchParams(location.search).get('market');
      select.replaceChildren(...markets.map((m) => new Option(m.id, m.id, false, m.id === wanted)));
      if (!markets.length) return app.status('ready', 'no markets indexed yet');
      choose(select.value);
    });
    const choose = (id) => {
      app.state.market = id;
      const q = new URLSearchParams(location.search);
      q.set('market', id);
      history.replaceState(null, '', `?${q}`);
      app.emit('market', app.markets.get(id));
    };
    select.addEventListener('change', () => choose(select.value));
  },
};
