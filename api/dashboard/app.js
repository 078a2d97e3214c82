// The liqmap dashboard: plain ES module, public GraphQL only.
import { VIRIDIS, colourIndex } from './viridis.js';

const $ = (id) => document.getElementById(id);
const status = (state, text) => {
  $('status').dataset.state = state;
  $('status').textContent = text;
};

async function gql(query, variables = {}) {
  const r = await fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = await r.json();
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data;
}

// datetime-local inputs hold UTC wall time (the page says so).
const toInput = (iso) => iso.slice(0, 16);
const fromInput = (v) => (v ? `${v}:00Z` : null);
const fmt = (n) => (Math.abs(n) >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : Math.abs(n) >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : n.toFixed(0));

const STAGE = 'ok compared valuesCompared mismatches maxRelDiff tolerance from to buckets ms firstMismatch { at what priceLow priceHigh served reference }';
const CHECK_FIELDS = `id status engine ok fault cellsCompared tolerance elapsedMs error aggregation { ${STAGE} } model { ${STAGE} }`;
const HEATMAP = `query Heatmap($market: ID!, $from: DateTime, $to: DateTime, $check: Boolean) {
  heatmap(market: $market, from: $from, to: $to, check: $check) {
    times prices priceBucket priceLine values maxValue resolutionSeconds paramsHash basis
    check { ${CHECK_FIELDS} }
  }
}`;
const CHECK_BY_ID = `query Check($id: ID!) { check(id: $id) { ${CHECK_FIELDS} } }`;
const AT = `query At($market: ID!, $at: DateTime) {
  clusters(market: $market, at: $at) { at price clusters { side priceLow priceHigh peakPrice notional shareOfSide distanceFraction } }
  liquidationMap(market: $market, at: $at) { price prices priceBucket cumulativeLong cumulativeShort }
}`;

function drawHeatmap(h) {
  const canvas = $('heatmap');
  const ctx = canvas.getContext('2d');
  const W = canvas.width;
  const H = canvas.height;
  const left = 70;
  const bottom = 24;
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, W, H);
  const cols = h.times.length;
  const rows = h.prices.length;
  if (cols === 0 || rows === 0) return 0;
  const img = new ImageData(cols, rows);
  for (let i = 0; i < cols; i++) {
    for (let j = 0; j < rows; j++) {
      const c = VIRIDIS[colourIndex(h.values[i * rows + j], h.maxValue)];
      const o = ((rows - 1 - j) * cols + i) * 4;
      img.data[o] = c[0];
      img.data[o + 1] = c[1];
      img.data[o + 2] = c[2];
      img.data[o + 3] = 255;
    }
  }
  const off = new OffscreenCanvas(cols, rows);
  off.getContext('2d').putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  const pw = W - left;
  const ph = H - bottom;
  ctx.drawImage(off, left, 0, pw, ph);
  // Price line.
  const lo = h.prices[0];
  const span = rows * h.priceBucket;
  const y = (p) => (1 - (p - lo) / span) * ph;
  ctx.strokeStyle = '#fff';
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  h.priceLine.forEach((p, i) => {
    const x = left + ((i + 0.5) / cols) * pw;
    if (i === 0) ctx.moveTo(x, y(p));
    else ctx.lineTo(x, y(p));
  });
  ctx.stroke();
  // Axes.
  ctx.fillStyle = '#aaa';
  ctx.font = '12px system-ui';
  for (let k = 0; k <= 6; k++) {
    const p = lo + (span * k) / 6;
    ctx.fillText(p.toFixed(p > 100 ? 0 : 2), 4, Math.min(ph - 2, Math.max(12, y(p) + 4)));
  }
  for (let k = 0; k <= 4; k++) {
    const i = Math.min(cols - 1, Math.round(((cols - 1) * k) / 4));
    ctx.fillText(h.times[i].slice(5, 16).replace('T', ' '), left + (i / cols) * pw - (k === 4 ? 80 : 0), H - 6);
  }
  return cols * rows;
}

function drawLiqMap(m) {
  const canvas = $('liqmap');
  const ctx = canvas.getContext('2d');
  const W = canvas.width;
  const H = canvas.height;
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, W, H);
  const n = m.prices.length;
  if (n === 0) return;
  const max = Math.max(1e-9, ...m.cumulativeLong, ...m.cumulativeShort);
  const x = (j) => ((j + 0.5) / n) * W;
  const y = (v) => H - 20 - (v / max) * (H - 30);
  for (const [values, colour] of [[m.cumulativeLong, VIRIDIS[150]], [m.cumulativeShort, VIRIDIS[240]]]) {
    ctx.strokeStyle = `rgb(${colour.join(',')})`;
    ctx.lineWidth = 2;
    ctx.beginPath();
    values.forEach((v, j) => (j === 0 ? ctx.moveTo(x(j), y(v)) : ctx.lineTo(x(j), y(v))));
    ctx.stroke();
  }
  const px = ((m.price - m.prices[0]) / (n * m.priceBucket)) * W;
  ctx.strokeStyle = '#fff';
  ctx.beginPath();
  ctx.moveTo(px, 0);
  ctx.lineTo(px, H - 20);
  ctx.stroke();
  ctx.fillStyle = '#aaa';
  ctx.font = '12px system-ui';
  ctx.fillText(`${m.prices[0].toFixed(0)}`, 4, H - 4);
  ctx.fillText(`${m.price.toFixed(1)}`, px - 20, H - 4);
  ctx.fillText(`${(m.prices[0] + n * m.priceBucket).toFixed(0)}`, W - 50, H - 4);
  ctx.fillText(`max ${fmt(max)}`, 4, 14);
}

