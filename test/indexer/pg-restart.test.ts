import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { LiqmapError } from '../../base/index.js';
import { createPostgresStore, migrateToLatest, type Store } from '../../db/index.js';
import { ingestPaths } from '../../indexer/index.js';
import { spawnCli } from '../_setup/cli.js';
import { PG_BIN, throwawayPostgres, type ThrowawayPostgres } from '../_setup/throwaway-postgres.js';

const dir = mkdtempSync(path.join(tmpdir(), 'liqmap-pgrestart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const N = 60_000;

function aggTrades(n: number): string {
  const t0 = Date.UTC(2024, 0, 1);
  const lines = ['agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker'];
  for (let i = 0; i < n; i++) lines.push(`${100 + i},${(42000 + (i % 1000) / 10).toFixed(1)},0.001,1,1,${t0 + i * 250},${i % 2 === 0}`);
  return lines.join('\n') + '\n';
}

describe.skipIf(!PG_BIN)('a Postgres restart in the middle of `liqmap ingest` (a throwaway server)', () => {
  let pg: ThrowawayPostgres;
  let store: Store;
  beforeAll(async () => {
    pg = await throwawayPostgres();
    store = createPostgresStore({ url: pg.url, max: 2 });
    await migrateToLatest(store);
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    pg?.destroy();
  });

  it('retries the batch after reconnecting: exit 0, every row once, no stack trace', async () => {
    const file = path.join(dir, 'BTCUSDT-aggTrades-2024-01-01.csv');
    writeFileSync(file, aggTrades(N));
    const child = spawnCli(['ingest', file, '--batch-size', '3000'], { DATABASE_URL: pg.url });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = once(child, 'exit');
    // Restart (immediate: every connection dies as in a crash) once some batches committed.
    let committed = 0;
    for (let i = 0; i < 1500 && committed === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const cp = await store.db.selectFrom('ingest_checkpoints').select('line').executeTakeFirst().catch(() => undefined);
      committed = Number(cp?.line ?? 0);
    }
    expect(committed).toBeGreaterThan(0);
    expect(committed).toBeLessThan(N);
    pg.restart();
    const [code] = (await exited) as [number];
    expect(code, stderr).toBe(0);
    expect(stderr).not.toMatch(/TypeError|at .*\.(js|ts):\d+/);
    const r = await store.db
      .selectFrom('trades')
      .select([sql<string>`count(*)`.as('n'), sql<string>`count(distinct trade_id)`.as('d')])
      .executeTakeFirstOrThrow();
    expect([Number(r.n), Number(r.d)]).toEqual([N, N]);
    const cp = await store.db.selectFrom('ingest_checkpoints').select(['line', 'done', 'rows_written']).executeTakeFirstOrThrow();
    expect([Number(cp.line), cp.done, Number(cp.rows_written)]).toEqual([N + 1, true, N]);
  }, 120_000);

  it('when Postgres stays down: one SERVICE_UNAVAILABLE line naming the file and the line to resume from; the rerun completes', async () => {
    const file = path.join(dir, 'ETHUSDT-aggTrades-2024-01-01.csv');
    writeFileSync(file, aggTrades(20_000));
    let batches = 0;
    const run = ingestPaths(store, [file], {
      batchSize: 2000,
      reconnectDelaysMs: [50, 100, 200],
      onBatch: () => {
        if (++batches === 2) pg.stop();
      },
    });
    const e = (await run.then(() => null, (x: unknown) => x)) as LiqmapError | null;
    expect(e).toBeInstanceOf(LiqmapError);
    expect(e!.code).toBe('SERVICE_UNAVAILABLE');
    const m = /^Postgres \(DATABASE_URL\) is unavailable \(.+\) after retrying; .*ETHUSDT-aggTrades-2024-01-01\.csv is committed up to line (\d+): run the same command again/.exec(e!.message);
    expect(m, e!.message).not.toBeNull();
    expect(e!.message.split('\n')).toHaveLength(1);
    pg.start();
    const resumed = await ingestPaths(store, [file], { batchSize: 2000 });
    expect(resumed.members[0]!.status).toBe('resumed');
    const r = await store.db.selectFrom('trades').select(sql<string>`count(*)`.as('n')).where('market_id', '=', 'binance:ETHUSDT').executeTakeFirstOrThrow();
    expect(Number(r.n)).toBe(20_000);
    const cp = await store.db.selectFrom('ingest_checkpoints').select('line').where('source_key', '=', path.resolve(file)).executeTakeFirstOrThrow();
    expect(Number(m![1])).toBeLessThan(Number(cp.line));
  }, 120_000);

  // The fault campaign's restart can land before the first batch: after the connection check,
  // on the migration or the checkpoint read. Postgres is down for ~1.5 s there, then back.
  async function downFor(ms: number): Promise<void> {
    pg.stop();
    await new Promise((r) => setTimeout(r, 100)); // the pool saw its connections close
    setTimeout(() => pg.start(), ms);
  }

  it('Postgres restarting under the migration at start: it is run again once Postgres is back', async () => {
    await downFor(1500);
    await expect(migrateToLatest(store)).resolves.toEqual({ applied: [] });
  }, 60_000);

  it("Postgres restarting under an ingest's checkpoint read (before its first batch): read again, every row in once", async () => {
    const file = path.join(dir, 'SOLUSDT-aggTrades-2024-01-01.csv');
    writeFileSync(file, aggTrades(5000));
    await downFor(1500);
    const s = await ingestPaths(store, [file], { batchSize: 2000 });
    expect(s.members[0]).toMatchObject({ status: 'ingested', rows: 5000, inserted: 5000 });
    const r = await store.db.selectFrom('trades').select(sql<string>`count(*)`.as('n')).where('market_id', '=', 'binance:SOLUSDT').executeTakeFirstOrThrow();
    expect(Number(r.n)).toBe(5000);
  }, 60_000);
});
