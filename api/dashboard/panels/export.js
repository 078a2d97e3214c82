// Export of the cells on screen (the finest layer covering the view, within the visible time
// and price range) as CSV or JSON, in quote currency.
const $ = (id) => document.getElementById(id);

/** The cells on screen with what they are. */
export function cellsOnScreen(app) {
  const v = app.chart.view.window();
  const layer = app.chart.layerAt((v.t0 + v.t1) / 2);
  const cover = app.chart.layers.detail && layer === app.chart.layers.detail && layer.t0 <= v.t0 && layer.t1 >= v.t1 ? layer : app.chart.layers.base;
  const h = app.data.heatmap;
  return {
    market: app.state.market,
    basis: h.basis,
    paramsHash: h.paramsHash,
    unit: 'quote currency per cell (pending liquidation notional)',
    resolutionSeconds: cover.stepMs / 1000,
    priceBucket: cover.priceBucket,
    view: { from: new Date(v.t0).toISOString(), to: new Date(v.t1).toISOString(), priceLow: v.p0, priceHigh: v.p1 },
    cells: cover.cellsIn(v).map((c) => ({ time: new Date(c.time).toISOString(), priceLow: c.priceLow, priceHigh: c.priceHigh, long: c.long, short: c.short })),
  };
}

function download(name, type, text) {
  const a = Object.assign(document.createElement('a'), { href: URL.createObjectURL(new Blob([text], { type })), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

export const exportCells = {
  mount(app) {
    const name = (ext) => `liqmap-${app.state.market.replace(':', '-')}-${new Date(app.chart.view.t0).toISOString().slice(0, 16).replace(':', '')}.${ext}`;
    $('export-json').addEventListener('click', () => download(name('json'), 'application/json', JSON.stringify(cellsOnScreen(app), null, 1)));
    $('export-csv').addEventListener('click', () => {
      const e = cellsOnScreen(app);
      const lines = [`# ${e.market} ${e.basis} params ${e.paramsHash}; ${e.unit}; columns ${e.resolutionSeconds} s`, 'time,price_low,price_high,long,short'];
      for (const c of e.cells) lines.push(`${c.time},${c.priceLow},${c.priceHigh},${c.long},${c.short}`);
      download(name('csv'), 'text/csv', lines.join('\n') + '\n');
    });
  },
};
