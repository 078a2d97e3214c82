import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { BatchWriter, rollbackResults, type CanonicalEvent, type RawTx, type Store } from '../../db/index.js';
import { modelParamsHash } from '../../engine/index.js';
import { computeMarket, effectiveParams } from '../../jobs/index.js';
import { createTestStore, type TestStore } from '../_setup/store.js';

const MARKET = 'binance:PIECES';
const T0 = Date.UTC(2024, 4, 1);
const MIN = 60_000;
/** The piece size forced on the piecewise run: edges every 7 minutes from the first bucket. */
const PIECE = 7;
const HOURS = 4;
/** Last minutes of a piece with no trade, only open interest, funding and a liquidation: their carry must cross the edge. */
const UNPRICED = [PIECE * 3 - 1, PIECE * 10 - 1, PIECE * 20 - 1];

/**
 * Four hours of trades every 10 s on a rising wave (every bucket opens cohorts, so the model's
 * state carries from piece to piece), open interest every 5 min, and a trade on each side of every
 * piece edge (the last millisecond of a piece, the first of the next).
 */
function events(): CanonicalEvent[] {
  const out: CanonicalEvent[] = [];
  const us = (ms: number) => ms * 1000;
  const price = (s: number) => (60_000 * (1 + 0.01 * Math.sin(s / 3000) + 0.002 * Math.sin(s / 200))).toFixed(1);
  for (let s = 0; s < HOURS * 3600; s += 10) {
    const minute = Math.floor(s / 60);
    const ts = T0 + s * 1000;
    if (UNPRICED.includes(minute)) continue;
    out.push({ kind: 'trade', market: MARKET, ts: us(ts), tradeId: `p-${s}`, price: price(s), qty: ((s % 13) / 10 + 0.1).toFixed(3), side: s % 30 === 0 ? 'sell' : 'buy' });
    if (s % 300 === 0) out.push({ kind: 'open_interest', market: MARKET, ts: us(ts), oiQty: (80_000 + s / 50).toFixed(3), oiValue: null });
  }
  for (let edge = PIECE * MIN; edge < HOURS * 3600_000; edge += PIECE * MIN) {
    if (UNPRICED.includes(edge / MIN - 1)) continue;
    out.push({ kind: 'trade', market: MARKET, ts: us(T0 + edge - 1), tradeId: `e-${edge}-a`, price: price(edge / 1000 + 3), qty: '2.000', side: 'sell' });
    out.push({ kind: 'trade', market: MARKET, ts: us(T0 + edge), tradeId: `e-${edge}-b`, price: price(edge / 1000 - 3), qty: '2.000', side: 'buy' });
  }
  for (const m of UNPRICED) {
    const ts = us(T0 + m * MIN + 30_000);
    out.push({ kind: 'open_interest', market: MARKET, ts, oiQty: '95000.000', oiValue: null });
    out.push({ kind: 'funding', market: MARKET, ts, rate: '0.0003', markPrice: null, intervalHours: 8 });
    out.push({ kind: 'liquidation', market: MARKET, ts, side: 'sell', price: '60000', qty: '3', notional: '180000', key: `liq-${m}` });
  }
  return out;
}

/** md5 of every persisted result row, bucket input and the newest checkpoint's state, byte for byte. */
async function persisted(store: Store, hash: string): Promise<Record<string, string>> {
  const one = async (q: ReturnType<typeof sql<{ m: string | null }>>) => (await q.execute(store.db)).rows[0]?.m ?? 'none';
  return {
    heatmap: await one(sql`select md5(string_agg(h::text, '|' order by t)) as m from heatmap_rows h where market_id = ${MARKET} and params_hash = ${hash}`),
    clusters: await one(sql`select md5(string_agg(c::text, '|' order by t, rank)) as m from clusters c where market_id = ${MARKET} and params_hash = ${hash}`),
    inputs: await one(sql`select md5(string_agg(b::text, '|' order by t)) as m from bucket_inputs b where market_id = ${MARKET} and params_hash = ${hash}`),
    checkpoint: await one(sql`select t::text || ' ' || md5(state) as m from model_checkpoints where market_id = ${MARKET} and params_hash = ${hash} order by t desc limit 1`),
  };
}

/** What one transaction of the compute did: the tables it COPYed into and the checkpoint times it inserted. */
interface TxLog {
  copies: string[];
  checkpoints: string[];
}

/**
 * The store with its transactions logged, and the first one that COPYs heatmap rows held until
 * `hold` resolves (the real Postgres underneath: nothing is mocked).
 */
