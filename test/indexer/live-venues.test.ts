import { Decimal } from 'decimal.js';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../base/index.js';
import type { Store } from '../../db/index.js';
import { exponentialBackoff, parseLiveMarkets, startLiveIndexer } from '../../indexer/live/index.js';
import { createTestStore, type TestStore } from '../_setup/store.js';
import { startTestApi } from '../_setup/api.js';
import { startReplayServer, type Fault, type ReplayServer } from '../_fixtures/live/replay-server.js';
import { bybitBehaviour, bybitRateAt, bybitReplay, hyperliquidBehaviour, hyperliquidRateAt, hyperliquidReplay, okxBehaviour, okxRateAt, okxReplay, type VenueReplay } from '../_fixtures/live/venues.js';
import { count, liveConfig, storedRows, storedTrades, waitFor } from '../_fixtures/live/compare.js';

const backoff = exponentialBackoff({ baseMs: 20, maxMs: 200 });

/** The frame index where `fraction` of the trades have been published. */
function frameAtTrade(r: VenueReplay, fraction: number): number {
  return r.frameOfTrade.get(r.trades[Math.floor(r.trades.length * fraction)]!.id)!;
}

/** Frames spanning `trades` trades from frame `from`. */
function framesForTrades(r: VenueReplay, from: number, trades: number): number {
  const first = [...r.tradeFrames.keys()].find((k) => k >= from)!;
  const startTrade = r.tradeFrames.get(first)![0]!;
  const endIdx = r.trades.findIndex((t) => t.id === startTrade.id) + trades;
  return r.frameOfTrade.get(r.trades[Math.min(endIdx, r.trades.length - 1)]!.id)! - from;
}

const norm = (q: string) => new Decimal(q).toFixed();

/** Stored trade keys as `ts|price|qty|side` for venue ids mapped by `idOf`. */
function truthKeys(r: VenueReplay, idOf: (id: number) => string, only?: (id: number) => boolean, qtyOf: (q: string) => string = (q) => q): string[] {
  return r.trades.filter((t) => !only || only(t.id)).map((t) => `${t.ts * 1000}|${idOf(t.id)}|${t.price}|${qtyOf(t.qty)}|${t.side}`).sort();
}

async function gapsOf(store: Store, market: string, stream: string) {
  const r = await sql<{ from_us: string; to_us: string; reason: string }>`select (extract(epoch from from_ts) * 1000000)::bigint::text as from_us, (extract(epoch from to_ts) * 1000000)::bigint::text as to_us, reason from live_gaps where market_id = ${market} and stream = ${stream} order by from_ts`.execute(store.db);
  return r.rows.map((g) => ({ fromUs: Number(g.from_us), toUs: Number(g.to_us), reason: g.reason }));
}

/** Runs a feed over the whole replay: done when everything sent is stored, the feed caught up and its buffer committed. */
async function run(store: Store, market: string, server: ReplayServer, venue: 'bybit' | 'okx' | 'hyperliquid', atLeast: () => number) {
  const live = await startLiveIndexer({ store, config: liveConfig({ [venue]: server }), logger: silentLogger, markets: parseLiveMarkets([market]), pollIntervalMs: 0, flushMs: 50, backoff });
  try {
    await server.finished();
    await waitFor(`${market}: trades stored`, async () => live.ready() && live.status()[0]!.buffered === 0 && (await count(store, 'trades', market)) >= atLeast()).catch(async (e: Error) => {
      throw new Error(`${e.message}: ${JSON.stringify(live.status())} stored ${await count(store, 'trades', market)} of ${atLeast()}`);
    });
  } finally {
    await live.stop();
  }
}