function showClusters(c) {
  $('clusters-at').textContent = `at ${c.at.slice(0, 16).replace('T', ' ')} UTC, price ${c.price.toFixed(1)}`;
  $('clusters').replaceChildren(
    ...c.clusters.map((k) => {
      const li = document.createElement('li');
      li.dataset.side = k.side;
      li.dataset.notional = String(k.notional);
      li.dataset.peak = String(k.peakPrice);
      li.innerHTML = `<span class="side">${k.side}</span> ${k.priceLow.toFixed(1)}–${k.priceHigh.toFixed(1)} · peak ${k.peakPrice.toFixed(1)} · ${fmt(k.notional)} (${(k.shareOfSide * 100).toFixed(0)}% of side, ${(k.distanceFraction * 100).toFixed(2)}%)`;
      return li;
    }),
  );
}

// The check of the cells on screen: its verdict, the stages and what each compared; a PENDING
// check is polled by id until it is done (or the page loads something else).
let checkPoll = null;
function stageText(name, s) {
  if (!s) return `${name}: –`;
  const m = s.firstMismatch;
  const where = m ? ` — first mismatch at ${m.at}: ${m.what}${m.priceLow != null ? ` ${m.priceLow}–${m.priceHigh}` : ''}, served ${m.served}, reference ${m.reference}` : '';
  return `${name}: ${s.ok ? 'ok' : 'MISMATCH'} · ${s.valuesCompared} values (${s.mismatches} off) · tolerance ${s.tolerance} · max rel ${s.maxRelDiff.toExponential(2)} · ${s.buckets} buckets ${s.from} → ${s.to} · ${s.ms.toFixed(0)} ms\n  ${s.compared}${where}`;
}
function showCheck(c) {
  clearTimeout(checkPoll);
  const out = $('check-result');
  if (!c) return (out.textContent = '');
  out.dataset.status = c.status;
  if (c.status === 'PENDING') {
    out.textContent = `PENDING (check ${c.id}): the reference engine is replaying off the API's event loop…`;
    checkPoll = setTimeout(async () => {
      try {
        showCheck((await gql(CHECK_BY_ID, { id: c.id })).check);
      } catch (e) {
        out.textContent = `check ${c.id}: ${e.message}`;
      }
    }, 1000);
    return;
  }
  if (c.status === 'FAILED') return (out.textContent = `check FAILED: ${c.error}`);
  out.dataset.ok = String(c.ok);
  out.textContent = [
    `${c.ok ? 'OK' : 'NOT OK'} — the ${c.cellsCompared} cells on screen against the ${c.engine} reference (tolerance ${c.tolerance} of each column's total)${c.fault ? `; fault: ${c.fault}` : ''} · ${c.elapsedMs.toFixed(0)} ms`,
    stageText('aggregation (raw events → bucket inputs)', c.aggregation),
    stageText('model (bucket inputs → these cells)', c.model),
  ].join('\n');
}

async function load() {
  const market = $('market').value;
  if (!market) return status('ready', 'no markets indexed yet');
  status('loading', 'loading…');
  try {
    const check = $('check').checked;
    const { heatmap } = await gql(HEATMAP, { market, from: fromInput($('from').value), to: fromInput($('to').value), check });
    const cells = drawHeatmap(heatmap);
    const at = heatmap.times.at(-1) ?? null;
    if (!$('to').value && at) $('to').value = toInput(at);
    if (!$('from').value && heatmap.times[0]) $('from').value = toInput(heatmap.times[0]);
    const d = await gql(AT, { market, at });
    showClusters(d.clusters);
    drawLiqMap(d.liquidationMap);
    $('check-box').hidden = !check;
    showCheck(heatmap.check);
    const q = new URLSearchParams({ market, ...(heatmap.times[0] ? { from: heatmap.times[0], to: at } : {}) });
    $('png-link').href = `/heatmap.png?${q}`;
    status('ready', `${cells} cells · ${heatmap.resolutionSeconds}s × ${heatmap.priceBucket} · params ${heatmap.paramsHash} · ${heatmap.basis.toLowerCase()}`);
  } catch (e) {
    status('error', e.message);
  }
}

async function init() {
  try {
    const { markets } = await gql('{ markets { id } }');
    const wanted = new URLSearchParams(location.search).get('market');
    $('market').replaceChildren(...markets.map((m) => new Option(m.id, m.id, false, m.id === wanted)));
  } catch (e) {
    return status('error', e.message);
  }
  $('load').addEventListener('click', load);
  $('market').addEventListener('change', () => {
    $('from').value = '';
    $('to').value = '';
    load();
  });
  $('check').addEventListener('change', load);
  await load();
}

init();
