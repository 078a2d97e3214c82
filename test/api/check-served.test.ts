import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { parseConfig, silentLogger } from '../../base/index.js';
import { modelParamsHash, parseModelParams } from '../../engine/index.js';
import { ingestPaths } from '../../indexer/index.js';
import { createJobRunner, type JobRunner } from '../../jobs/index.js';
import { createTestStore, SHARED_DATA, type TestStore } from '../_setup/store.js';
import { TEST_REDIS_URL, testQueuePrefix } from '../_setup/redis.js';
import { startTestApi, type TestApi } from '../_setup/api.js';

const FILE = SHARED_DATA ? path.join(SHARED_DATA, 'binance-futures-btcusdt-trades-2020-02-22.tardis.csv') : null;
const MARKET = 'binance:BTCUSDT';
const LATE_FROM = Date.UTC(2020, 1, 22, 0, 40) * 1000;
const LATE_TO = Date.UTC(2020, 1, 22, 1, 0) * 1000;
const CHECK = `check { id status engine ok fault cellsCompared tolerance
  aggregation { ok valuesCompared mismatches buckets from to firstMismatch { at what served reference } }
  model { ok valuesCompared mismatches buckets from to firstMismatch { at what priceLow priceHigh served reference } } }`;

describe.skipIf(!FILE)('check: true proves the served cells (real trades, BullMQ workers, a late batch and a restart)', () => {
  let t: TestStore;
  const q = testQueuePrefix();
  let producer: JobRunner;
  let api: TestApi;
  const hash = modelParamsHash(parseModelParams({}));
  let n = 0;
  // A different operation text each time: the byte cache keys by text and data version, and the
  // tampering below changes cells without a new data version.
  const heatmap = (args = '') => api.gql(`{ h${++n}: heatmap(market: "${MARKET}", check: true${args}) { times prices long short ${CHECK} } }`).then((r) => ({ ...r, h: r.data?.[`h${n}`] }));

  beforeAll(async () => {
    t = await createTestStore();
    const dir = mkdtempSync(path.join(tmpdir(), 'liqmap-check-'));
    const [header, ...rows] = readFileSync(FILE!, 'utf8').trim().split('\n');
    const isLate = (l: string) => {
      const ts = Number(l.split(',')[2]);
      return ts >= LATE_FROM && ts < LATE_TO;
    };
    const onTime = path.join(dir, 'trades.csv');
    const late = path.join(dir, 'late.csv');
    writeFileSync(onTime, [header, ...rows.filter((l) => !isLate(l))].join('\n') + '\n');
    writeFileSync(late, [header, ...rows.filter(isLate)].join('\n') + '\n');
    const config = parseConfig({ REDIS_URL: TEST_REDIS_URL, LIQMAP_QUEUE_PREFIX: q.prefix, DATABASE_URL: t.url });
    producer = await createJobRunner({ config, store: t.store, logger: silentLogger, mode: 'enqueue-only' });
    let worker = await createJobRunner({ config, store: t.store, logger: silentLogger, mode: 'work', sandboxed: true });
    await ingestPaths(t.store, [onTime], { onBatch: (b) => producer.onIngested(b) });
    await producer.idle!();
    // The workers restart; then the late batch lands (20 minutes inside what was computed).
    await worker.close();
    worker = await createJobRunner({ config, store: t.store, logger: silentLogger, mode: 'work', sandboxed: true });
    await ingestPaths(t.store, [late], { onBatch: (b) => producer.onIngested(b) });
    await producer.idle!();
    await worker.close();
    api = await startTestApi(t.store, { DATABASE_URL: t.url, REDIS_URL: TEST_REDIS_URL, LIQMAP_QUEUE_PREFIX: q.prefix, LIQMAP_CHECK_BUDGET_MS: '120000' }, producer);
  }, 180_000);
  afterAll(async () => {
    await api?.close();
    await producer?.close();
    await q.cleanup();
    await t?.drop();
  });

  it('compares exactly the returned cells, replayed from the first bucket, and they agree', async () => {
    const r = await heatmap();
    expect(r.errors).toBeUndefined();
    const { h } = r;
    expect(h.times.length).toBe(126); // 00:00 → 02:05, one column per minute
    expect(h.check).toMatchObject({ status: 'DONE', engine: 'estimated', ok: true, fault: null });
    expect(h.check.cellsCompared).toBe(h.times.length * h.prices.length * 2);
    expect(h.check.model).toMatchObject({ ok: true, mismatches: 0, from: '2020-02-22T00:00:00.000Z', buckets: 126 });
    expect(h.check.aggregation).toMatchObject({ ok: true, mismatches: 0, buckets: 126 });
    // The late batch is inside the checked rows: the results were rolled back and recomputed.
    const v = await sql<{ dv: number; version: number }>`select min(h.data_version)::int as dv, max(v.version)::int as version from heatmap_rows h join market_versions v using (market_id) where market_id = ${MARKET}`.execute(t.store.db);
    expect(v.rows[0]!.version).toBeGreaterThanOrEqual(2);
    expect(v.rows[0]!.dv).toBe(v.rows[0]!.version);
  }, 120_000);

  it('names the served cell that differs from the reference when one persisted cell is altered', async () => {
    const before = (await heatmap()).h;
    // A cell in the middle of the window with pending long notional.
    const col = 90;
    const np = before.prices.length;
    const j = before.long.slice(col * np, (col + 1) * np).findIndex((v: number) => v > 0);
    expect(j).toBeGreaterThanOrEqual(0);
    const at = new Date(Date.parse(before.times[col]));
    const row = (await sql<{ step: number; long_lo: number }>`select price_step as step, long_lo from heatmap_rows where market_id = ${MARKET} and params_hash = ${hash} and t = ${at}`.execute(t.store.db)).rows[0]!;
    const k = Math.round(before.priceBucket ?? before.prices[1] - before.prices[0]) / row.step;
    // The first model price bucket of display row j, as an index into the row's long array (1-based).
    const idx = Math.round(before.prices[j] / row.step) - row.long_lo + 1;
    expect(k).toBeGreaterThanOrEqual(1);
    await sql`update heatmap_rows set long[${idx}] = long[${idx}] + 1000000 where market_id = ${MARKET} and params_hash = ${hash} and t = ${at}`.execute(t.store.db);
    try {
      const after = (await heatmap()).h;
      expect(after.long[col * np + j]).toBeCloseTo(before.long[col * np + j] + 1_000_000, 3);
      expect(after.check).toMatchObject({ status: 'DONE', ok: false, fault: 'MODEL' });
      expect(after.check.aggregation.ok).toBe(true);
      expect(after.check.model.mismatches).toBe(1);
      expect(after.check.model.firstMismatch).toMatchObject({ at: before.times[col], what: 'long', priceLow: before.prices[j], served: after.long[col * np + j] });
      expect(Number(after.check.model.firstMismatch.reference)).toBeCloseTo(before.long[col * np + j], 3);
      expect(after.check.id).not.toBe(before.check.id);
    } finally {
      await sql`update heatmap_rows set long[${idx}] = long[${idx}] - 1000000 where market_id = ${MARKET} and params_hash = ${hash} and t = ${at}`.execute(t.store.db);
    }
  }, 120_000);

  it('names the aggregation stage when a stored bucket aggregate no longer matches the raw trades', async () => {
    const at = new Date(Date.UTC(2020, 1, 22, 1, 30));
    await sql`update bucket_inputs set trade_vwap = trade_vwap * 1.001 where market_id = ${MARKET} and params_hash = ${hash} and t = ${at}`.execute(t.store.db);
    try {
      // Cells not checked before (two-minute columns): a verdict already persisted for the same
      // cells and data version is not recomputed, and tampering leaves the version as it is.
      const { h, errors } = await heatmap(', resolutionSeconds: 120');
      expect(errors).toBeUndefined();
      expect(h.check, JSON.stringify(h.check)).toMatchObject({ status: 'DONE', ok: false, fault: 'AGGREGATION' });
      expect(h.check.aggregation).toMatchObject({ ok: false, mismatches: 1, firstMismatch: { at: at.toISOString(), what: 'trades.vwap' } });
      expect(h.check.aggregation.firstMismatch.served / Number(h.check.aggregation.firstMismatch.reference)).toBeCloseTo(1.001, 9);
    } finally {
      await sql`update bucket_inputs set trade_vwap = trade_vwap / 1.001 where market_id = ${MARKET} and params_hash = ${hash} and t = ${at}`.execute(t.store.db);
    }
  }, 120_000);
});
