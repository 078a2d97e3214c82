import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { BatchWriter, type CanonicalEvent, type Store } from '../../db/index.js';
import { createPgliteTestStore, createTestStore, type TestStore } from '../_setup/store.js';
import { startTestApi, type TestApi } from '../_setup/api.js';

const T0 = Date.UTC(2024, 2, 1) * 1000; // epoch µs

/** 130 trades 1 s apart, some sharing a timestamp (so the cursor needs the trade id too). */
function trades(market: string): CanonicalEvent[] {
  return Array.from({ length: 130 }, (_, i) => ({
    kind: 'trade' as const,
    market,
    ts: T0 + Math.floor(i / 2) * 1_000_000 + (i % 2) * 123,
    tradeId: String(1000 + i),
    price: `${60000 + i}.25`,
    qty: `0.${String(i + 1).padStart(3, '0')}`,
    side: i % 3 === 0 ? ('sell' as const) : ('buy' as const),
  }));
}

function otherEvents(market: string): CanonicalEvent[] {
  return [
    { kind: 'funding', market, ts: T0, rate: '0.0001', markPrice: '60000.5', intervalHours: 8 },
    { kind: 'funding', market, ts: T0 + 8 * 3600e6, rate: '-0.00005', markPrice: null, intervalHours: 8 },
    { kind: 'liquidation', market, ts: T0 + 5e6, side: 'sell', price: '59990', qty: '1.5', notional: null, key: 'sell:59990:1.5#0' },
    { kind: 'open_interest', market, ts: T0, oiQty: '81234.567', oiValue: '4874074020' },
  ];
}

async function seed(store: Store): Promise<void> {
  const w = new BatchWriter(store);
  await w.write({ events: [...trades('binance:BTCUSDT'), ...otherEvents('binance:BTCUSDT'), ...trades('okx:BTC-USDT-SWAP').slice(0, 3)] });
}

const PAGE = /* GraphQL */ `
  query Page($market: ID!, $first: Int, $after: String, $dir: OrderDirection, $where: TradeWhere) {
    trades(market: $market, first: $first, after: $after, orderDirection: $dir, where: $where) {
      edges { cursor node { time tradeId price qty side } }
      pageInfo { hasNextPage endCursor }
    }
  }`;