function observed(store: Store, hold: () => Promise<void>): { store: Store; log: TxLog[] } {
  const log: TxLog[] = [];
  let held = false;
  const rawTransaction: Store['rawTransaction'] = (fn) =>
    store.rawTransaction((tx) => {
      const entry: TxLog = { copies: [], checkpoints: [] };
      log.push(entry);
      const wrapped: RawTx = {
        ...tx,
        copyIn: (table, columns, csv) => (entry.copies.push(table), tx.copyIn(table, columns, csv)),
        copyInBinary: async (table, columns, chunks) => {
          entry.copies.push(table);
          if (table === 'heatmap_rows' && !held) {
            held = true;
            await hold();
          }
          return tx.copyInBinary(table, columns, chunks);
        },
        query: (text, params) => {
          if (/insert into model_checkpoints/.test(text)) entry.checkpoints.push(String(params?.[2]));
          return tx.query(text, params);
        },
        savepoint: (f) => tx.savepoint(f),
      };
      return fn(wrapped);
    });
  return { store: new Proxy(store, { get: (s, k) => (k === 'rawTransaction' ? rawTransaction : Reflect.get(s, k, s)) }), log };
}

describe('the compute streams its range in pieces', () => {
  let t: TestStore;
  let hash: string;
  beforeAll(async () => {
    t = await createTestStore();
    await new BatchWriter(t.store).write({ events: events() });
    hash = modelParamsHash(await effectiveParams(t.store, MARKET));
  });
  afterAll(async () => {
    await t.drop();
  });

  it('persists, piece by piece, exactly what one piece over the whole range persists', { timeout: 120_000 }, async () => {
    const o = observed(t.store, async () => {});
    await computeMarket(o.store, { market: MARKET, pieceBuckets: PIECE });
    const pieces = await persisted(t.store, hash);
    // Cut as forced: the first piece, the pieces modelled while it committed, the open bucket.
    expect(o.log.filter((e) => e.copies.includes('heatmap_rows')).length).toBeGreaterThanOrEqual(3);
    // The data crosses the edges as meant: each unpriced last minute of a piece has its inputs
    // stored but no row, and its liquidation shows in the next piece's first row.
    for (const m of UNPRICED) {
      const edge = new Date(T0 + (m + 1) * MIN);
      const r = await sql<{ inputs: number; rows: number; liq: number | null }>`select
          (select count(*)::int from bucket_inputs where market_id = ${MARKET} and t = ${new Date(T0 + m * MIN)}) as inputs,
          (select count(*)::int from heatmap_rows where market_id = ${MARKET} and t = ${new Date(T0 + m * MIN)}) as rows,
          (select liquidated_long from heatmap_rows where market_id = ${MARKET} and t = ${edge}) as liq`.execute(t.store.db);
      expect.soft(r.rows[0], `minute ${m}`).toMatchObject({ inputs: 1, rows: 0 });
      expect.soft(Number(r.rows[0]!.liq), `liquidated long in the bucket after minute ${m}`).toBeGreaterThan(0);
    }
    await rollbackResults(t.store, MARKET, hash, 0);
    await computeMarket(t.store, { market: MARKET, pieceBuckets: 1_000_000 });
    const whole = await persisted(t.store, hash);
    expect(whole.heatmap).not.toBe('none');
    expect(pieces).toEqual(whole);
  });

  it('models the next pieces while a piece commits, each commit one transaction with its checkpoint', { timeout: 120_000 }, async () => {
    await rollbackResults(t.store, MARKET, hash, 0);
    // The first commit is held until the model has reported three more pieces (or 20 s: then
    // the model was waiting for the commit, not overlapping it).
    let modelled = 0;
    let waiters: (() => void)[] = [];
    let overlapped = false;
    let atRelease = 0;
    const hold = () =>
      new Promise<void>((resolve) => {
        let late = false;
        const timer = setTimeout(() => {
          late = true;
          atRelease = modelled;
          resolve();
        }, 20_000);
        const check = () => {
          if (late) return;
          if (modelled < 4) return void waiters.push(check);
          overlapped = true;
          atRelease = modelled;
          clearTimeout(timer);
          resolve();
        };
        check();
      });
    const o = observed(t.store, hold);
    await computeMarket(o.store, { market: MARKET, pieceBuckets: PIECE }, () => {
      modelled++;
      const w = waiters;
      waiters = [];
      w.forEach((f) => f());
    });
    expect(overlapped, `pieces modelled while the first commit was held: ${atRelease}`).toBe(true);
    const commits = o.log.filter((e) => e.copies.includes('heatmap_rows'));
    expect(commits.length).toBeGreaterThan(1);
    for (const c of commits) {
      expect(c.copies).toEqual(['heatmap_rows', 'clusters', 'bucket_inputs']);
      expect(c.checkpoints).toHaveLength(1);
    }
    // Checkpoints in time order, the last at the last bucket; and the results as before.
    const cps = commits.map((c) => Date.parse(`${c.checkpoints[0]!.slice(0, 19)}Z`));
    expect(cps).toEqual([...cps].sort((a, b) => a - b));
    expect(cps.at(-1)).toBe(T0 + (HOURS * 60 - 1) * MIN);
    const pieces = await persisted(t.store, hash);
    await rollbackResults(t.store, MARKET, hash, 0);
    await computeMarket(t.store, { market: MARKET, pieceBuckets: 1_000_000 });
    expect(pieces).toEqual(await persisted(t.store, hash));
  });
});
