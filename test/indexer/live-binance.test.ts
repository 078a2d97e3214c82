import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../base/index.js';
import type { Store } from '../../db/index.js';
import { ingestPaths } from '../../indexer/index.js';
import { parseLiveMarkets, startLiveIndexer, exponentialBackoff } from '../../indexer/live/index.js';
import { computeMarket, createInProcessRunner } from '../../jobs/index.js';
import { createTestStore, SHARED_DATA, type TestStore } from '../_setup/store.js';
import { binanceBehaviour, binanceReplayFromCapture, type BinanceReplay } from '../_fixtures/live/binance.js';
import { startReplayServer, type Fault } from '../_fixtures/live/replay-server.js';
import { count, heatmapOf, liveConfig, storedRows, storedTrades, waitFor } from '../_fixtures/live/compare.js';

const CAPTURE = SHARED_DATA ? path.join(SHARED_DATA, 'binance-usdm-btcusdt-ws-2024-08-08.jsonl.gz') : null;
const MARKET = 'binance:BTCUSDT';
const fastBackoff = exponentialBackoff({ baseMs: 20, maxMs: 200 });

/** The truth a history file of the replayed period holds, as the stored rows print it. */
function expectedTrades(replay: BinanceReplay): string[] {
  return replay.aggTrades.map((t) => `${t.T * 1000}|agg:${t.a}|${t.p}|${t.q}|${t.m ? 'sell' : 'buy'}`).sort();
}

/** The same, for a replay cut after its first `frames` frames. */
function expectedTradesOfFirst(replay: BinanceReplay, frames: number): string[] {
  const ids = new Set<number>();
  for (const [a, idx] of replay.aggFrame) if (idx < frames) ids.add(a);
  return expectedTrades(replay).filter((k) => ids.has(Number(k.split('|')[1]!.slice(4))));
}

function expectedMarks(replay: BinanceReplay, sent: Set<number>): string[] {
  return replay.markFrames
    .filter((i) => sent.has(i))
    .map((i) => {
      const d = (JSON.parse(replay.frames[i]!.text) as { data: { E: number; p: string; i: string; r: string } }).data;
      return `${d.E * 1000}|${d.p}|${d.i}|${d.r}`;
    });
}

function expectedLiquidations(replay: BinanceReplay, sent: Set<number>): string[] {
  return replay.forceFrames
    .filter((i) => sent.has(i))
    .map((i) => {
      const o = replay.forceOrders.get(i)!;
      const side = o.S === 'BUY' ? 'buy' : 'sell';
      return `${o.T * 1000}|${side}:${o.ap}:${o.q}#0|${side}|${o.ap}|${o.q}||true`;
    })
    .sort();
}

/** Canonical sort of `ts|…` keys as the database orders them (numeric ts, then text). */
const sortRows = (rows: string[]) => [...rows].sort();

