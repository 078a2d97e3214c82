import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { ingestPaths } from '../../indexer/index.js';
import { createTestStore, SHARED_DATA, type TestStore } from '../_setup/store.js';

/**
 * Every real file in ../shared/data lands whole: row counts by kind equal the files' data lines
 * (README: candles 121,122, funding 115,218, liquidations 6,448, Tardis trades 9,999, and the
 * websocket capture's 21,313 trade messages), and a second run adds nothing.
 */
const expected: { file: string; table: 'trades' | 'candles' | 'funding_rates' | 'liquidations'; rows: number }[] = [
  { file: 'binance-futures-btcusdt-trades-2020-02-22.tardis.csv', table: 'trades', rows: 9_999 },
  { file: 'binance-usdm-btcusdt-ws-2024-08-08.jsonl.gz', table: 'trades', rows: 21_313 },
  { file: 'candles-1h-multivenue-2025-03-to-2026-03.csv', table: 'candles', rows: 121_122 },
  { file: 'funding-multivenue-2025-03-to-2026-03.csv', table: 'funding_rates', rows: 115_218 },
  { file: 'liquidations-okx-hyperliquid.csv', table: 'liquidations', rows: 6_448 },
];

describe.skipIf(!SHARED_DATA)('ingest of every real file in ../shared/data (real Postgres)', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await createTestStore();
  });
  afterAll(async () => t.drop());

  it('loads every valid row into the right tables, idempotently', async () => {
    const files = expected.map((e) => path.join(SHARED_DATA!, e.file));
    const s = await ingestPaths(t.store, files);
    expect(s.failed).toEqual([]);
    expect(s.quarantined).toBe(0);
    const count = async (table: string, where?: string) => {
      const r = await sql<{ n: string }>`select count(*) as n from ${sql.table(table)} ${where ? sql.raw(`where ${where}`) : sql``}`.execute(t.store.db);
      return Number(r.rows[0]!.n);
    };
    expect(await count('trades', "market_id = 'binance:BTCUSDT' and ts < '2021-01-01'")).toBe(9_999);
    expect(await count('trades', "market_id = 'binance:BTCUSDT' and ts >= '2024-08-08'")).toBe(21_313);
    expect(await count('candles')).toBe(121_122);
    expect(await count('funding_rates')).toBe(115_218);
    expect(await count('liquidations')).toBe(6_448);
    // Venues and coins become separate markets.
    const venues = await sql<{ n: string }>`select count(distinct market_id) as n from candles`.execute(t.store.db);
    expect(Number(venues.rows[0]!.n)).toBeGreaterThan(20);

    const again = await ingestPaths(t.store, files, { force: true });
    expect(again.inserted).toBe(0);
    expect(await count('liquidations')).toBe(6_448);
    expect(await count('candles')).toBe(121_122);
  });
});
