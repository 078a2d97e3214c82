import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type KyselyPlugin } from 'kysely';
import { parseConfig, silentLogger } from '../../base/index.js';
import { BatchWriter, type CanonicalEvent, type Store } from '../../db/index.js';
import { startServer, type RunningServer } from '../../api/index.js';
import { computeMarket } from '../../jobs/index.js';
import { createTestStore, type TestStore } from '../_setup/store.js';
import { subscribeSse, type SseSubscription } from '../_setup/sse.js';

const T0 = Date.UTC(2024, 4, 1) * 1000;
const API_KEY = 'subscriptions-test-key-0123';

/** `minutes` of synthetic trades from minute `from` on (µs timestamps); `late` ones (other ids, 2 s later) arrive after the first. */
function trades(market: string, from: number, minutes: number, late = false): CanonicalEvent[] {
  const out: CanonicalEvent[] = [];
  for (let s = from * 60; s < (from + minutes) * 60; s += 5) {
    const p = 60000 * (1 + Math.sin(s / 3000) * 0.002);
    out.push({ kind: 'trade', market, ts: T0 + (s + (late ? 2 : 0)) * 1e6, tradeId: late ? `late-${s}` : String(s), price: p.toFixed(1), qty: ((s % 17) / 10 + (late ? 5 : 0.1)).toFixed(3), side: s % 3 === 0 ? 'sell' : 'buy' });
  }
  return out;
}

/** A store whose every query (Kysely, raw SQL included) is counted: what the API asks Postgres. */
function countingStore(store: Store): { store: Store; queries(): number } {
  let n = 0;
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      n++;
      return args.node;
    },
    transformResult: (args) => Promise.resolve(args.result),
  };
  return { store: { ...store, db: store.db.withPlugin(plugin) }, queries: () => n };
}

async function metric(server: RunningServer, name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name) && (l[name.length] === ' ' || l[name.length] === '{'))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const q = (market: string, extra = '') => `subscription { clustersUpdated(market: "${market}"${extra}) { market at clusters { side notional } } }`;

