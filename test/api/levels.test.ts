import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, silentLogger } from '../../base/index.js';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { BatchWriter, readClustersAt } from '../../db/index.js';
import { modelParamsHash, parseModelParams } from '../../engine/index.js';
import { ingestDemo } from '../../indexer/index.js';
import { createJobRunner, type JobRunner } from '../../jobs/index.js';
import { createTestStore, type TestStore } from '../_setup/store.js';
import { startTestApi, type TestApi } from '../_setup/api.js';

const API_KEY = 'test-key-0123456789abcdef';
const MARKET = 'demo:BTCUSDT';
const HOURS = 8;

describe('engine-backed GraphQL fields over the demo market (real Postgres, in-process jobs)', () => {
  let t: TestStore;
  let api: TestApi;
  let jobs: JobRunner;
  beforeAll(async () => {
    t = await createTestStore();
    await ingestDemo(t.store, { days: HOURS / 24 });
    const config = parseConfig({ HOST: '127.0.0.1', API_KEY });
    jobs = await createJobRunner({ config, store: t.store, logger: silentLogger, mode: 'embedded' });
    api = await startTestApi(t.store, { API_KEY, LIQMAP_CHECK_BUDGET_MS: '100000' }, jobs);
    // The API serves; the workers compute (here the in-process runner, as after an ingest).
    await jobs.recompute(MARKET);
    await jobs.idle!();
  }, 120_000);
  afterAll(async () => {
    await api.close();
    await jobs.close();
    await t.drop();
  });

  it('serves the computed heatmap, with aligned times × prices arrays and a price line inside the price range', async () => {
    const r = await api.gql(`{ heatmap(market: "${MARKET}") { market basis paramsHash timeBucketSeconds resolutionSeconds priceBucket times prices priceLine values long short maxValue check { ok } } }`);
    expect(r.errors).toBeUndefined();
    const h = r.data!.heatmap;
    expect(h.basis).toBe('ESTIMATED');
    expect(h.paramsHash).toBe(modelParamsHash(parseModelParams({})));
    expect(h.timeBucketSeconds).toBe(60);
    expect(h.times.length).toBe(HOURS * 60);
    expect(h.values.length).toBe(h.times.length * h.prices.length);
    expect(h.long.length).toBe(h.values.length);
    expect(h.values[7]).toBeCloseTo(h.long[7] + h.short[7], 6);
    expect(h.maxValue).toBeGreaterThan(0);
    expect(h.maxValue).toBe(Math.max(...h.values));
    expect(h.check).toBeNull();
    for (let i = 1; i < h.prices.length; i++) expect(h.prices[i] - h.prices[i - 1]).toBeCloseTo(h.priceBucket, 6);
    for (const p of h.priceLine) {
      expect(p).toBeGreaterThanOrEqual(h.prices[0]);
      expect(p).toBeLessThanOrEqual(h.prices.at(-1) + h.priceBucket);
    }
    // Longs liquidate below the price: in the last column, no long notional above the price.
    const last = h.times.length - 1;
    const price = h.priceLine[last];
    h.prices.forEach((p: number, j: number) => {
      if (p > price + h.priceBucket) expect(h.long[last * h.prices.length + j]).toBe(0);
    });
  });

  it('downsamples columns and re-bins prices on request, conserving notional in range', async () => {
    const q = (extra: string) => api.gql(`{ heatmap(market: "${MARKET}", priceLow: 40000, priceHigh: 44000 ${extra}) { resolutionSeconds priceBucket times prices long } }`);
    const fine = (await q('')).data!.heatmap;
    const coarse = (await q(', resolutionSeconds: 3600, priceBucket: 100')).data!.heatmap;
    expect(coarse.resolutionSeconds).toBe(3600);
    expect(coarse.priceBucket).toBe(100);
    expect(coarse.times.length).toBe(HOURS);
    // The last column of both shows the same bucket: equal totals.
    const lastSum = (m: { prices: number[]; long: number[] }, col: number) => m.long.slice(col * m.prices.length, (col + 1) * m.prices.length).reduce((a, b) => a + b, 0);
    expect(coarse.times.at(-1)).toBe(fine.times.at(-1));
    expect(lastSum(coarse, coarse.times.length - 1)).toBeCloseTo(lastSum(fine, fine.times.length - 1), 3);
  });

  it('checks exactly the returned cells against the reference engine, in two stages, once', async () => {
    const q = `{ heatmap(market: "${MARKET}", check: true) { times prices check { id status engine ok fault cellsCompared tolerance elapsedMs aggregation { ok valuesCompared buckets from to } model { ok valuesCompared buckets from to firstMismatch { at } } } } }`;
    const r = await api.gql(q);
    expect(r.errors).toBeUndefined();
    const h = r.data!.heatmap;
    const c = h.check;
    expect(c).toMatchObject({ status: 'DONE', engine: 'estimated', ok: true, fault: null });
    expect(c.cellsCompared).toBe(h.times.length * h.prices.length * 2);
    expect(c.model).toMatchObject({ ok: true, from: '2024-01-01T00:00:00.000Z', buckets: HOURS * 60, firstMismatch: null });
    expect(c.aggregation.ok).toBe(true);
    expect(c.aggregation.buckets).toBe(HOURS * 60);
    expect(c.aggregation.valuesCompared).toBeGreaterThan(HOURS * 60 * 7);
    // Computed once: the same request is answered from the persisted verdict, by id too.
    const again = (await api.gql(q)).data!.heatmap.check;
    expect(again.id).toBe(c.id);
    expect(again.elapsedMs).toBe(c.elapsedMs);
    const byId = await api.gql(`{ check(id: "${c.id}") { status ok cellsCompared } }`);
    expect(byId.data!.check).toEqual({ status: 'DONE', ok: true, cellsCompared: c.cellsCompared });
    const lm = await api.gql(`{ liquidationMap(market: "${MARKET}", check: true) { prices check { ok cellsCompared } } clusters(market: "${MARKET}", check: true) { clusters { notional } check { ok cellsCompared model { compared } } } }`);
    expect(lm.errors).toBeUndefined();
    expect(lm.data!.liquidationMap.check).toEqual({ ok: true, cellsCompared: lm.data!.liquidationMap.prices.length * 2 });
    expect(lm.data!.clusters.check.ok).toBe(true);
    expect(lm.data!.clusters.check.cellsCompared).toBeGreaterThanOrEqual(lm.data!.clusters.clusters.length * 2);
  }, 120_000);

  it('serves clusters equal to the persisted ones, filtered by side, limit and notional', async () => {
    const r = await api.gql(`{ clusters(market: "${MARKET}") { at price paramsHash clusters { side priceLow priceHigh peakPrice notional shareOfSide distanceFraction leverageComposition { leverage notional } } } }`);
    expect(r.errors).toBeUndefined();
    const c = r.data!.clusters;
    const persisted = await readClustersAt(t.store, MARKET, c.paramsHash, Date.parse(c.at));
    expect(c.clusters.length).toBe(persisted!.clusters.length);
    expect(c.clusters.map((x: { notional: number }) => x.notional)).toEqual(persisted!.clusters.map((x) => x.notional));
    for (const x of c.clusters) {
      expect(x.priceLow).toBeLessThan(x.priceHigh);
      expect(x.side === 'LONG' ? x.peakPrice < c.price : x.peakPrice > c.price).toBe(true);
      expect(x.leverageComposition.reduce((s: number, l: { notional: number }) => s + l.notional, 0)).toBeCloseTo(x.notional, 3);
    }
    const shortOnly = (await api.gql(`{ clusters(market: "${MARKET}", side: SHORT, limit: 2) { clusters { side } } }`)).data!.clusters.clusters;
    expect(shortOnly.length).toBeLessThanOrEqual(2);
    expect(shortOnly.every((x: { side: string }) => x.side === 'SHORT')).toBe(true);
    const big = c.clusters[0].notional;
    const onlyBig = (await api.gql(`{ clusters(market: "${MARKET}", minNotional: ${big}) { clusters { notional } } }`)).data!.clusters.clusters;
    expect(onlyBig).toEqual([{ notional: big }]);
    const bad = await api.gql(`{ clusters(market: "${MARKET}", limit: 11) { at } }`);
    expect(bad.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('builds the liquidation map: cumulative longs grow downward from the price, shorts upward', async () => {
    const r = await api.gql(`{ liquidationMap(market: "${MARKET}", at: "2024-01-01T06:00:00Z", range: 0.05) { at price priceBucket prices long short cumulativeLong cumulativeShort } }`);
    expect(r.errors).toBeUndefined();
    const m = r.data!.liquidationMap;
    expect(m.at).toBe('2024-01-01T06:00:00.000Z');
    expect(m.prices[0]).toBeLessThanOrEqual(m.price * 0.95);
    const n = m.prices.length;
    for (let j = 0; j + 1 < n; j++) {
      expect(m.cumulativeLong[j]).toBeGreaterThanOrEqual(m.cumulativeLong[j + 1] - 1e-9);
      expect(m.cumulativeShort[j + 1]).toBeGreaterThanOrEqual(m.cumulativeShort[j] - 1e-9);
    }
    expect(m.cumulativeLong[0]).toBeCloseTo(m.long.reduce((a: number, b: number) => a + b, 0), 3);
  });

  it('simulates a cascade on the standing levels and scores accuracy against realized liquidations', async () => {
    const c = await api.gql(`{ cascade(market: "${MARKET}", shock: -0.02, depthPerPercent: "5000000") { price shockTo finalPrice liquidatedNotional waves { wave levels liquidatedNotional } } }`);
    expect(c.errors).toBeUndefined();
    const k = c.data!.cascade;
    expect(Number(k.shockTo)).toBeCloseTo(Number(k.price) * 0.98, 6);
    expect(Number(k.finalPrice)).toBeLessThanOrEqual(Number(k.shockTo));
    expect(Number(k.liquidatedNotional)).toBeCloseTo(k.waves.reduce((s: number, w: { liquidatedNotional: string }) => s + Number(w.liquidatedNotional), 0), 3);
    const a = await api.gql(`{ accuracy(market: "${MARKET}", from: "2024-01-01T00:00:00Z", to: "2024-01-01T07:00:00Z", horizonSeconds: 3600) { predictions realizedNotional hitShare baselineHitShare coverage everySeconds } }`);
    expect(a.errors).toBeUndefined();
    expect(a.data!.accuracy.hitShare).toBeGreaterThanOrEqual(0);
    expect(a.data!.accuracy.hitShare).toBeLessThanOrEqual(1);
    expect(a.data!.accuracy.everySeconds).toBe(60);
    // The fair score of the persisted levels: traversed-range capture and amounts, walk-forward.
    const w = `{ from to predictions liquidations realizedNotional insideTraversed capture { q model { value low high } modelLift { value } distance { value } modelMinusDistance { value } } amountSamples amountSpearman { value low high } modelFreeSpearman { value } }`;
    const f = await api.gql(`{ accuracy(market: "${MARKET}", from: "2024-01-01T00:00:00Z", to: "2024-01-01T07:00:00Z", horizonSeconds: 3600) { reportedPrice scoredLevel sided split foldStarts inSample ${w} outOfSample ${w} } }`);
    expect(f.errors).toBeUndefined();
    const acc = f.data!.accuracy;
    expect(acc.scoredLevel).toBe('LIQUIDATION');
    expect(acc.split).toMatch(/^2024-01-01T0[1-7]/);
    expect(acc.inSample.to).toBe(acc.split);
    expect(acc.outOfSample.from).toBe(acc.split);
    // The expanding walk-forward's folds: the first starts the out-of-sample window, each at least the horizon after the previous.
    expect(acc.foldStarts[0]).toBe(acc.split);
    for (let j = 1; j < acc.foldStarts.length; j++) expect(Date.parse(acc.foldStarts[j]) - Date.parse(acc.foldStarts[j - 1])).toBeGreaterThanOrEqual(3_600_000);
    const single = await api.gql(`{ accuracy(market: "${MARKET}", from: "2024-01-01T00:00:00Z", to: "2024-01-01T07:00:00Z", horizonSeconds: 3600, folds: 2) { split foldStarts } }`);
    expect(single.data!.accuracy.foldStarts).toEqual([single.data!.accuracy.split]);
    const bad = await api.gql(`{ accuracy(market: "${MARKET}", from: "2024-01-01T00:00:00Z", to: "2024-01-01T07:00:00Z", folds: 1) { split } }`);
    expect(bad.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    for (const win of [acc.inSample, acc.outOfSample]) {
      expect(win.predictions).toBeGreaterThan(0);
      expect(win.liquidations).toBeGreaterThan(0);
      expect(win.capture.map((c: { q: number }) => c.q)).toEqual([0.1, 0.2, 0.3]);
      for (const c of win.capture) {
        expect(c.model.value).toBeGreaterThanOrEqual(0);
        expect(c.model.value).toBeLessThanOrEqual(1);
        expect(c.model.low).toBeLessThanOrEqual(c.model.value);
        expect(c.modelLift.value).toBeCloseTo(c.model.value / c.q, 9);
        expect(c.modelMinusDistance.value).toBeCloseTo(c.model.value - c.distance.value, 9);
      }
      expect(win.amountSamples).toBeGreaterThan(0);
    }
  });

  it('quotes a position with the engine and rejects a bad input with a precise message', async () => {
    const r = await api.gql(`{ quote(input: { exchange: binance, symbol: "BTCUSDT", side: LONG, qty: "0.02", entry: "50000", wallet: "500" }) { liquidationPrice initialMargin maintenanceMargin tier brackets } }`);
    expect(r.errors).toBeUndefined();
    expect(r.data!.quote.brackets).toMatch(/^binance BTCUSDT, 2024-10: /);
    expect(r.data!.quote.liquidationPrice).toMatch(/^\d+(\.\d+)?$/);
    expect(Number(r.data!.quote.liquidationPrice)).toBeLessThan(50000);
    const bad = await api.gql(`{ quote(input: { exchange: bybit, side: LONG, qty: "1", entry: "100" }) { liquidationPrice } }`);
    expect(bad.errors![0]!.extensions!.code).toBe('INPUT_INVALID');
    expect(bad.errors![0]!.message).toContain('leverage');
  });

  it('computes other parameters only for a caller with the API key, by the workers; rejects invalid parameters', async () => {
    const q = `{ heatmap(market: "${MARKET}", timeBucketSeconds: 300, model: { halfLifeHours: 12, leverages: [{ leverage: 20, weight: 1 }] }) { paramsHash timeBucketSeconds times } }`;
    const hash = modelParamsHash(parseModelParams({ timeBucketSeconds: 300, halfLifeHours: 12, leverages: [{ leverage: 20, weight: 1 }] }));
    const rowsOf = async () => Number((await sql<{ n: number }>`select count(*)::int as n from heatmap_rows where params_hash = ${hash}`.execute(t.store.db)).rows[0]!.n);
    // Anonymous: NOT_READY at once, nothing enqueued, nothing written.
    const started = performance.now();
    const anon = await api.gql(q);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(anon.errors![0]!.extensions).toMatchObject({ code: 'NOT_READY', paramsHash: hash });
    expect(anon.errors![0]!.extensions!).not.toHaveProperty('jobId');
    await jobs.idle!();
    expect(await rowsOf()).toBe(0);
    // With the key: the workers get a job, the request still answers at once.
    const auth = await api.gql(q, {}, { authorization: `Bearer ${API_KEY}` });
    expect(auth.errors![0]!.extensions).toMatchObject({ code: 'NOT_READY', paramsHash: hash, jobId: expect.stringMatching(/^in-process-/) });
    await jobs.idle!();
    expect(await rowsOf()).toBe(HOURS * 12);
    // Computed once, it is served to anyone.
    const r = await api.gql(q);
    expect(r.errors).toBeUndefined();
    expect(r.data!.heatmap.timeBucketSeconds).toBe(300);
    expect(r.data!.heatmap.times.length).toBe(HOURS * 12);
    expect(r.data!.heatmap.paramsHash).toBe(hash);
    // A preset this server does not have is the caller's mistake, named.
    const np = await api.gql(`{ heatmap(market: "${MARKET}", model: { preset: "okx-sol-calibrated" }) { paramsHash } }`);
    expect(np.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(np.errors![0]!.message).toMatch(/model.preset "okx-sol-calibrated" is not a preset of this server/);
    const bad = await api.gql(`{ heatmap(market: "${MARKET}", model: { maintenanceMarginRate: 0.9 }) { paramsHash } }`);
    expect(bad.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(bad.errors![0]!.message).toBe('model.maintenanceMarginRate = 0.9: must be 0 to 0.5 (fraction of notional)');
  });

  it('rejects a parameter set whose grid would be unbounded before any work, and stays up', async () => {
    const started = performance.now();
    const tiny = await api.gql(`{ heatmap(market: "${MARKET}", model: { priceBucketFraction: 0.0000001 }) { paramsHash } }`, {}, { authorization: `Bearer ${API_KEY}` });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(tiny.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(tiny.errors![0]!.message).toBe('model.priceBucketFraction = 1e-7: must be 0.0001 to 0.1 (fraction of price)');
    const tb = await api.gql(`{ clusters(market: "${MARKET}", timeBucketSeconds: 0) { at } }`);
    expect(tb.errors![0]!.message).toBe('timeBucketSeconds = 0: must be an integer 1 to 604800 (seconds)');
    const lev = await api.gql(`{ liquidationMap(market: "${MARKET}", model: { leverages: [{ leverage: 1, weight: 1 }] }) { at } }`);
    expect(lev.errors![0]!.message).toBe('model.leverages.0.leverage = 1: must be greater than 1, at most 1000 (×)');
    for (const [arg, msg] of [
      ['resolutionSeconds: 0', 'resolutionSeconds = 0: must be an integer 1 to 2678400'],
      ['priceBucket: -1', 'priceBucket = -1: must be greater than 0'],
      ['priceLow: 50000, priceHigh: 40000', 'priceHigh = 40000: must be above priceLow (50000)'],
      ['priceLow: -5', 'priceLow = -5: must be 0 to'],
    ]) {
      const r = await api.gql(`{ heatmap(market: "${MARKET}", ${arg}) { times } }`);
      expect(r.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
      expect(r.errors![0]!.message).toContain(msg);
    }
    // Grid too fine for the window: RANGE_TOO_LARGE before reading it.
    const cells = await api.gql(`{ heatmap(market: "${MARKET}", resolutionSeconds: 60, priceBucket: 0.01, priceLow: 1, priceHigh: 100000) { times } }`);
    expect(cells.errors![0]!.extensions!.code).toBe('RANGE_TOO_LARGE');
    // A requested set whose history would exceed the cell bound is refused even with the key
    // (two trades three years apart: 1.6M minute buckets × 25,000 price buckets).
    const T = Date.UTC(2020, 0, 1) * 1000;
    await new BatchWriter(t.store).write({ events: [0, 3 * 365 * 86_400e6].map((dt, i) => ({ kind: 'trade' as const, market: 'demo:SPARSE', ts: T + dt, tradeId: String(i), price: '100', qty: '1', side: 'buy' as const })) });
    const fine = await api.gql(`{ heatmap(market: "demo:SPARSE", model: { priceBucketFraction: 0.0001 }) { times } }`, {}, { authorization: `Bearer ${API_KEY}` });
    expect(fine.errors![0]!.extensions!.code).toBe('RANGE_TOO_LARGE');
    expect(fine.errors![0]!.message).toContain('1576801 time buckets × up to 25000 price buckets');
    const viaMutation = await api.gql(`mutation { recompute(market: "demo:SPARSE", model: { priceBucketFraction: 0.0001 }) { jobId } }`, {}, { authorization: `Bearer ${API_KEY}` });
    expect(viaMutation.errors![0]!.extensions!.code).toBe('RANGE_TOO_LARGE');
    expect(await jobs.status()).toMatchObject([{ counts: { waiting: 0, active: 0 } }]);
    expect((await api.gql(`{ markets { id } }`)).data!.markets.length).toBeGreaterThan(0);
  });

  it('does not let an omitted `to` lift the range limit', async () => {
    const r = await api.gql(`{ heatmap(market: "${MARKET}", from: "2023-01-01T00:00:00Z") { times } }`);
    expect(r.errors![0]!.extensions!.code).toBe('RANGE_TOO_LARGE');
  });

  it('guards recompute with the API key and enqueues it with one', async () => {
    const m = `mutation { recompute(market: "${MARKET}", from: "2024-01-01T04:00:00Z") { jobId market paramsHash rolledBack } }`;
    const anon = await api.gql(m);
    expect(anon.errors![0]!.extensions!.code).toBe('UNAUTHORIZED');
    const wrong = await api.gql(m, {}, { authorization: 'Bearer nope' });
    expect(wrong.errors![0]!.extensions!.code).toBe('UNAUTHORIZED');
    const ok = await api.gql(m, {}, { authorization: `Bearer ${API_KEY}` });
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.recompute.jobId).toMatch(/^in-process-/);
    // At least the 4 hours from `from`; more when the surviving checkpoint is older.
    expect(ok.data!.recompute.rolledBack).toBeGreaterThanOrEqual(4 * 60);
    await jobs.idle!();
    const h = await api.gql(`{ heatmap(market: "${MARKET}") { times } }`);
    expect(h.data!.heatmap.times.length).toBe(HOURS * 60);
  });

  it('streams clustersUpdated over server-sent events', async () => {
    const ac = new AbortController();
    const query = encodeURIComponent(`subscription { clustersUpdated(market: "${MARKET}", limit: 3) { at clusters { side notional } } }`);
    const res = await fetch(`${api.server.url}/graphql?query=${query}`, { headers: { accept: 'text/event-stream' }, signal: ac.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('\n\n') || !text.includes('data:')) text += new TextDecoder().decode((await reader.read()).value);
    ac.abort();
    const data = JSON.parse(text.split('\n').find((l) => l.startsWith('data:'))!.slice(5));
    expect(data.data.clustersUpdated.at).toBe(new Date(Date.UTC(2024, 0, 1) + (HOURS * 60 - 1) * 60_000).toISOString());
    expect(data.data.clustersUpdated.clusters.length).toBeLessThanOrEqual(3);
  });
});
