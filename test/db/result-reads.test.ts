import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type KyselyPlugin } from 'kysely';
import { BatchWriter, clustersAtOf, clustersAtQuery, commitResultsChunk, decodeFloat8Array, binaryFloats, levelsAroundOf, levelsAroundQuery, readClustersAt, readHeatmapRowAt, readHeatmapRows, readLevelsAround, resultFacts, resultFactsWith, writePositionChanges, type HeatmapRow, type PositionChangeRow, type Store } from '../../db/index.js';
import { createPgliteTestStore, createTestStore, type TestStore } from '../_setup/store.js';

const MARKET = 'binance:BTCUSDT';
const HASH = 'abcdef0123456789';
const T0 = Date.UTC(2024, 0, 1);

const row = (i: number): HeatmapRow => ({
  t: T0 + i * 60_000,
  price: 42000 + i,
  priceStep: 10,
  longLo: 3000 + i,
  long: [1.5, 0, 1e-300, 123456.789012345, i],
  shortLo: 4300,
  short: i === 1 ? [] : [0.1 + 0.2, -2.5],
  oiLo: 4000,
  oiLong: [2, 3],
  oiShort: [5, 7],
  liquidatedLong: 1,
  liquidatedShort: 2,
  dataVersion: 3,
  // Written by binary COPY: layers (float and integer arrays, an empty one) and extreme doubles come back bit for bit.
  layers: i === 2 ? [{ leverage: 10, longLo: 3001, long: [5e-324, -1.7976931348623157e308], shortLo: 0, short: [] }, { leverage: 12.5, longLo: -7, long: [0.1 + 0.2], shortLo: 4300, short: [Infinity, 1 / 3] }] : null,
});