describe('subscriptions: one poller per market, fanned out, capped per client and in all', () => {
  let t: TestStore;
  let counted: ReturnType<typeof countingStore>;
  let server: RunningServer;
  beforeAll(async () => {
    t = await createTestStore();
    for (const m of ['binance:SUBA', 'binance:SUBB']) {
      await new BatchWriter(t.store).write({ events: trades(m, 0, 120) });
      await computeMarket(t.store, { market: m });
    }
    counted = countingStore(t.store);
    const config = parseConfig({ HOST: '127.0.0.1', API_KEY, LIQMAP_MAX_SUBSCRIPTIONS_PER_CLIENT: '500', LIQMAP_MAX_SUBSCRIPTIONS: '1000' });
    server = await startServer({ store: counted.store, config, logger: silentLogger }, { port: 0 });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await t?.drop();
  });

  /** Over `ms`: queries the API sends to Postgres per second, and the pollers' reads (their metric). */
  const measure = async (ms: number) => {
    const [q0, p0] = [counted.queries(), await metric(server, 'liqmap_api_subscription_polls_total')];
    await sleep(ms);
    const [q1, p1] = [counted.queries(), await metric(server, 'liqmap_api_subscription_polls_total')];
    return { queriesPerSecond: ((q1 - q0) * 1000) / ms, polls: p1 - p0, queriesPerPoll: (q1 - q0) / Math.max(1, p1 - p0) };
  };

  it('polls the database at a rate that does not grow with subscribers, and every subscriber gets the updates', async () => {
    const first = await subscribeSse(server.url, q('binance:SUBA'));
    expect(first.status).toBe(200);
    const r0 = await first.result(0);
    expect(r0.data.clustersUpdated.at).toBe(new Date(T0 / 1000 + 119 * 60_000).toISOString());
    await sleep(1200);
    const one = await measure(4000);
    expect(one.polls).toBeGreaterThanOrEqual(3);

    // 299 more on the same market (in several filters), from several addresses.
    const heapOpening = process.memoryUsage().heapUsed;
    const many: SseSubscription[] = [first];
    for (let i = 1; i < 300; i++) many.push(await subscribeSse(server.url, q('binance:SUBA', i % 2 ? ', side: LONG, limit: 2' : ''), { localAddress: `127.0.0.${1 + (i % 5)}` }));
    await Promise.all(many.map((s) => s.result(0)));
    expect(await metric(server, 'liqmap_api_subscriptions')).toBe(300);
    // Memory per subscriber, client and server sides together (and garbage not yet collected): small.
    const perSubscriber = (process.memoryUsage().heapUsed - heapOpening) / 299;
    process.stdout.write(`heap per subscriber (both sides, with garbage): ${(perSubscriber / 1024).toFixed(0)} KB\n`);
    expect(perSubscriber).toBeLessThan(256 * 1024);
    expect(await metric(server, 'liqmap_api_subscription_pollers')).toBe(1);
    const heapBefore = process.memoryUsage().heapUsed;
    await sleep(1200);
    const three = await measure(4000);
    process.stdout.write(`queries/s: 1 subscriber ${one.queriesPerSecond}, 300 subscribers ${three.queriesPerSecond}; heap +${((process.memoryUsage().heapUsed - heapBefore) / 2 ** 20).toFixed(1)} MB\n`);
    // The same polling for 300 as for 1: one read a second for the market, the same queries per
    // read, nothing else (the old code made ~5 queries per subscriber per second).
    expect(three.polls).toBeGreaterThanOrEqual(3);
    expect(three.polls).toBeLessThanOrEqual(6);
    expect(three.queriesPerPoll).toBeLessThanOrEqual(one.queriesPerPoll + 1);
    expect(three.queriesPerSecond).toBeLessThanOrEqual(10);
    // A subscriber holds one reference to the shared snapshot: no per-subscriber growth while idle.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(20 * 2 ** 20);
    // Each subscriber filters the shared snapshot itself.
    const longOnly = many[1]!.results[0]!.data.clustersUpdated;
    expect(longOnly.clusters.length).toBeLessThanOrEqual(2);
    expect(longOnly.clusters.every((c: { side: string }) => c.side === 'LONG')).toBe(true);

    // A second market: its own poller. New data computed: every subscriber of A gets it once.
    const other = await subscribeSse(server.url, q('binance:SUBB'));
    await other.result(0);
    expect(await metric(server, 'liqmap_api_subscription_pollers')).toBe(2);
    await new BatchWriter(t.store).write({ events: trades('binance:SUBA', 120, 30) });
    await computeMarket(t.store, { market: 'binance:SUBA' });
    // The newest bucket is committed as a chunk of its own: a poll between the two commits sends 148 first.
    const newest = new Date(T0 / 1000 + 149 * 60_000).toISOString();
    const next = await Promise.all(many.map(async (s) => { let i = 1; while ((await s.result(i, 15_000)).data.clustersUpdated.at !== newest) i++; return s.results.slice(1, i + 1); }));
    for (const got of next) expect(got.map((r) => r.data.clustersUpdated.at)).toEqual([...got.slice(0, -1).map(() => new Date(T0 / 1000 + 148 * 60_000).toISOString()), newest]);
    expect(other.results).toHaveLength(1);

    // Leaving stops the pollers: no subscriber, no polling.
    for (const s of [...many, other]) s.close();
    await sleep(1500);
    expect(await metric(server, 'liqmap_api_subscriptions')).toBe(0);
    expect(await metric(server, 'liqmap_api_subscription_pollers')).toBe(0);
    const idle = await metric(server, 'liqmap_api_subscription_polls_total');
    expect((await measure(2500)).queriesPerSecond).toBe(0);
    expect(await metric(server, 'liqmap_api_subscription_polls_total')).toBe(idle);
  }, 120_000);

  it('says from which bucket results changed: a late batch recomputing older buckets, then new buckets', async () => {
    const m = 'binance:SUBC';
    const minute = (n: number) => new Date(T0 / 1000 + n * 60_000).toISOString();
    await new BatchWriter(t.store).write({ events: trades(m, 0, 120) });
    await computeMarket(t.store, { market: m });
    const sub = await subscribeSse(server.url, `subscription { clustersUpdated(market: "${m}") { at changedFrom } }`);
    try {
      // The feed's first message: nothing before it to compare with, the newest bucket.
      expect((await sub.result(0)).data.clustersUpdated).toEqual({ at: minute(119), changedFrom: minute(119) });
      /** The messages after the `n`th until one at `at`: the earliest changedFrom among them. */
      const until = async (n: number, at: string) => {
        let i = n;
        while ((await sub.result(i + 1, 15_000)).data.clustersUpdated.at !== at) i++;
        const got = sub.results.slice(n + 1, i + 2).map((r) => r.data.clustersUpdated as { at: string; changedFrom: string | null });
        for (const g of got) if (g.changedFrom !== null) expect(Date.parse(g.changedFrom)).toBeLessThanOrEqual(Date.parse(g.at));
        return { next: i + 1, earliest: got.map((g) => g.changedFrom).filter((c) => c !== null).sort()[0] };
      };
      // Late trades in minutes 60-64: rolled back to the checkpoint before them (thinned to a few a
      // day: here the start) and recomputed; `at` stays 119, changedFrom is the first rewritten bucket.
      await new BatchWriter(t.store).write({ events: trades(m, 60, 5, true) });
      await computeMarket(t.store, { market: m });
      const late = await until(0, minute(119));
      const rewritten = await sql<{ t: Date }>`select min(t) as t from heatmap_rows where market_id = ${m}
        and data_version = (select max(data_version) from heatmap_rows where market_id = ${m})`.execute(t.store.db);
      expect(late.earliest).toBe(rewritten.rows[0]!.t.toISOString());
      expect(Date.parse(late.earliest!)).toBeLessThanOrEqual(Date.parse(minute(60)));
      // New minutes only: changed from the first new bucket on.
      await new BatchWriter(t.store).write({ events: trades(m, 120, 10) });
      await computeMarket(t.store, { market: m });
      expect((await until(late.next, minute(129))).earliest).toBe(minute(120));
      // The clusters query has no previous message: null.
      const q1 = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ clusters(market: "${m}") { at changedFrom } }` }) });
      expect(((await q1.json()) as { data: { clusters: { changedFrom: null } } }).data.clusters.changedFrom).toBeNull();
    } finally {
      sub.close();
    }
  }, 60_000);

  it('refuses beyond the per-client and the total caps with TOO_MANY_SUBSCRIPTIONS, and frees a slot when a client leaves', async () => {
    const config = parseConfig({ HOST: '127.0.0.1', API_KEY, LIQMAP_MAX_SUBSCRIPTIONS_PER_CLIENT: '3', LIQMAP_MAX_SUBSCRIPTIONS: '5' });
    const capped = await startServer({ store: t.store, config, logger: silentLogger }, { port: 0 });
    const open: SseSubscription[] = [];
    try {
      for (let i = 0; i < 3; i++) open.push(await subscribeSse(capped.url, q('binance:SUBA')));
      await Promise.all(open.map((s) => s.result(0)));
      const refused = await subscribeSse(capped.url, q('binance:SUBA'));
      const err = (await refused.result(0)).errors[0];
      expect(err.extensions).toMatchObject({ code: 'TOO_MANY_SUBSCRIPTIONS', scope: 'per_client', limit: 3 });
      expect(err.message).toMatch(/this client \(127\.0\.0\.1\) already holds 3 open subscriptions.*LIQMAP_MAX_SUBSCRIPTIONS_PER_CLIENT=3/);
      await refused.end();
      // Another address is another client; the API key is a client of its own.
      open.push(await subscribeSse(capped.url, q('binance:SUBB'), { localAddress: '127.0.0.9' }));
      open.push(await subscribeSse(capped.url, q('binance:SUBB'), { headers: { authorization: `Bearer ${API_KEY}` } }));
      await Promise.all(open.map((s) => s.result(0)));
      const full = await subscribeSse(capped.url, q('binance:SUBA'), { localAddress: '127.0.0.10' });
      const totalErr = (await full.result(0)).errors[0];
      expect(totalErr.extensions).toMatchObject({ code: 'TOO_MANY_SUBSCRIPTIONS', scope: 'total', limit: 5 });
      expect(totalErr.message).toMatch(/LIQMAP_MAX_SUBSCRIPTIONS=5/);
      // Refusals, unknown markets and bad arguments hold no slot; a client that leaves frees one.
      const unknown = await subscribeSse(capped.url, q('binance:NOPE'), { localAddress: '127.0.0.10' });
      expect((await unknown.result(0)).errors[0].extensions.code).toBe('TOO_MANY_SUBSCRIPTIONS');
      open.shift()!.close();
      await sleep(300);
      const again = await subscribeSse(capped.url, q('binance:SUBA'));
      expect((await again.result(0)).data.clustersUpdated.market).toBe('binance:SUBA');
      open.push(again);
      expect(await metric(capped, 'liqmap_api_subscriptions_refused_total')).toBe(3);
      for (const s of open.splice(0)) s.close();
      await sleep(300);
      const bad = await subscribeSse(capped.url, q('binance:NOPE'));
      expect((await bad.result(0)).errors[0].extensions.code).toBe('NOT_FOUND');
      const badLimit = await subscribeSse(capped.url, q('binance:SUBA', ', limit: 99'));
      expect((await badLimit.result(0)).errors[0].extensions.code).toBe('BAD_USER_INPUT');
      // Over plain JSON a stream would stay open with nobody reading it (yoga: 406): refused, no slot.
      for (let i = 0; i < 4; i++) {
        const json = await fetch(`${capped.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ query: q('binance:SUBA') }) });
        expect(((await json.json()) as { errors: { extensions: { code: string }; message: string }[] }).errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(/Accept: text\/event-stream/) });
      }
      await sleep(200);
      expect(await metric(capped, 'liqmap_api_subscriptions')).toBe(0);
      expect(await metric(capped, 'liqmap_api_subscription_pollers')).toBe(0);
    } finally {
      for (const s of open) s.close();
      await capped.close();
    }
  }, 60_000);
});