describe('live Bybit, OKX and Hyperliquid feeds against local servers speaking their formats (real Postgres)', () => {
  const stores: TestStore[] = [];
  afterAll(async () => {
    for (const s of stores) await s.drop();
  });
  const newStore = async () => {
    const s = await createTestStore();
    stores.push(s);
    return s.store;
  };

  it('Bybit: a disconnect across a funding time stores the settled rate from /v5/market/funding/history, not the rate seen before the hole; the marks missed are a recorded gap', async () => {
    const fundingMs = Date.UTC(2026, 10, 30, 16);
    const r = bybitReplay('BTCUSDT', 1000, fundingMs - 90_000);
    const cut = r.frames.findIndex((f) => f.tsMs >= fundingMs - 8000);
    const resume = r.frames.findIndex((f) => f.tsMs >= fundingMs + 5000);
    const server = await startReplayServer({ frames: r.frames, venue: bybitBehaviour(r, 'BTCUSDT', new Set()), faults: [{ at: cut, kind: 'disconnect', lost: resume - cut }] });
    const store = await newStore();
    const M = 'bybit:BTCUSDT';
    await run(store, M, server, 'bybit', () => r.trades.length);
    expect(await storedTrades(store, M)).toEqual(truthKeys(r, (id) => `b${id}-5b31-9112-a178eb6023af`));
    // Settled: the rate of the second before the funding time, which had moved on since the cut.
    const settled = bybitRateAt(fundingMs / 1000 - 1);
    expect(bybitRateAt(Math.floor(r.frames[cut - 1]!.tsMs / 1000))).not.toBe(settled);
    expect(await storedRows(store, 'funding_rates', M)).toEqual([`${fundingMs * 1000}|${settled}|`]);
    const gaps = await gapsOf(store, M, 'mark_prices');
    expect(gaps).toHaveLength(1);
    expect(gaps[0]!.reason).toMatch(/^disconnected .*bybit has no REST history of mark_prices$/);
    expect(gaps[0]!.fromUs).toBeLessThan((fundingMs - 7000) * 1000);
    // Closed by the snapshot a new tickers subscription starts with (the last ticker published).
    expect(gaps[0]!.toUs).toBeGreaterThan((fundingMs + 3000) * 1000);
  }, 60_000);

  it('Bybit: ticker deltas merge into the snapshot, allLiquidation S is the position side, REST fills a short outage, a long one is a recorded gap', async () => {
    const r = bybitReplay('BTCUSDT', 4000);
    const served = new Set<number>();
    const malformed = '{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[{"T":"soon","s":"BTCUSDT"}]}';
    const short = frameAtTrade(r, 0.25);
    const long = frameAtTrade(r, 0.5);
    const faults: Fault[] = [
      { at: frameAtTrade(r, 0.1), kind: 'duplicate' },
      { at: frameAtTrade(r, 0.15), kind: 'swap' },
      { at: frameAtTrade(r, 0.2), kind: 'malformed', text: malformed },
      { at: short, kind: 'disconnect', lost: framesForTrades(r, short, 300) },
      { at: long, kind: 'disconnect', lost: framesForTrades(r, long, 1500) },
    ];
    const server = await startReplayServer({ frames: r.frames, venue: bybitBehaviour(r, 'BTCUSDT', served), faults });
    const store = await newStore();
    const M = 'bybit:BTCUSDT';
    const sentIds = () => new Set([...server.sent].flatMap((i) => (r.tradeFrames.get(i) ?? []).map((t) => t.id)));
    await run(store, M, server, 'bybit', () => sentIds().size);
    try {
      const stored = await storedTrades(store, M);
      const all = truthKeys(r, (id) => `b${id}-5b31-9112-a178eb6023af`);
      // Nothing invented or duplicated; everything sent is stored.
      expect(new Set(stored).size).toBe(stored.length);
      for (const k of stored) expect(all).toContain(k);
      const sent = sentIds();
      const storedSet = new Set(stored);
      for (const k of truthKeys(r, (id) => `b${id}-5b31-9112-a178eb6023af`, (id) => sent.has(id))) expect(storedSet.has(k)).toBe(true);
      // The short outage was filled from REST; the long one left a recorded trade gap holding every missing trade.
      const gaps = await gapsOf(store, M, 'trades');
      expect(gaps).toHaveLength(1);
      expect(gaps[0]!.reason).toMatch(/only the last 1000 trades/);
      const missing = r.trades.filter((t) => !storedSet.has(`${t.ts * 1000}|b${t.id}-5b31-9112-a178eb6023af|${t.price}|${t.qty}|${t.side}`));
      // The 1,500 trades of the outage, less the newest 1,000 published when REST was asked.
      expect(missing.length).toBeGreaterThan(0);
      expect(missing.length).toBeLessThan(1500);
      for (const t of missing) expect(t.ts * 1000 >= gaps[0]!.fromUs && t.ts * 1000 <= gaps[0]!.toUs).toBe(true);
      expect(await gapsOf(store, M, 'liquidations')).toHaveLength(2);
      // Liquidations: S "Buy" (a long) is stored as a forced sell; each sent one once.
      const liqs = [...server.sent].flatMap((i) => r.liquidationFrames.get(i) ?? []).map((l) => `${l.ts * 1000}|${l.side}:${l.price}:${l.qty}#0|${l.side}|${l.price}|${l.qty}||false`).sort();
      expect(liqs.length).toBeGreaterThan(10);
      expect((await storedRows(store, 'liquidations', M)).sort()).toEqual(liqs);
      // Ticker deltas carry no index price: a stored mark has it only because the delta was merged into the snapshot.
      const marks = await store.db.selectFrom('mark_prices').select(['mark_price', 'index_price', 'funding_rate']).where('market_id', '=', M).execute();
      expect(marks.length).toBeGreaterThan(100);
      for (const m of marks) {
        expect(Number(m.mark_price)).toBeGreaterThan(1000);
        expect(m.index_price).not.toBeNull();
        expect(m.funding_rate).not.toBeNull();
      }
      expect(await count(store, 'open_interest', M)).toBeGreaterThan(20);
      const q = await store.db.selectFrom('quarantine').select(['file', 'raw']).execute();
      expect(q).toEqual([{ file: 'bybit publicTrade.BTCUSDT', raw: malformed }]);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('OKX: a disconnect across a funding time stores the realized rate from funding-rate-history, not the rate pushed before the hole; the marks missed are a recorded gap', async () => {
    const fundingMs = Date.UTC(2026, 10, 30, 16);
    const r = okxReplay('BTC-USDT-SWAP', 800, fundingMs - 75_000);
    const cut = r.frames.findIndex((f) => f.tsMs >= fundingMs - 40_000);
    const resume = r.frames.findIndex((f) => f.tsMs >= fundingMs + 40_000);
    const server = await startReplayServer({ frames: r.frames, venue: okxBehaviour(r, 'BTC-USDT-SWAP', new Set()), faults: [{ at: cut, kind: 'disconnect', lost: resume - cut }] });
    const store = await newStore();
    const M = 'okx:BTC-USDT-SWAP';
    await run(store, M, server, 'okx', () => r.trades.length);
    expect(await storedTrades(store, M)).toEqual(truthKeys(r, String, undefined, norm));
    // Settled: the rate pushed 30 s before the funding time; the last one seen before the cut is older.
    const settled = okxRateAt(fundingMs / 1000 - 30);
    expect(okxRateAt(fundingMs / 1000 - 60)).not.toBe(settled);
    expect(await storedRows(store, 'funding_rates', M)).toEqual([`${fundingMs * 1000}|${settled}|`]);
    const gaps = await gapsOf(store, M, 'mark_prices');
    expect(gaps).toHaveLength(1);
    expect(gaps[0]!.reason).toMatch(/^disconnected .*okx has no REST history of mark_prices$/);
    expect(gaps[0]!.fromUs).toBeLessThan((fundingMs - 40_000) * 1000);
    expect(gaps[0]!.toUs).toBeGreaterThanOrEqual((fundingMs + 40_000) * 1000);
  }, 60_000);

  it('OKX: contracts converted with ctVal, REST and history pages fill both outages exactly, other swaps’ liquidations ignored', async () => {
    const r = okxReplay('BTC-USDT-SWAP', 3000);
    const served = new Set<number>();
    const a = frameAtTrade(r, 0.2);
    const b = frameAtTrade(r, 0.5);
    const server = await startReplayServer({
      frames: r.frames,
      venue: okxBehaviour(r, 'BTC-USDT-SWAP', served),
      faults: [
        { at: frameAtTrade(r, 0.1), kind: 'duplicate' },
        { at: a, kind: 'disconnect', lost: framesForTrades(r, a, 300) },
        { at: b, kind: 'close', code: 4004, reason: 'no data received in 30s', lost: framesForTrades(r, b, 1200) },
      ],
    });
    const store = await newStore();
    const M = 'okx:BTC-USDT-SWAP';
    await run(store, M, server, 'okx', () => r.trades.length);
    try {
      expect(await storedTrades(store, M)).toEqual(truthKeys(r, String, undefined, norm));
      expect(server.restCalls.get('/api/v5/market/history-trades')).toBeGreaterThan(5);
      expect(await gapsOf(store, M, 'trades')).toEqual([]);
      const liqs = [...server.sent].flatMap((i) => r.liquidationFrames.get(i) ?? []).map((l) => `${l.ts * 1000}|${l.side}:${l.price}:${l.qty}#0|${l.side}|${l.price}|${norm(l.qty)}||true`).sort();
      expect(liqs.length).toBeGreaterThan(5);
      expect((await storedRows(store, 'liquidations', M)).sort()).toEqual(liqs);
      expect(await count(store, 'liquidations')).toBe(liqs.length);
      const oi = await store.db.selectFrom('open_interest').select(['oi_qty']).where('market_id', '=', M).execute();
      expect(oi.length).toBeGreaterThan(10);
      for (const o of oi) expect(Number(o.oi_qty)).toBeGreaterThan(20_000 - 1);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('OKX: connections cut while still subscribing (before their catch-up began) are each backfilled from the trade before the hole', async () => {
    // The client waits between subscribe frames before it counts a connection open; a server
    // that streams at once and cuts within that wait (twice) leaves the trades of both
    // connections held together, with a hole before each, and no stored trade to start from.
    const r = okxReplay('BTC-USDT-SWAP', 900);
    const first = frameAtTrade(r, 0.02);
    const second = frameAtTrade(r, 0.3);
    const server = await startReplayServer({
      frames: r.frames,
      venue: { ...okxBehaviour(r, 'BTC-USDT-SWAP', new Set()), streamsOnConnect: true },
      faults: [
        { at: first, kind: 'disconnect', lost: frameAtTrade(r, 0.25) - first },
        { at: second, kind: 'disconnect', lost: frameAtTrade(r, 0.55) - second },
      ],
    });
    const store = await newStore();
    const M = 'okx:BTC-USDT-SWAP';
    await run(store, M, server, 'okx', () => r.trades.length);
    try {
      expect(await storedTrades(store, M)).toEqual(truthKeys(r, String, undefined, norm));
      expect(await gapsOf(store, M, 'trades')).toEqual([]);
      expect(server.connections()).toBe(3);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('Hyperliquid: a disconnect across an hourly funding time stores the rate from fundingHistory (POST /info), not the one pushed before the hole', async () => {
    const fundingMs = Date.UTC(2026, 10, 30, 17);
    const r = hyperliquidReplay('BTC', 600, fundingMs - 60_000);
    const cut = r.frames.findIndex((f) => f.tsMs >= fundingMs - 20_000);
    const resume = r.frames.findIndex((f) => f.tsMs >= fundingMs + 20_000);
    const server = await startReplayServer({ frames: r.frames, venue: hyperliquidBehaviour(r), faults: [{ at: cut, kind: 'disconnect', lost: resume - cut }] });
    const store = await newStore();
    const M = 'hyperliquid:BTC';
    // The asset context carries no time: stamped by a receive clock that follows the replay (the
    // newest frame sent; frames published into the hole are never sent).
    const now = () => r.frames[Math.max(0, ...server.sent)]!.tsMs;
    const live = await startLiveIndexer({ store, config: liveConfig({ hyperliquid: server }), logger: silentLogger, markets: parseLiveMarkets([M]), pollIntervalMs: 0, flushMs: 50, backoff, now });
    try {
      await server.finished();
      const sent = new Set([...server.sent].flatMap((i) => (r.tradeFrames.get(i) ?? []).map((t) => t.id)));
      await waitFor(`${M}: trades stored`, async () => live.ready() && live.status()[0]!.buffered === 0 && (await count(store, 'trades', M)) >= sent.size);
    } finally {
      await live.stop();
      await server.close();
    }
    const settled = hyperliquidRateAt(fundingMs / 1000 - 1);
    expect(hyperliquidRateAt(fundingMs / 1000 - 21)).not.toBe(settled);
    expect(await storedRows(store, 'funding_rates', M)).toEqual([`${fundingMs * 1000}|${settled}|`]);
    expect(server.restCalls.get('/info')).toBeGreaterThan(0);
  }, 60_000);

  it('Hyperliquid: both users of each trade kept; an outage (no public trade history) is a recorded gap with every missing trade inside', async () => {
    const r = hyperliquidReplay('BTC', 2000);
    const at = frameAtTrade(r, 0.4);
    const server = await startReplayServer({ frames: r.frames, venue: hyperliquidBehaviour(), faults: [{ at, kind: 'disconnect', lost: framesForTrades(r, at, 200) }, { at: frameAtTrade(r, 0.6), kind: 'duplicate' }] });
    const store = await newStore();
    const M = 'hyperliquid:BTC';
    const sentIds = () => new Set([...server.sent].flatMap((i) => (r.tradeFrames.get(i) ?? []).map((t) => t.id)));
    await run(store, M, server, 'hyperliquid', () => sentIds().size);
    try {
      const sent = sentIds();
      expect(await storedTrades(store, M)).toEqual(truthKeys(r, String, (id) => sent.has(id)));
      const gaps = await gapsOf(store, M, 'trades');
      expect(gaps).toHaveLength(1);
      expect(gaps[0]!.reason).toMatch(/no public trade history/);
      const missing = r.trades.filter((t) => !sent.has(t.id));
      expect(missing.length).toBeGreaterThan(150);
      for (const t of missing) expect(t.ts * 1000 >= gaps[0]!.fromUs && t.ts * 1000 <= gaps[0]!.toUs).toBe(true);
      const parties = await store.db.selectFrom('trade_parties').select(['trade_id', 'buyer', 'seller']).where('market_id', '=', M).orderBy('trade_id').execute();
      expect(parties).toHaveLength(sent.size);
      expect(parties[0]).toEqual({ trade_id: String(r.trades.find((t) => sent.has(t.id))!.id), buyer: expect.stringMatching(/^0xbuyer/), seller: expect.stringMatching(/^0xseller/) });
      // …and `_meta` says so.
      const api = await startTestApi(store);
      try {
        const meta = await api.gql<{ _meta: { gaps: { market: string; stream: string; from: string; to: string; reason: string }[] } }>('{ _meta { gaps { market stream from to reason } } }');
        expect(meta.data!._meta.gaps).toEqual([{ market: M, stream: 'trades', from: new Date(gaps[0]!.fromUs / 1000).toISOString(), to: new Date(gaps[0]!.toUs / 1000).toISOString(), reason: gaps[0]!.reason }]);
      } finally {
        await api.close();
      }
      // Asset contexts carry no time: stamped on receipt (a fast replay puts several in one millisecond).
      expect(await count(store, 'mark_prices', M)).toBeGreaterThan(10);
      expect(await count(store, 'open_interest', M)).toBeGreaterThan(10);
    } finally {
      await server.close();
    }
  }, 60_000);
});