describe.skipIf(!CAPTURE)('live Binance feed against a local replay of the real capture (real Postgres)', () => {
  let replay: BinanceReplay;
  const stores: TestStore[] = [];
  const tmp = mkdtempSync(path.join(tmpdir(), 'liqmap-live-'));
  beforeAll(() => {
    replay = binanceReplayFromCapture(CAPTURE!);
  });
  afterAll(async () => {
    for (const s of stores) await s.drop();
  });
  const newStore = async () => {
    const s = await createTestStore();
    stores.push(s);
    return s.store;
  };

  it('loses and duplicates nothing through dropped, duplicate, swapped and malformed frames, a cut socket, a forced close and REST errors; the live heatmap equals the file one', async () => {
    const n = replay.frames.length;
    const malformed = '{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1,"a":"x","s":"BTCUSDT"}}';
    const faults: Fault[] = [
      { at: Math.floor(n * 0.05), kind: 'drop' },
      { at: Math.floor(n * 0.08), kind: 'drop' },
      { at: Math.floor(n * 0.1), kind: 'duplicate' },
      { at: Math.floor(n * 0.12), kind: 'swap' },
      { at: Math.floor(n * 0.14), kind: 'malformed', text: malformed },
      { at: Math.floor(n * 0.18), kind: 'disconnect', lost: Math.floor(n * 0.06) },
      { at: Math.floor(n * 0.6), kind: 'close', code: 1000, reason: 'connection open for 24 hours', lost: Math.floor(n * 0.02) },
    ];
    const server = await startReplayServer({ frames: replay.frames, venue: binanceBehaviour(replay), faults, restFailures: 2 });
    const store = await newStore();
    const runner = createInProcessRunner(store, silentLogger, true);
    const live = await startLiveIndexer({
      store,
      config: liveConfig({ binance: server }),
      logger: silentLogger,
      markets: parseLiveMarkets([MARKET]),
      onBatch: (r) => runner.onIngested(r),
      pollIntervalMs: 0,
      flushMs: 100,
      batchRows: 2000,
      backoff: fastBackoff,
    });
    try {
      await server.finished();
      const truth = expectedTrades(replay);
      await waitFor('every trade stored', async () => (await count(store, 'trades', MARKET)) >= truth.length && live.ready());
      await live.stop();
      expect(server.connections()).toBe(3);
      expect(server.sent.size).toBeLessThan(n);

      // Trades: exactly the history (count and content), holes filled from REST.
      expect(await storedTrades(store, MARKET)).toEqual(truth);
      // Streams without REST history: exactly what was sent, each once.
      expect(await storedRows(store, 'mark_prices', MARKET)).toEqual(sortRows(expectedMarks(replay, server.sent)));
      expect(sortRows(await storedRows(store, 'liquidations', MARKET))).toEqual(expectedLiquidations(replay, server.sent));

      // …and each force order that was never sent lies in a recorded gap.
      const gaps = await sql<{ stream: string; from_us: string; to_us: string; reason: string }>`select stream, (extract(epoch from from_ts) * 1000000)::bigint::text as from_us, (extract(epoch from to_ts) * 1000000)::bigint::text as to_us, reason from live_gaps where market_id = ${MARKET} order by from_ts`.execute(store.db);
      // One per disconnect for each stream only the websocket carries: liquidations, mark prices.
      expect(gaps.rows.map((g) => g.stream).sort()).toEqual(['liquidations', 'liquidations', 'mark_prices', 'mark_prices']);
      const liqGaps = gaps.rows.filter((g) => g.stream === 'liquidations');
      expect(liqGaps[0]!.reason).toMatch(/disconnected .*binance has no REST history of liquidations/);
      expect(liqGaps[1]!.reason).toMatch(/24 hours/);
      const lost = replay.forceFrames.filter((i) => !server.sent.has(i));
      expect(lost.length).toBeGreaterThan(0);
      for (const i of lost) {
        const ts = replay.forceOrders.get(i)!.T * 1000;
        expect(liqGaps.some((g) => ts >= Number(g.from_us) && ts <= Number(g.to_us))).toBe(true);
      }
      // The disconnected range's open interest came from the 5-minute history.
      const oiExpected = replay.oiHistory
        .filter((r) => gaps.rows.some((g) => r.timestamp * 1000 >= Number(g.from_us) && r.timestamp * 1000 <= Number(g.to_us)))
        .map((r) => `${r.timestamp * 1000}|${r.sumOpenInterest}|${r.sumOpenInterestValue}`);
      expect(await storedRows(store, 'open_interest', MARKET)).toEqual(oiExpected);

      // The malformed frame is quarantined with venue, stream and raw text.
      const q = await store.db.selectFrom('quarantine').selectAll().execute();
      expect(q.map((r) => [r.source_key, r.file, r.raw])).toEqual([[`live:${MARKET}`, 'binance btcusdt@aggTrade', malformed]]);
      expect(q[0]!.reason).toMatch(/^aggTrade message: /);

      // The heatmap computed live, batch by batch, equals the one computed from a file of the same data.
      await runner.idle?.();
      await runner.close();
      const liveHeatmap = await heatmapOf(store, MARKET);
      expect(liveHeatmap.length).toBeGreaterThan(5);
      const file = path.join(tmp, 'btcusdt-live-truth.jsonl');
      const lines = [
        ...replay.aggTrades.map((t) => JSON.stringify({ stream: 'btcusdt@aggTrade', data: { e: 'aggTrade', E: t.T + 1, a: t.a, s: 'BTCUSDT', p: t.p, q: t.q, f: t.f, l: t.l, T: t.T, m: t.m } })),
        ...[...replay.markFrames, ...replay.forceFrames].filter((i) => server.sent.has(i)).map((i) => replay.frames[i]!.text),
      ];
      writeFileSync(file, `${lines.join('\n')}\n`);
      const metrics = path.join(tmp, 'BTCUSDT-metrics-2024-08-08.csv');
      writeFileSync(metrics, `create_time,symbol,sum_open_interest,sum_open_interest_value,count_toptrader_long_short_ratio,sum_toptrader_long_short_ratio,count_long_short_ratio,sum_taker_long_short_vol_ratio\n${oiExpected.map((r) => {
        const [ts, oi, v] = r.split('|');
        return `${new Date(Number(ts) / 1000).toISOString().replace('T', ' ').slice(0, 19)},BTCUSDT,${oi},${v},1,1,1,1`;
      }).join('\n')}\n`);
      const fileStore = await newStore();
      const s = await ingestPaths(fileStore, [file, metrics]);
      expect(s.failed).toEqual([]);
      expect(await storedTrades(fileStore, MARKET)).toEqual(truth);
      await computeMarket(fileStore, { market: MARKET });
      expect(liveHeatmap).toEqual(await heatmapOf(fileStore, MARKET));
    } finally {
      await live.stop();
      await server.close();
    }
  }, 60_000);

  it('a slow database grows a bounded buffer, then disconnects and backfills instead of dropping', async () => {
    const frames = replay.frames.slice(0, 6000);
    const sub: BinanceReplay = { ...replay, frames };
    const server = await startReplayServer({ frames, venue: binanceBehaviour(sub), lostOnClientClose: 150, burst: 400 });
    const base = await newStore();
    // A real Postgres made slow: every transaction waits before it runs.
    const slow: Store = {
      kind: base.kind,
      schema: base.schema,
      db: base.db,
      close: () => base.close(),
      async rawTransaction(fn) {
        await new Promise((r) => setTimeout(r, 120));
        return base.rawTransaction(fn);
      },
    };
    const maxBuffered = 1500;
    const live = await startLiveIndexer({ store: slow, config: liveConfig({ binance: server }), logger: silentLogger, markets: parseLiveMarkets([MARKET]), pollIntervalMs: 0, flushMs: 50, batchRows: 500, maxBuffered, backoff: fastBackoff });
    let peak = 0;
    const sampler = setInterval(() => {
      const st = live.status()[0]!;
      peak = Math.max(peak, st.buffered);
    }, 5);
    try {
      await server.finished();
      const truth = expectedTradesOfFirst(replay, frames.length);
      await waitFor('every trade stored', async () => (await count(base, 'trades', MARKET)) >= truth.length && live.ready(), 30_000);
      await live.stop();
      expect(server.connections()).toBeGreaterThan(1);
      expect(peak).toBeGreaterThan(maxBuffered / 2);
      // Bounded: the bound plus one REST page (1,000 trades) of the backfill.
      expect(peak).toBeLessThanOrEqual(maxBuffered + 1000 + 10);
      expect(await storedTrades(base, MARKET)).toEqual(truth);
    } finally {
      clearInterval(sampler);
      await live.stop();
      await server.close();
    }
  }, 60_000);

  it('replaces its own connection before the venue would force it closed (a shortened maximum age), opening the new one first: nothing lost, no gap', async () => {
    // The capture's first 80 s at 10x: ~8 s of stream, a connection at most ~1.2 s old.
    const cut = replay.frames.findIndex((f) => f.tsMs >= replay.frames[0]!.tsMs + 80_000);
    const frames = replay.frames.slice(0, cut);
    const sub: BinanceReplay = { ...replay, frames };
    // Were the old connection closed before the new one streams, the venue would publish into the
    // void meanwhile (only REST returns trades; force orders and marks would be gaps).
    const server = await startReplayServer({ frames, venue: binanceBehaviour(sub), speed: 10, lostOnClientClose: 40 });
    const store = await newStore();
    const live = await startLiveIndexer({ store, config: liveConfig({ binance: server }), logger: silentLogger, markets: parseLiveMarkets([MARKET]), pollIntervalMs: 0, flushMs: 50, backoff: fastBackoff, maxConnectionMs: 1200 });
    try {
      await server.finished();
      const truth = expectedTradesOfFirst(replay, frames.length);
      await waitFor('every trade stored', async () => (await count(store, 'trades', MARKET)) >= truth.length && live.ready(), 30_000);
      await live.stop();
      // The server never closed a connection: every one after the first is the feed's own.
      expect(server.connections()).toBeGreaterThanOrEqual(4);
      expect(server.sent.size).toBe(frames.length);
      expect(await storedTrades(store, MARKET)).toEqual(truth);
      expect(await storedRows(store, 'mark_prices', MARKET)).toEqual(sortRows(expectedMarks(sub, server.sent)));
      const force = sub.forceFrames.filter((i) => i < frames.length);
      expect(force.length).toBeGreaterThan(0);
      expect(sortRows(await storedRows(store, 'liquidations', MARKET))).toEqual(expectedLiquidations(sub, new Set(force)));
      expect(await count(store, 'live_gaps', MARKET)).toBe(0);
    } finally {
      await live.stop();
      await server.close();
    }
  }, 60_000);

  it('a disconnect across a funding time: the settled rate comes from REST funding history, not the rate seen before the hole; the marks missed are a recorded gap', async () => {
    // The capture ends 0.4 s before the 00:00 UTC funding time: 20 s more of trades carry it past.
    const ext = binanceReplayFromCapture(CAPTURE!, { extendMs: 20_000 });
    const fundingMs = Math.ceil(ext.frames[0]!.tsMs / 28_800_000) * 28_800_000;
    const markAt = (sec: number) => ext.markFrames.find((i) => ext.frames[i]!.tsMs === sec * 1000)!;
    const cutAt = markAt(fundingMs / 1000 - 8);
    const resumeAt = markAt(fundingMs / 1000 + 5);
    const server = await startReplayServer({ frames: ext.frames, venue: binanceBehaviour(ext), faults: [{ at: cutAt, kind: 'disconnect', lost: resumeAt - cutAt }] });
    const store = await newStore();
    const live = await startLiveIndexer({ store, config: liveConfig({ binance: server }), logger: silentLogger, markets: parseLiveMarkets([MARKET]), pollIntervalMs: 0, flushMs: 50, backoff: fastBackoff });
    try {
      await server.finished();
      const truth = expectedTrades(ext);
      await waitFor('every trade stored', async () => (await count(store, 'trades', MARKET)) >= truth.length && live.ready());
      await live.stop();
      expect(server.connections()).toBe(2);
      expect(await storedTrades(store, MARKET)).toEqual(truth);
      // The settled print: the rate and mark of the last update before the funding time (from
      // REST), which differ from what the stream showed before the hole (8 s earlier).
      const mark = (i: number) => (JSON.parse(ext.frames[i]!.text) as { data: { p: string; r: string } }).data;
      const settled = mark(markAt(fundingMs / 1000 - 1));
      const stale = mark(markAt(fundingMs / 1000 - 9));
      expect(stale.p).not.toBe(settled.p);
      expect(await storedRows(store, 'funding_rates', MARKET)).toEqual([`${fundingMs * 1000}|${settled.r}|${settled.p}`]);
      expect(server.restCalls.get('/fapi/v1/fundingRate')).toBeGreaterThan(0);
      // Marks: exactly those sent; every one not sent lies in a recorded gap.
      expect(await storedRows(store, 'mark_prices', MARKET)).toEqual(sortRows(expectedMarks(ext, server.sent)));
      const gaps = await sql<{ stream: string; from_us: string; to_us: string; reason: string }>`select stream, (extract(epoch from from_ts) * 1000000)::bigint::text as from_us, (extract(epoch from to_ts) * 1000000)::bigint::text as to_us, reason from live_gaps where market_id = ${MARKET} and stream = 'mark_prices'`.execute(store.db);
      expect(gaps.rows).toHaveLength(1);
      expect(gaps.rows[0]!.reason).toMatch(/^disconnected .*binance has no REST history of mark_prices$/);
      const missed = ext.markFrames.filter((i) => !server.sent.has(i));
      expect(missed.length).toBe(13);
      for (const i of missed) {
        const ts = ext.frames[i]!.tsMs * 1000;
        expect(ts > Number(gaps.rows[0]!.from_us) && ts < Number(gaps.rows[0]!.to_us)).toBe(true);
      }
    } finally {
      await live.stop();
      await server.close();
    }
  }, 60_000);

  it('resumes after a restart from the checkpoint: the trades of the downtime come from REST', async () => {
    const frames = replay.frames.slice(0, 4000);
    const sub: BinanceReplay = { ...replay, frames };
    const server = await startReplayServer({ frames, venue: binanceBehaviour(sub), faults: [{ at: 1500, kind: 'close', code: 1001, reason: 'going away', lost: 0 }], lostOnClientClose: 0 });
    const store = await newStore();
    const opts = { store, config: liveConfig({ binance: server }), logger: silentLogger, markets: parseLiveMarkets([MARKET]), pollIntervalMs: 0, flushMs: 50, backoff: exponentialBackoff({ baseMs: 60_000, maxMs: 60_000 }) };
    const first = await startLiveIndexer(opts);
    await waitFor('the first part stored', async () => server.connections() === 1 && server.published() >= 1500 && (await count(store, 'trades', MARKET)) > 1000);
    await first.stop();
    // Published while no indexer ran: the stream is gone, REST has the trades.
    server.advance(1200);
    const second = await startLiveIndexer({ ...opts, backoff: fastBackoff });
    try {
      await server.finished();
      const truth = expectedTradesOfFirst(replay, frames.length);
      await waitFor('every trade stored', async () => (await count(store, 'trades', MARKET)) >= truth.length && second.ready());
      await second.stop();
      expect(await storedTrades(store, MARKET)).toEqual(truth);
      const gaps = await store.db.selectFrom('live_gaps').select(['stream', 'reason']).execute();
      expect(gaps.map((g) => g.stream).sort()).toEqual(['liquidations', 'mark_prices']);
      for (const g of gaps) expect(g.reason).toMatch(/restarted|disconnected/);
    } finally {
      await second.stop();
      await server.close();
    }
  }, 60_000);
});
