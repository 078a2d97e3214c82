import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { parseConfig, silentLogger } from '../../base/index.js';
import { BatchWriter, marketBaseQuote, type CanonicalEvent } from '../../db/index.js';
import { ingestSubgraph } from '../../indexer/index.js';
import { createJobRunner, type JobRunner } from '../../jobs/index.js';
import { FakeGraphNode } from '../_fixtures/graph-node-server.js';
import { createTestStore, type TestStore } from '../_setup/store.js';
import { startTestApi, type TestApi } from '../_setup/api.js';

const API_KEY = 'test-key-aggregate-0123456789';
const T0 = Date.UTC(2024, 4, 1);
const HOURS = 6;

/**
 * Hours of trades every 20 s and open interest every 5 min around `level`; `k` scales every
 * quantity and the open interest (the model is linear in them: k × the levels).
 */
function hours(market: string, level: number, k: number, basis = 1): CanonicalEvent[] {
  const out: CanonicalEvent[] = [];
  for (let s = 0; s < HOURS * 3600; s += 20) {
    const p = basis * level * (1 + 0.004 * Math.sin(s / 4000) + 0.001 * Math.sin(s / 300));
    const ts = (T0 + s * 1000) * 1000;
    out.push({ kind: 'trade', market, ts, tradeId: `${s}`, price: p.toFixed(1), qty: (k * ((s % 13) / 10 + 0.1)).toFixed(4), side: s % 40 === 0 ? 'sell' : 'buy' });
    if (s % 300 === 0) out.push({ kind: 'open_interest', market, ts, oiQty: (k * (80_000 + 20 * Math.sin(s / 2000))).toFixed(3), oiValue: null });
  }
  return out;
}

const sum = (a: readonly number[]) => a.reduce((x, y) => x + y, 0);

describe('venue registry: market id → base and quote', () => {
  it('parses every venue format the issue names, and refuses what is not a perpetual it can read', () => {
    expect(marketBaseQuote('binance:BTCUSDT')).toEqual({ base: 'BTC', quote: 'USDT' });
    expect(marketBaseQuote('bybit:ETHUSDC')).toEqual({ base: 'ETH', quote: 'USDC' });
    expect(marketBaseQuote('okx:BTC-USDT-SWAP')).toEqual({ base: 'BTC', quote: 'USDT' });
    expect(marketBaseQuote('okx:BTC-USD-SWAP')).toEqual({ base: 'BTC', quote: 'USD' });
    expect(marketBaseQuote('hyperliquid:BTC')).toEqual({ base: 'BTC', quote: 'USD' });
    expect(marketBaseQuote('kraken:PF_XBTUSD')).toEqual({ base: 'BTC', quote: 'USD' });
    expect(marketBaseQuote('gmx:ETH-USD')).toEqual({ base: 'ETH', quote: 'USD' });
    expect(marketBaseQuote('dydx:SOL-USD')).toEqual({ base: 'SOL', quote: 'USD' });
    for (const bad of ['okx:BTC-USDT', 'binance:USDT', 'hyperliquid:BTC-PERP', 'nowhere:BTCUSDT', 'binanceBTCUSDT']) expect(marketBaseQuote(bad), bad).toBeNull();
  });
});