describe('GraphQL events API (real Postgres)', () => {
  let t: TestStore;
  let api: TestApi;
  beforeAll(async () => {
    t = await createTestStore();
    await seed(t.store);
    api = await startTestApi(t.store, { LIQMAP_MAX_RANGE_DAYS: '2' });
  });
  afterAll(async () => {
    await api.close();
    await t.drop();
  });

  it('lists markets with their trade coverage and exact last price', async () => {
    const r = await api.gql(`{ markets { id exchange symbol tradeCount firstTradeAt lastTradeAt lastPrice } }`);
    expect(r.errors).toBeUndefined();
    expect(r.data!.markets).toEqual([
      { id: 'binance:BTCUSDT', exchange: 'binance', symbol: 'BTCUSDT', tradeCount: 130, firstTradeAt: '2024-03-01T00:00:00.000Z', lastTradeAt: '2024-03-01T00:01:04.000Z', lastPrice: '60129.25' },
      { id: 'okx:BTC-USDT-SWAP', exchange: 'okx', symbol: 'BTC-USDT-SWAP', tradeCount: 3, firstTradeAt: '2024-03-01T00:00:00.000Z', lastTradeAt: '2024-03-01T00:00:01.000Z', lastPrice: '60002.25' },
    ]);
    const one = await api.gql(`{ market(id: "binance:BTCUSDT") { coverage { kind count first last } } missing: market(id: "binance:NOPE") { id } }`);
    expect(one.data!.missing).toBeNull();
    expect(one.data!.market.coverage).toContainEqual({ kind: 'funding_rates', count: 2, first: '2024-03-01T00:00:00.000Z', last: '2024-03-01T08:00:00.000Z' });
  });

  it('pages through every trade in both directions without gaps or repeats, keeping microseconds', async () => {
    for (const dir of ['ASC', 'DESC']) {
      const seen: string[] = [];
      let after: string | null = null;
      for (let page = 0; page < 10; page++) {
        const r: any = await api.gql(PAGE, { market: 'binance:BTCUSDT', first: 50, after, dir });
        expect(r.errors).toBeUndefined();
        seen.push(...r.data.trades.edges.map((e: any) => e.node.tradeId));
        if (!r.data.trades.pageInfo.hasNextPage) break;
        after = r.data.trades.pageInfo.endCursor;
      }
      const expected = Array.from({ length: 130 }, (_, i) => String(1000 + i));
      expect(seen).toEqual(dir === 'ASC' ? expected : expected.reverse());
    }
    const first = await api.gql(PAGE, { market: 'binance:BTCUSDT', first: 2 });
    expect(first.data!.trades.edges.map((e: any) => e.node)).toEqual([
      { time: '2024-03-01T00:00:00.000Z', tradeId: '1000', price: '60000.25', qty: '0.001', side: 'SELL' },
      { time: '2024-03-01T00:00:00.000123Z', tradeId: '1001', price: '60001.25', qty: '0.002', side: 'BUY' },
    ]);
  });

  it('filters by time, price, size and side, and counts only when asked within a bounded range', async () => {
    const where = { time: { _gte: '2024-03-01T00:00:10Z', _lt: '2024-03-01T00:00:20Z' }, side: { _in: ['SELL'] }, price: { _gt: '60021' } };
    const r = await api.gql(`query($w: TradeWhere) { trades(market: "binance:BTCUSDT", where: $w, first: 100) { nodes { tradeId side } totalCount } }`, { w: where });
    expect(r.errors).toBeUndefined();
    // Trades 20..39 fall in [10 s, 20 s); sells are i % 3 == 0; price 600xx.25 > 60021 keeps i ≥ 21.
    expect(r.data!.trades.nodes.map((n: any) => n.tradeId)).toEqual(['1021', '1024', '1027', '1030', '1033', '1036', '1039']);
    expect(r.data!.trades.totalCount).toBe(7);
    const qty = await api.gql(`{ trades(market: "binance:BTCUSDT", where: { qty: { _lte: "0.002" } }) { nodes { tradeId } } }`);
    expect(qty.data!.trades.nodes).toEqual([{ tradeId: '1000' }, { tradeId: '1001' }]);
    const unbounded = await api.gql(`{ trades(market: "binance:BTCUSDT") { totalCount } }`);
    expect(unbounded.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(unbounded.errors![0]!.message).toMatch(/totalCount needs a time range/);
    const tooLong = await api.gql(`{ trades(market: "binance:BTCUSDT", where: { time: { _gte: "2024-01-01T00:00:00Z", _lt: "2024-03-01T00:00:00Z" } }) { totalCount } }`);
    expect(tooLong.errors![0]!.extensions!.code).toBe('RANGE_TOO_LARGE');
    expect(tooLong.errors![0]!.message).toMatch(/at most 2 days/);
  });

  it('serves funding rates, liquidations and open interest with their units', async () => {
    const r = await api.gql(`{
      fundingRates(market: "binance:BTCUSDT", orderDirection: DESC) { nodes { time rate markPrice intervalHours } }
      liquidations(market: "binance:BTCUSDT", where: { side: { _in: [SELL] } }) { nodes { time side price qty notional } }
      openInterest(market: "binance:BTCUSDT") { nodes { time openInterest openInterestValue } }
    }`);
    expect(r.errors).toBeUndefined();
    expect(r.data!.fundingRates.nodes).toEqual([
      { time: '2024-03-01T08:00:00.000Z', rate: '-0.00005', markPrice: null, intervalHours: 8 },
      { time: '2024-03-01T00:00:00.000Z', rate: '0.0001', markPrice: '60000.5', intervalHours: 8 },
    ]);
    expect(r.data!.liquidations.nodes).toEqual([{ time: '2024-03-01T00:00:05.000Z', side: 'SELL', price: '59990', qty: '1.5', notional: null }]);
    expect(r.data!.openInterest.nodes).toEqual([{ time: '2024-03-01T00:00:00.000Z', openInterest: '81234.567', openInterestValue: '4874074020' }]);
  });

  it('tells the caller precisely what is wrong with their request', async () => {
    const big = await api.gql(`{ trades(market: "binance:BTCUSDT", first: 5000) { nodes { tradeId } } }`);
    expect(big.errors![0]).toMatchObject({ message: 'first must be between 1 and 1000, got 5000', extensions: { code: 'BAD_USER_INPUT' } });
    const unknown = await api.gql(`{ trades(market: "binance:ETHUSDT") { nodes { tradeId } } }`);
    expect(unknown.errors![0]!.extensions!.code).toBe('NOT_FOUND');
    const malformed = await api.gql(`{ trades(market: "BTCUSDT") { nodes { tradeId } } }`);
    expect(malformed.errors![0]!.message).toMatch(/exchange:SYMBOL/);
    const cursor = await api.gql(`{ trades(market: "binance:BTCUSDT", after: "garbage") { nodes { tradeId } } }`);
    expect(cursor.errors![0]!.message).toMatch(/cursor/);
    const time = await api.gql(`{ trades(market: "binance:BTCUSDT", where: { time: { _gt: "yesterday" } }) { nodes { tradeId } } }`);
    expect(time.errors![0]!.message).toMatch(/not an ISO-8601 time/);
  });

  it('refuses queries past the depth, alias and cost limits', async () => {
    const aliases = Array.from({ length: 20 }, (_, i) => `a${i}: markets { id }`).join(' ');
    const r = await api.gql(`{ ${aliases} }`);
    expect(r.errors![0]!.message).toMatch(/alias/i);
    expect(r.errors![0]!.extensions!.code).toBe('ALIAS_LIMIT_EXCEEDED');
    const deep = await api.gql(`{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } }`);
    expect(deep.errors).toBeUndefined(); // introspection is exempt from the depth limit
    const full = `trades(market: "binance:BTCUSDT", first: 1000) { edges { cursor node { time tradeId price qty side } } pageInfo { endCursor } }`;
    expect((await api.gql(`{ ${full} }`)).errors).toBeUndefined();
    // The cost counts values in the response (test/api/limits.test.ts): two full pages are small.
    const twice = await api.gql(`{ a: ${full} b: ${full} }`);
    expect(twice.errors).toBeUndefined();
    const suggestion = await api.gql(`{ markts { id } }`);
    expect(suggestion.errors![0]!.message).not.toMatch(/Did you mean/);
  });

  it('masks internal failures and exposes health, readiness and metrics', async () => {
    const broken = await createTestStore();
    const brokenApi = await startTestApi(broken.store);
    try {
      await new BatchWriter(broken.store).write({ events: otherEvents('binance:BTCUSDT') });
      await sql`drop table funding_rates`.execute(broken.store.db);
      const r = await brokenApi.gql(`{ fundingRates(market: "binance:BTCUSDT") { nodes { rate } } }`);
      expect(r.errors![0]).toMatchObject({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      expect(JSON.stringify(r)).not.toMatch(/funding_rates|relation/);
    } finally {
      await brokenApi.close();
      await broken.drop();
    }
    expect(await (await api.get('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await api.get('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', database: 'ok' });
    const metrics = await (await api.get('/metrics')).text();
    expect(metrics).toMatch(/liqmap_api_request_duration_seconds_bucket\{.*route="\/graphql"/);
  });

  it('serves a repeated query from the byte cache, but never a mutation or an error', async () => {
    const post = (query: string) => fetch(`${api.server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    const q = `{ trades(market: "binance:BTCUSDT", first: 3) { nodes { tradeId } } }`;
    // Kept from the second ask on (GraphQLHttpCache.admit).
    await post(q);
    const a = await post(q);
    const b = await post(q);
    expect(a.headers.get('x-liqmap-cache')).toBeNull();
    expect(b.headers.get('x-liqmap-cache')).toBe('hit');
    expect(await b.json()).toEqual(await a.json());
    const bad = `{ trades(market: "binance:NOPE") { nodes { tradeId } } }`;
    await post(bad);
    await post(bad);
    expect((await post(bad)).headers.get('x-liqmap-cache')).toBeNull();
  });

  it('never serves a cached answer after new data arrived', async () => {
    const q = `{ market(id: "okx:BTC-USDT-SWAP") { tradeCount } }`;
    expect((await api.gql(q)).data!.market.tradeCount).toBe(3);
    expect((await api.gql(q)).data!.market.tradeCount).toBe(3);
    await new BatchWriter(t.store).write({ events: trades('okx:BTC-USDT-SWAP').slice(3, 10) });
    await new Promise((r) => setTimeout(r, 300));
    expect((await api.gql(q)).data!.market.tradeCount).toBe(10);
  });
});

describe('GraphQL events API on the embedded PGlite (smoke)', () => {
  it('serves markets and a page of trades', async () => {
    const store = await createPgliteTestStore();
    await seed(store);
    const api = await startTestApi(store);
    try {
      const r = await api.gql(`{ markets { id tradeCount } trades(market: "binance:BTCUSDT", first: 3, orderDirection: DESC) { nodes { tradeId } } }`);
      expect(r.errors).toBeUndefined();
      expect(r.data!.markets).toEqual([{ id: 'binance:BTCUSDT', tradeCount: 130 }, { id: 'okx:BTC-USDT-SWAP', tradeCount: 3 }]);
      expect(r.data!.trades.nodes).toEqual([{ tradeId: '1129' }, { tradeId: '1128' }, { tradeId: '1127' }]);
    } finally {
      await api.close();
      await store.close();
    }
  });
});