function suite(name: string, open: () => Promise<{ store: Store; close: () => Promise<void> }>) {
  describe(`result reads on ${name}`, () => {
    let store: Store;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ store, close } = await open());
      await new BatchWriter(store).write({ events: [{ kind: 'trade', market: MARKET, ts: T0 * 1000, tradeId: 'agg:1', price: '42000.5', qty: '0.1', side: 'buy' }] });
      await commitResultsChunk(store, {
        market: MARKET,
        paramsHash: HASH,
        rows: [row(0), row(1), row(2)],
        clusters: [1, 0].map((rank) => ({ t: T0 + 60_000, rank, side: 'long' as const, priceLow: 41000, priceHigh: 41100 + rank, peakPrice: 41050, notional: 10 - rank, shareOfSide: 0.5, distanceFraction: -0.02, leverageComposition: [{ leverage: 10, notional: 10 - rank }] })),
        checkpoint: { t: T0 + 120_000, state: 'x'.repeat(1000), dataVersion: 3 },
      });
    });
    afterAll(async () => close());

    it('decodes binary float8 arrays bit for bit (empty, tiny, negative zero, inexact sums)', async () => {
      const values = [0.1 + 0.2, -0, 1e-300, -1.7976931348623157e308, 5e-324, 42];
      const r = await sql<{ a: string; e: string }>`select ${sql.raw(binaryFloats(`array[${values.map((v) => (Object.is(v, -0) ? "'-0'::float8" : `${v}::float8`)).join(',')}]`))} as a, ${sql.raw(binaryFloats(`'{}'::float8[]`))} as e`.execute(store.db);
      const got = decodeFloat8Array(r.rows[0]!.a);
      expect(got).toEqual(values);
      expect(Object.is(got[1], -0)).toBe(true);
      expect(decodeFloat8Array(r.rows[0]!.e)).toEqual([]);
    });

    it('reads persisted rows as they were written (the binary path)', async () => {
      const rows = await readHeatmapRows(store, MARKET, HASH, T0, T0 + 120_000);
      expect(rows).toEqual([row(0), row(1), row(2)]);
      expect(await readHeatmapRowAt(store, MARKET, HASH, T0 + 90_000)).toEqual(row(1));
      expect(await readHeatmapRowAt(store, MARKET, HASH, T0 - 1)).toBeNull();
    });

    it('reads the clusters at or before a time with that bucket’s price, in rank order, in one statement', async () => {
      const found = await readClustersAt(store, MARKET, HASH, T0 + 119_999);
      expect(found?.t).toBe(T0 + 60_000);
      expect(found?.price).toBe(42001);
      expect(found?.clusters.map((c) => c.rank)).toEqual([0, 1]);
      expect(found?.clusters[0]?.leverageComposition).toEqual([{ leverage: 10, notional: 10 }]);
      // A bucket without clusters still has its price.
      expect(await readClustersAt(store, MARKET, HASH, T0 + 120_000)).toEqual({ t: T0 + 120_000, price: 42002, clusters: [] });
      expect(await readClustersAt(store, MARKET, HASH, T0 - 1)).toBeNull();
    });

    it('gives what a read field needs first in one statement: market, span, candle-only interval, positions, newest checkpoint per set', async () => {
      const f = await resultFacts(store, MARKET);
      expect(f.known).toBe(true);
      expect(f.span).toEqual({ firstMs: T0, lastMs: T0 });
      expect(f.candleOnlyInterval).toBeNull();
      expect(f.hasPositions).toBe(false);
      expect([...f.checkpoints]).toEqual([[HASH, T0 + 120_000]]);
      const none = await resultFacts(store, 'binance:NOPE');
      expect(none).toEqual({ known: false, span: null, candleOnlyInterval: null, hasPositions: false, checkpoints: new Map() });
    });

    it('reads the facts and a data query in one statement, the data at the newest event by default', async () => {
      const at = await resultFactsWith(store, MARKET, () => clustersAtQuery(MARKET, HASH, T0 + 119_999));
      expect(at.facts).toEqual(await resultFacts(store, MARKET));
      expect(clustersAtOf(at.rows)).toEqual(await readClustersAt(store, MARKET, HASH, T0 + 119_999));
      // The newest event is at T0: the bucket of T0, which has no clusters.
      const newest = await resultFactsWith(store, MARKET, (last) => clustersAtQuery(MARKET, HASH, last));
      expect(clustersAtOf(newest.rows)).toEqual({ t: T0, price: 42000, clusters: [] });
      const levels = await resultFactsWith(store, MARKET, (last) => levelsAroundQuery(MARKET, HASH, last, 0.5, null));
      expect(levelsAroundOf(levels.rows)).toEqual(await readLevelsAround(store, MARKET, HASH, T0, 0.5, null));
      const none = await resultFactsWith(store, 'binance:NOPE', (last) => clustersAtQuery('binance:NOPE', HASH, last));
      expect(none).toEqual({ facts: await resultFacts(store, 'binance:NOPE'), rows: [] });
    });

    it('reads the levels around the price, cut to the range and padded by a display row, bit for bit', async () => {
      // Row 2: price 42002, step 10, longs at buckets 3002..3006, shorts at 4300..4301.
      const wide = await readLevelsAround(store, MARKET, HASH, T0 + 150_000, 0.5, null);
      expect(wide).toEqual({ t: T0 + 120_000, price: 42002, priceStep: 10, longLo: 3002, long: row(2).long, shortLo: 4300, short: row(2).short });
      // ±27%: from bucket floor(42002 × 0.73 / 10) = 3066, padded by ceil(42002 × 0.54 / 10 / 200) + 2 = 14 buckets: 3052; the longs are cut.
      const cut = await readLevelsAround(store, MARKET, HASH, T0 + 150_000, 0.27, null);
      expect({ long: cut?.long, short: cut?.short, shortLo: cut?.shortLo }).toEqual({ long: [], short: row(2).short, shortLo: 4300 });
      // A display row of 700 quote (70 buckets) pads by 72: from 3066 - 72 = 2994, so every long is kept.
      expect((await readLevelsAround(store, MARKET, HASH, T0 + 150_000, 0.27, 700))?.long).toEqual(row(2).long);
      // ±1%: 4158..4242 ± 3 buckets, the shorts above are cut.
      expect((await readLevelsAround(store, MARKET, HASH, T0 + 150_000, 0.01, null))?.short).toEqual([]);
      expect(await readLevelsAround(store, MARKET, HASH, T0 - 1, 0.1, null)).toBeNull();
    });

    it('keeps the facts a data version gave: later reads leave the event tables alone, a new batch or checkpoint is seen at once', async () => {
      const texts: string[] = [];
      const plugin: KyselyPlugin = {
        transformQuery(a) {
          texts.push(store.db.getExecutor().compileQuery(a.node, a.queryId).sql);
          return a.node;
        },
        transformResult: async (a) => a.result,
      };
      // A handle of its own: the facts are kept per handle, so its first read is a full one.
      const watched: Store = { ...store, db: store.db.withPlugin(plugin) };
      const read = () => resultFactsWith(watched, MARKET, (last) => clustersAtQuery(MARKET, HASH, last));
      const first = await read();
      expect(texts.at(-1)).toMatch(/from trades/);
      texts.length = 0;
      const again = await read();
      expect(again).toEqual(first);
      expect(texts).toHaveLength(1);
      expect(texts[0]).not.toMatch(/trades|candles|mark_prices/);
      // A batch with a later trade bumps the version: the facts are read again, the default time is its time.
      await new BatchWriter(store).write({ events: [{ kind: 'trade', market: MARKET, ts: (T0 + 90_000) * 1000, tradeId: 'agg:2', price: '42001', qty: '0.1', side: 'sell' }] });
      const newer = await read();
      expect(newer.facts.span).toEqual({ firstMs: T0, lastMs: T0 + 90_000 });
      expect(newer.facts).toEqual(await resultFacts(store, MARKET));
      expect(clustersAtOf(newer.rows)).toEqual(await readClustersAt(store, MARKET, HASH, T0 + 90_000));
      texts.length = 0;
      const kept = await read();
      expect(texts[0]).not.toMatch(/trades/);
      expect(kept).toEqual(newer);
      // A compute moves a checkpoint without a new data version: seen on the short read too.
      await sql`update model_checkpoints set t = t + interval '1 minute' where market_id = ${MARKET} and params_hash = ${HASH}`.execute(store.db);
      texts.length = 0;
      const moved = await read();
      expect(texts[0]).not.toMatch(/trades/);
      expect([...moved.facts.checkpoints]).toEqual([[HASH, T0 + 180_000]]);
      expect(moved.facts).toEqual(await resultFacts(store, MARKET));
      // A subgraph page of position changes alone bumps no version either: the levels turn exact at once.
      const position: PositionChangeRow = { key: 'p1', changeId: 'c1', market: MARKET, account: '0xa', collateralToken: '0xc', isLong: true, sizeUsd: '1000', sizeTokens: '0.02', collateralTokens: null, collateralUsd: '100', entryPrice: '42000', open: true, block: 1, ts: T0 * 1000, marketToken: null, collateralIsIndex: false, collateralPrice: null, borrowingFactor: null, fundingFeePerSize: null, pendingImpactTokens: null };
      await store.rawTransaction((tx) => writePositionChanges(tx, [position]));
      texts.length = 0;
      const exact = await read();
      expect(texts[0]).not.toMatch(/trades/);
      expect(exact.facts.hasPositions).toBe(true);
      expect(exact.facts).toEqual(await resultFacts(store, MARKET));
    });
  });
}

suite('Postgres', async () => {
  const t: TestStore = await createTestStore();
  return { store: t.store, close: () => t.drop() };
});
suite('PGlite', async () => {
  const store = await createPgliteTestStore();
  return { store, close: () => store.close() };
});