describe('aggregation across venues (GraphQL, real Postgres, in-process jobs)', () => {
  let t: TestStore;
  let api: TestApi;
  let jobs: JobRunner;
  const auth = { authorization: `Bearer ${API_KEY}` };
  beforeAll(async () => {
    t = await createTestStore();
    const w = new BatchWriter(t.store);
    // Same prices on both venues; Bybit trades and holds 3× Binance's: a known sum (4× Binance) and known shares (¼, ¾).
    await w.write({ events: [...hours('binance:HANDUSDT', 60_000, 1), ...hours('bybit:HANDUSDT', 60_000, 3)] });
    // Another base whose OKX book trades 0.2% above Binance's (a basis between venues).
    await w.write({ events: [...hours('binance:OFFSUSDT', 60_000, 1), ...hours('okx:OFFS-USDT-SWAP', 60_000, 1, 1.002)] });
    const config = parseConfig({ HOST: '127.0.0.1', API_KEY });
    jobs = await createJobRunner({ config, store: t.store, logger: silentLogger, mode: 'embedded' });
    api = await startTestApi(t.store, { API_KEY, LIQMAP_CHECK_BUDGET_MS: '200000' }, jobs);
    for (const m of ['binance:HANDUSDT', 'bybit:HANDUSDT', 'binance:OFFSUSDT', 'okx:OFFS-USDT-SWAP']) await jobs.recompute(m);
    await jobs.idle!();
  }, 240_000);
  afterAll(async () => {
    await api?.close();
    await jobs?.close();
    await t?.drop();
  });

  it('answers an anonymous request for an aggregate not summed yet with NOT_READY and a job id, and serves it once the workers summed it', { timeout: 240_000 }, async () => {
    const q = `{ heatmap(symbol: "HAND", venues: [BINANCE, BYBIT]) { market symbol basis } }`;
    const first = await api.gql(q);
    expect(first.errors?.[0]?.extensions?.code).toBe('NOT_READY');
    expect((first.errors?.[0]?.extensions as { jobId?: string }).jobId).toMatch(/^in-process-/);
    await jobs.idle!();
    const r = await api.gql(q);
    expect(r.errors).toBeUndefined();
    expect(r.data!.heatmap).toEqual({ market: 'agg:HAND/binance+bybit', symbol: 'HAND', basis: 'ESTIMATED' });
    // Persisted like a market's results: a row per bucket under the aggregate's id.
    const n = await sql<{ n: number }>`select count(*)::int as n from heatmap_rows where market_id = 'agg:HAND/binance+bybit'`.execute(t.store.db);
    expect(n.rows[0]!.n).toBe(HOURS * 60);
  });

  it('sums the venues on a common grid: the known sum, and per-venue shares that add up to 1 and match the parts', { timeout: 120_000 }, async () => {
    const grid = 'priceLow: 50000, priceHigh: 70000, priceBucket: 100, resolutionSeconds: 3600';
    const r = await api.gql(`{
      agg: heatmap(symbol: "HAND", ${grid}) { market times prices values long short parts { market venue basis share } }
      bn: heatmap(market: "binance:HANDUSDT", ${grid}) { times values }
      by: heatmap(market: "bybit:HANDUSDT", ${grid}) { times values }
    }`);
    expect(r.errors).toBeUndefined();
    const { agg, bn, by } = r.data!;
    // venues defaults to every venue with a market of the base.
    expect(agg.market).toBe('agg:HAND/binance+bybit');
    expect(agg.times).toEqual(bn.times);
    expect(sum(agg.values)).toBeGreaterThan(0);
    let cells = 0;
    agg.values.forEach((v: number, i: number) => {
      const want = bn.values[i] + by.values[i];
      expect(Math.abs(v - want)).toBeLessThanOrEqual(1e-6 * Math.max(1, want));
      expect(Math.abs(v - 4 * bn.values[i])).toBeLessThanOrEqual(1e-6 * Math.max(1, v));
      if (v > 0) {
        cells++;
        const shares = agg.parts.map((p: { share: number[] }) => p.share[i]);
        expect(Math.abs(sum(shares) - 1)).toBeLessThan(1e-9);
        expect(shares[0]).toBeCloseTo(bn.values[i] / v, 9);
        expect(shares[0]).toBeCloseTo(0.25, 6);
      }
    });
    expect(cells).toBeGreaterThan(10);
    expect(agg.parts.map((p: { market: string; venue: string; basis: string }) => [p.market, p.venue, p.basis])).toEqual([
      ['binance:HANDUSDT', 'BINANCE', 'ESTIMATED'],
      ['bybit:HANDUSDT', 'BYBIT', 'ESTIMATED'],
    ]);
  });

  it('splits by leverage: the layers add up to the total, on one market and on the aggregate; an unknown leverage is UNKNOWN_LEVERAGE', { timeout: 120_000 }, async () => {
    const grid = 'priceLow: 40000, priceHigh: 80000, priceBucket: 200, resolutionSeconds: 3600';
    for (const target of ['market: "binance:HANDUSDT"', 'symbol: "HAND"']) {
      const levs = [5, 10, 25, 50, 100];
      const q = `{ all: heatmap(${target}, ${grid}) { values leverages } ${levs.map((l) => `l${l}: heatmap(${target}, ${grid}, leverages: [${l}]) { values leverages }`).join(' ')}
        high: heatmap(${target}, ${grid}, leverages: [50, 100]) { values } }`;
      const r = await api.gql(q);
      expect(r.errors, target).toBeUndefined();
      const all = r.data!.all.values as number[];
      expect(r.data!.all.leverages).toBeNull();
      expect(r.data!.l50.leverages).toEqual([50]);
      const layers = levs.map((l) => r.data![`l${l}`].values as number[]);
      for (const layer of layers) expect(sum(layer)).toBeGreaterThan(0);
      all.forEach((v, i) => {
        expect(Math.abs(sum(layers.map((layer) => layer[i]!)) - v)).toBeLessThanOrEqual(1e-6 * Math.max(1, v));
        expect(Math.abs(r.data!.high.values[i] - layers[3]![i]! - layers[4]![i]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, v));
      });
    }
    const map = await api.gql(`{ a: liquidationMap(symbol: "HAND") { long short } h: liquidationMap(symbol: "HAND", leverages: [100]) { long short leverages } }`);
    expect(map.errors).toBeUndefined();
    expect(sum(map.data!.h.long)).toBeGreaterThan(0);
    expect(sum(map.data!.h.long)).toBeLessThan(sum(map.data!.a.long));
    const bad = await api.gql(`{ heatmap(symbol: "HAND", leverages: [7]) { values } }`);
    expect(bad.errors?.[0]?.extensions?.code).toBe('UNKNOWN_LEVERAGE');
    expect(bad.errors?.[0]?.message).toMatch(/7× is not a layer.*5×, 10×, 25×, 50×, 100×/);
    const badCl = await api.gql(`{ clusters(market: "binance:HANDUSDT", leverages: [3]) { at } }`);
    expect(badCl.errors?.[0]?.extensions?.code).toBe('UNKNOWN_LEVERAGE');
  });

  it('gives each cluster of the aggregate its per-venue shares (summing to 1, matching the parts)', { timeout: 120_000 }, async () => {
    const r = await api.gql(`{ clusters(symbol: "HAND") { market basis clusters { side priceLow priceHigh notional venues { market venue notional share } } }
      high: clusters(symbol: "HAND", leverages: [100]) { leverages clusters { notional leverageComposition { leverage } venues { share } } } }`);
    expect(r.errors).toBeUndefined();
    const cs = r.data!.clusters.clusters as { notional: number; venues: { market: string; notional: number; share: number }[] }[];
    expect(cs.length).toBeGreaterThan(0);
    for (const c of cs) {
      expect(Math.abs(sum(c.venues.map((v) => v.share)) - 1)).toBeLessThan(1e-9);
      expect(sum(c.venues.map((v) => v.notional))).toBeCloseTo(c.notional, 3);
      expect(c.venues.find((v) => v.market === 'binance:HANDUSDT')!.share).toBeCloseTo(0.25, 6);
    }
    const high = r.data!.high;
    expect(high.leverages).toEqual([100]);
    expect(high.clusters.length).toBeGreaterThan(0);
    for (const c of high.clusters) expect(c.leverageComposition.map((l: { leverage: number }) => l.leverage)).toEqual([100]);
  });

  it('maps each venue onto the reference venue by its own price: levels 0.2% higher land on the reference price, notional conserved', { timeout: 240_000 }, async () => {
    const q = `{ heatmap(symbol: "OFFS", venues: [BINANCE, OKX]) { market } }`;
    if ((await api.gql(q)).errors) await jobs.idle!();
    const grid = 'priceLow: 30000, priceHigh: 90000, priceBucket: 20, resolutionSeconds: 3600';
    const r = await api.gql(`{
      agg: heatmap(symbol: "OFFS", venues: [BINANCE, OKX], ${grid}) { times prices priceLine values parts { market share } }
      bn: heatmap(market: "binance:OFFSUSDT", ${grid}) { times priceLine values }
      okx: heatmap(market: "okx:OFFS-USDT-SWAP", ${grid}) { times prices values }
    }`);
    expect(r.errors).toBeUndefined();
    const { agg, bn, okx } = r.data!;
    // Binance is the reference: its price is the aggregate's price line.
    expect(agg.priceLine).toEqual(bn.priceLine);
    const n = agg.prices.length;
    const col = agg.times.length - 1;
    const cells = (m: { values: number[] }, c: number) => m.values.slice(c * n, (c + 1) * n);
    const okxMoved = cells(agg, col).map((v: number, j: number) => v * agg.parts[1].share[col * n + j]);
    // Conserved: the last column's total is the sum of both venues' own totals.
    expect(sum(cells(agg, col))).toBeCloseTo(sum(cells(bn, col)) + sum(cells(okx, col)), 0);
    expect(sum(okxMoved)).toBeCloseTo(sum(cells(okx, col)), 0);
    // Moved by P_binance / P_okx ≈ 1 / 1.002: the notional-weighted mean price falls by 0.2%.
    const mean = (vs: number[]) => sum(vs.map((v, j) => v * (agg.prices[j] + 10))) / sum(vs);
    expect(mean(cells(okx, col)) / mean(okxMoved)).toBeCloseTo(1.002, 3);
  });

  it('checks an aggregate: each part by its own reference, and the sum re-derived from the parts; a wrong sum is caught', { timeout: 600_000 }, async () => {
    const sel = '{ values check { status engine ok cellsCompared sum { ok valuesCompared mismatches maxRelDiff } parts { market check { engine ok cellsCompared } } } }';
    const args = 'symbol: "HAND", priceLow: 40000, priceHigh: 80000, priceBucket: 200, resolutionSeconds: 3600, check: true';
    const r = await api.gql(`{ heatmap(${args}) ${sel} }`);
    expect(r.errors).toBeUndefined();
    const c = r.data!.heatmap.check;
    expect(c).toMatchObject({ status: 'DONE', engine: 'aggregate', ok: true });
    expect(c.sum.ok).toBe(true);
    expect(c.sum.valuesCompared).toBe(2 * r.data!.heatmap.values.length);
    expect(c.parts.map((p: { market: string }) => p.market)).toEqual(['binance:HANDUSDT', 'bybit:HANDUSDT']);
    for (const p of c.parts) expect(p.check).toMatchObject({ engine: 'estimated', ok: true });
    const map = await api.gql(`{ liquidationMap(symbol: "HAND", check: true) { check { ok sum { ok } parts { check { ok } } } } }`);
    expect(map.errors).toBeUndefined();
    expect(map.data!.liquidationMap.check.ok).toBe(true);
    // Break the persisted sum (one column 1% too high): the sum stage must notice.
    await sql`update heatmap_rows set long = array(select x * 1.01 from unnest(long) x) where market_id = 'agg:HAND/binance+bybit'
      and t = (select max(t) from heatmap_rows where market_id = 'agg:HAND/binance+bybit')`.execute(t.store.db);
    const broken = await api.gql(`{ broken: heatmap(${args}) ${sel} }`);
    expect(broken.errors).toBeUndefined();
    expect(broken.data!.broken.check.ok).toBe(false);
    expect(broken.data!.broken.check.sum.ok).toBe(false);
    expect(broken.data!.broken.check.sum.mismatches).toBeGreaterThan(0);
    const lev = await api.gql(`{ heatmap(symbol: "HAND", leverages: [50], check: true) { values } }`);
    expect(lev.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('re-sums the aggregate when a part gets new data', { timeout: 240_000 }, async () => {
    const before = await sql<{ t: Date }>`select max(t) as t from heatmap_rows where market_id = 'agg:HAND/binance+bybit'`.execute(t.store.db);
    const w = new BatchWriter(t.store);
    const ts = (T0 + HOURS * 3_600_000 + 30_000) * 1000;
    await w.write({ events: [{ kind: 'trade', market: 'binance:HANDUSDT', ts, tradeId: 'late-1', price: '60100.0', qty: '1', side: 'buy' }] }).then((res) => jobs.onIngested(res));
    await jobs.idle!();
    const after = await sql<{ t: Date }>`select max(t) as t from heatmap_rows where market_id = 'agg:HAND/binance+bybit'`.execute(t.store.db);
    expect(after.rows[0]!.t.getTime()).toBe(before.rows[0]!.t.getTime() + 60_000);
  });

  it('prices an aggregate by its venues: the cost limit scales with the parts selected', async () => {
    const q = (venues: string) => `{ heatmap(symbol: "HAND"${venues}, resolutionSeconds: 60, priceBucket: 1, priceLow: 0, priceHigh: 278) { values parts { share } } }`;
    const two = await api.gql(q(', venues: [BINANCE, BYBIT]'));
    expect(two.errors?.[0]?.extensions?.code).not.toBe('COST_LIMIT_EXCEEDED');
    const all = await api.gql(q(''));
    expect(all.errors?.[0]?.extensions?.code).toBe('COST_LIMIT_EXCEEDED');
  });

  it('refuses a market and a symbol together, venues without symbol, and an unknown base', async () => {
    const both = await api.gql(`{ heatmap(market: "binance:HANDUSDT", symbol: "HAND") { values } }`);
    expect(both.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const venues = await api.gql(`{ heatmap(market: "binance:HANDUSDT", venues: [BYBIT]) { values } }`);
    expect(venues.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const none = await api.gql(`{ clusters(symbol: "NOPE") { at } }`, undefined, auth);
    expect(none.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('an aggregate of an on-chain (EXACT) and an estimated venue is MIXED', () => {
  let t: TestStore;
  let node: FakeGraphNode;
  let api: TestApi;
  let jobs: JobRunner;
  beforeAll(async () => {
    t = await createTestStore();
    node = await FakeGraphNode.start();
    await ingestSubgraph(t.store, { url: node.url, protocol: 'gmx-v2', startBlock: 233_000_000, retries: 2 });
    // An estimated ETH market over the fixture's time and price.
    const span = await sql<{ a: Date; b: Date; p: string }>`select min(ts) as a, max(ts) as b, avg(price)::text as p from trades where market_id = 'gmx:ETH-USD'`.execute(t.store.db);
    const { a, b, p } = span.rows[0]!;
    const events: CanonicalEvent[] = [];
    for (let ms = a.getTime(); ms <= b.getTime() + 60_000; ms += 20_000) events.push({ kind: 'trade', market: 'binance:ETHUSDT', ts: ms * 1000, tradeId: String(ms), price: (Number(p) * (1 + 0.001 * Math.sin(ms / 1e6))).toFixed(2), qty: '2', side: ms % 40_000 === 0 ? 'sell' : 'buy' });
    await new BatchWriter(t.store).write({ events });
    const config = parseConfig({ HOST: '127.0.0.1' });
    jobs = await createJobRunner({ config, store: t.store, logger: silentLogger, mode: 'embedded' });
    api = await startTestApi(t.store, {}, jobs);
  }, 240_000);
  afterAll(async () => {
    await api?.close();
    await jobs?.close();
    await node?.close();
    await t?.drop();
  });

  it('says MIXED and which part is EXACT and which ESTIMATED', { timeout: 240_000 }, async () => {
    const q = `{ heatmap(symbol: "ETH", venues: [BINANCE, GMX]) { basis values parts { market basis } } }`;
    expect((await api.gql(q)).errors?.[0]?.extensions?.code).toBe('NOT_READY');
    await jobs.idle!();
    const r = await api.gql(q);
    expect(r.errors).toBeUndefined();
    expect(r.data!.heatmap.basis).toBe('MIXED');
    expect(r.data!.heatmap.parts.map((x: { market: string; basis: string }) => [x.market, x.basis])).toEqual([
      ['binance:ETHUSDT', 'ESTIMATED'],
      ['gmx:ETH-USD', 'EXACT'],
    ]);
  });
});
