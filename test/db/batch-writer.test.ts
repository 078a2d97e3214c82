import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { BatchWriter, getCheckpoint, type CanonicalEvent, type Store } from '../../db/index.js';
import { createPgliteTestStore, createTestStore, type TestStore } from '../_setup/store.js';

const t0 = Date.UTC(2024, 0, 31, 23, 59, 0) * 1000; // straddles a month boundary

function trades(n: number, offset = 0): CanonicalEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    kind: 'trade' as const,
    market: 'binance:BTCUSDT',
    ts: t0 + (i + offset) * 1_000_000,
    tradeId: `agg:${i + offset}`,
    price: `${42000 + i}.5`,
    qty: '0.001',
    side: i % 2 === 0 ? ('buy' as const) : ('sell' as const),
  }));
}

async function count(store: Store, table: 'trades' | 'liquidations' | 'markets' | 'quarantine'): Promise<number> {
  const r = await store.db.selectFrom(table).select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

function suite(name: string, open: () => Promise<{ store: Store; close: () => Promise<void> }>) {
  describe(`BatchWriter on ${name}`, () => {
    let store: Store;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ store, close } = await open());
    });
    afterAll(async () => close());

    it('writes events with COPY, creates markets and monthly partitions, keeps decimals exact', async () => {
      const w = new BatchWriter(store);
      const r = await w.write({ events: trades(120) });
      expect(r.inserted.trade).toBe(120);
      expect(await count(store, 'trades')).toBe(120);
      expect(await count(store, 'markets')).toBe(1);
      const row = await store.db.selectFrom('trades').selectAll().where('trade_id', '=', 'agg:3').executeTakeFirstOrThrow();
      expect(row.price).toBe('42003.5');
      expect(row.ts.toISOString()).toBe('2024-01-31T23:59:03.000Z');
      const parts = await sql<{ n: string }>`select count(*) as n from pg_inherits i join pg_class c on c.oid = i.inhrelid where c.relkind = 'r' and c.relname like 'trades_2024_%' and c.relnamespace = current_schema()::regnamespace`.execute(store.db);
      expect(Number(parts.rows[0]!.n)).toBe(2); // January and February
      const inDefault = await sql<{ n: string }>`select count(*) as n from trades_default`.execute(store.db);
      expect(Number(inDefault.rows[0]!.n)).toBe(0);
    });

    it('is idempotent: the same and overlapping batches add only new rows', async () => {
      const w = new BatchWriter(store);
      const again = await w.write({ events: trades(120) });
      expect(again.inserted.trade).toBe(0);
      const overlap = await w.write({ events: trades(50, 100) });
      expect(overlap.inserted.trade).toBe(30);
      expect(await count(store, 'trades')).toBe(150);
    });

    it('keeps one copy of a row repeated inside a batch, and skips stored rows at a batch boundary', async () => {
      const w = new BatchWriter(store);
      const base = trades(10, 3000);
      const repeated = await w.write({ events: [...base, base[3]!, base[7]!] });
      expect(repeated.inserted.trade).toBe(10);
      // The next batch starts with rows sharing the previous batch's last timestamp.
      const next = await w.write({ events: [base[9]!, ...trades(5, 3010)] });
      expect(next.inserted.trade).toBe(5);
      expect(await count(store, "trades")).toBe(150 + 15);
    });

    it('commits the checkpoint with the batch, and nothing when the batch fails', async () => {
      const w = new BatchWriter(store);
      const cp = { sourceKey: 'k1', format: 'x', fingerprint: 'f', line: 10, rowsWritten: 10, rowsQuarantined: 1, state: { a: 1 }, done: false };
      await w.write({
        events: trades(10, 1000),
        quarantined: [{ file: 'f.csv', line: 3, field: 'price', reason: 'not a number', raw: 'a,b,c' }],
        checkpoint: cp,
      });
      const saved = await getCheckpoint(store, 'k1');
      expect(saved).toMatchObject({ line: 10, rowsWritten: 10, rowsQuarantined: 1, done: false, state: { a: 1 } });
      expect(await count(store, 'quarantine')).toBe(1);
      const bad = { ...trades(1, 5000)[0]!, price: 'NaNx' } as CanonicalEvent;
      await expect(w.write({ events: [...trades(5, 2000), bad], checkpoint: { ...cp, line: 99 } })).rejects.toThrow();
      expect((await getCheckpoint(store, 'k1'))!.line).toBe(10);
      expect(await count(store, 'trades')).toBe(175);
    });

    it('keeps identical liquidations apart by key and dedups re-ingests', async () => {
      const w = new BatchWriter(store);
      const liq = (key: string): CanonicalEvent => ({
        kind: 'liquidation', market: 'okx:ETH-USDT-SWAP', ts: t0, side: 'sell', price: '2000', qty: null, notional: '5000', key,
      });
      await w.write({ events: [liq('a#0'), liq('a#1')] });
      const r = await w.write({ events: [liq('a#0'), liq('a#1'), liq('a#2')] });
      expect(r.inserted.liquidation).toBe(1);
      expect(await count(store, 'liquidations')).toBe(3);
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
