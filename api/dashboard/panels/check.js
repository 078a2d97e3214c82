// The check toggle: the cells on screen checked against the reference engine, its stages and
// what each compared; a PENDING check is polled by id until done (or another load starts).
import { gql } from '../lib/api.js';

const $ = (id) => document.getElementById(id);
const STAGE = 'ok compared valuesCompared mismatches maxRelDiff tolerance from to buckets ms firstMismatch { at what priceLow priceHigh served reference }';
const FIELDS = `id status engine ok fault cellsCompared tolerance elapsedMs error aggregation { ${STAGE} } model { ${STAGE} }`;
const BY_ID = `query Check($id: ID!) { check(id: $id) { ${FIELDS} } }`;

function stageText(name, s) {
  if (!s) return `${name}: –`;
  const m = s.firstMismatch;
  const where = m ? ` — first mismatch at ${m.at}: ${m.what}${m.priceLow != null ? ` ${m.priceLow}–${m.priceHigh}` : ''}, served ${m.served}, reference ${m.reference}` : '';
  return `${name}: ${s.ok ? 'ok' : 'MISMATCH'} · ${s.valuesCompared} values (${s.mismatches} off) · tolerance ${s.tolerance} · max rel ${s.maxRelDiff.toExponential(2)} · ${s.buckets} buckets ${s.from} → ${s.to} · ${s.ms.toFixed(0)} ms\n  ${s.compared}${where}`;
}

export const check = {
  mount(app) {
    app.checkFields = FIELDS;
    let poll = null;
    const out = $('check-result');
    const show = (c, gen) => {
      clearTimeout(poll);
      if (gen !== app.generation) return;
      delete out.dataset.ok;
      if (!c) return void (out.textContent = '');
      out.dataset.status = c.status;
      if (c.status === 'PENDING') {
        out.textContent = `PENDING (check ${c.id}): the reference engine is replaying off the API's event loop…`;
        poll = setTimeout(async () => {
          try {
            show((await gql(BY_ID, { id: c.id })).check, gen);
          } catch (e) {
            out.textContent = `check ${c.id}: ${e.message}`;
          }
        }, 1000);
        return;
      }
      if (c.status === 'FAILED') return void (out.textContent = `check FAILED: ${c.error}`);
      out.dataset.ok = String(c.ok);
      out.textContent = [
        `${c.ok ? 'OK' : 'NOT OK'} — the ${c.cellsCompared} cells on screen against the ${c.engine} reference (tolerance ${c.tolerance} of each column's total)${c.fault ? `; fault: ${c.fault}` : ''} · ${c.elapsedMs.toFixed(0)} ms`,
        stageText('aggregation (raw events → bucket inputs)', c.aggregation),
        stageText('model (bucket inputs → these cells)', c.model),
      ].join('\n');
    };
    $('check').addEventListener('change', () => {
      app.state.check = $('check').checked;
      app.load();
    });
    app.on('heatmap', ({ heatmap: h }) => {
      $('check-box').hidden = !app.state.check;
      delete out.dataset.status;
      show(h.check ?? null, app.generation);
    });
  },
};
