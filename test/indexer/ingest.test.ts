import { mkdtempSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import yazl from 'yazl';
import { listQuarantine, type Store } from '../../db/index.js';
import { ingestPaths } from '../../indexer/index.js';
import { createTestStore, type TestStore } from '../_setup/store.js';
import { runCli, spawnCli } from '../_setup/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'liqmap-ingest-'));

/** A Binance aggTrades CSV of `n` rows starting at `t0` ms; optionally with the header row. */
function aggTradesCsv(n: number, header: boolean, t0 = Date.UTC(2024, 0, 1)): string {
  const lines = header ? ['agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker'] : [];
  for (let i = 0; i < n; i++) {
    lines.push(`${100 + i},${(42000 + i / 10).toFixed(1)},0.00${(i % 9) + 1},${200 + i},${200 + i},${t0 + i * 250},${i % 2 === 0}`);
  }
  return lines.join('\n') + '\n';
}

async function zipOf(file: string, entryName: string, content: string): Promise<void> {
  const z = new yazl.ZipFile();
  z.addBuffer(Buffer.from(content), entryName);
  z.end();
  const out = createWriteStream(file);
  z.outputStream.pipe(out);
  await once(out, 'close');
}

async function tableCount(store: Store, table: 'trades' | 'quarantine' | 'liquidations'): Promise<number> {
  const r = await store.db.selectFrom(table).select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

describe('ingest pipeline (real Postgres)', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await createTestStore();
  });
  afterAll(async () => t.drop());

  it('reads a .zip archive and a headerless plain CSV, inferring the market from the file name', async () => {
    const zipFile = path.join(dir, 'BTCUSDT-aggTrades-2024-01-01.zip');
    await zipOf(zipFile, 'BTCUSDT-aggTrades-2024-01-01.csv', aggTradesCsv(1000, true));
    const plain = path.join(dir, 'ETHUSDT-aggTrades-2024-01-01.csv');
    writeFileSync(plain, aggTradesCsv(700, false));
    const s = await ingestPaths(t.store, [zipFile, plain]);
    expect(s.failed).toEqual([]);
    expect(s.inserted).toBe(1700);
    const markets = await t.store.db.selectFrom('trades').select(['market_id', sql<string>`count(*)`.as('n')]).groupBy('market_id').orderBy('market_id').execute();
    expect(markets.map((m) => [m.market_id, Number(m.n)])).toEqual([
      ['binance:BTCUSDT', 1000],
      ['binance:ETHUSDT', 700],
    ]);
  });

  it('is idempotent: the same files again change nothing, even when forced', async () => {
    const zipFile = path.join(dir, 'BTCUSDT-aggTrades-2024-01-01.zip');
    const before = await tableCount(t.store, 'trades');
    const again = await ingestPaths(t.store, [zipFile]);
    expect(again.members[0]!.status).toBe('skipped');
    const forced = await ingestPaths(t.store, [zipFile], { force: true, batchSize: 300 });
    expect(forced.inserted).toBe(0);
    expect(forced.rows).toBe(1000);
    expect(await tableCount(t.store, 'trades')).toBe(before);
  });

  it('commits its first batches smaller, doubling up to the batch size, so the first COPY starts early', async () => {
    const file = path.join(dir, 'XRPUSDT-aggTrades-2024-01-02.csv');
    writeFileSync(file, aggTradesCsv(4000, true, Date.UTC(2024, 0, 2)));
    const committed: number[] = [];
    const s = await ingestPaths(t.store, [file], { batchSize: 800, onBatch: (r) => void committed.push(r.inserted.trade) });
    expect(s.inserted).toBe(4000);
    // 1/8, 1/4, 1/2 of 800, then 800 a batch; every batch with its checkpoint as before.
    expect(committed).toEqual([100, 200, 400, 800, 800, 800, 800, 100]);
    expect(await tableCount(t.store, 'trades')).toBe(4000 + 1700);
  });

  it('quarantines bad rows with file, line, field and reason, and keeps every valid row', async () => {
    const good = aggTradesCsv(5, false, Date.UTC(2024, 1, 1)).trim().split('\n');
    const bad = [
      good[0],
      '999,abc,0.1,1,1,1706745600000,true', // non-numeric price
      good[1],
      '1000,42000.1,-0.5,1,1,1706745600000,true', // negative quantity
      '1001,42000.1,0.5,1,1', // wrong column count
      good[2],
      '1002,42000.1,0.5,1,1,99999999999999,false', // timestamp out of range
      good[3],
      good[4],
    ].join('\n');
    const file = path.join(dir, 'SOLUSDT-aggTrades-2024-02-01.csv');
    writeFileSync(file, bad + '\n');
    const s = await ingestPaths(t.store, [file]);
    expect(s.inserted).toBe(5);
    expect(s.quarantined).toBe(4);
    const q = await listQuarantine(t.store, path.resolve(file));
    expect(q.map((r) => r.line)).toEqual([2, 4, 5, 7]);
    for (const r of q) {
      expect(r.file).toBe(path.resolve(file));
      expect(r.reason.length).toBeGreaterThan(5);
      expect(r.raw).toBe(bad.split('\n')[r.line - 1]);
    }
    expect(q.find((r) => r.line === 2)!.field).toMatch(/price/);
    expect(q.find((r) => r.line === 4)!.field).toMatch(/quantity|qty/);
  });

  it('reports an unknown layout and an unreadable archive as one clear line, exiting non-zero', () => {
    const unknown = path.join(dir, 'mystery.csv');
    writeFileSync(unknown, 'foo;bar;baz\n1;2;3\n');
    const r1 = runCli(['ingest', unknown], { DATABASE_URL: t.url });
    expect(r1.code).not.toBe(0);
    expect(r1.stderr).toMatch(/mystery\.csv/);
    expect(r1.stderr.trim().split('\n').filter((l) => l.startsWith('liqmap:'))).toHaveLength(1);
    const broken = path.join(dir, 'BTCUSDT-aggTrades-2024-03-01.zip');
    writeFileSync(broken, 'PK\u0003\u0004 this is not really a zip');
    const r2 = runCli(['ingest', broken], { DATABASE_URL: t.url });
    expect(r2.code).not.toBe(0);
    expect(r2.stderr).toMatch(/BTCUSDT-aggTrades-2024-03-01\.zip: .*zip/);
  });
});

describe('ingest resumes after kill -9 (real Postgres, the CLI as a user runs it)', () => {
  let clean: TestStore;
  let killed: TestStore;
  const rows = 150_000;
  const file = path.join(dir, 'BNBUSDT-aggTrades-2024-01-05.csv');
  beforeAll(async () => {
    writeFileSync(file, aggTradesCsv(rows, true, Date.UTC(2024, 0, 5)));
    [clean, killed] = await Promise.all([createTestStore(), createTestStore()]);
  });
  afterAll(async () => {
    await Promise.all([clean.drop(), killed.drop()]);
  });

  it('ends with exactly the rows of one clean run', async () => {
    const r = runCli(['ingest', file, '--batch-size', '2000'], { DATABASE_URL: clean.url });
    expect(r.code, r.stderr).toBe(0);
    expect(await tableCount(clean.store, 'trades')).toBe(rows);

    const child = spawnCli(['ingest', file, '--batch-size', '2000'], { DATABASE_URL: killed.url });
    // Kill once some batches are committed, but not all.
    let committed = 0;
    for (let i = 0; i < 600; i++) {
      await new Promise((res) => setTimeout(res, 20));
      const cp = await killed.store.db.selectFrom('ingest_checkpoints').select(['line', 'done']).executeTakeFirst().catch(() => undefined);
      if (cp && Number(cp.line) > 0) {
        committed = Number(cp.line);
        break;
      }
    }
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(committed).toBeGreaterThan(0);
    const partial = await tableCount(killed.store, 'trades');
    expect(partial).toBeLessThan(rows);

    const again = runCli(['ingest', file, '--batch-size', '2000', '--json'], { DATABASE_URL: killed.url });
    expect(again.code, again.stderr).toBe(0);
    expect(await tableCount(killed.store, 'trades')).toBe(rows);
    const ids = await killed.store.db.selectFrom('trades').select(sql<string>`count(distinct trade_id)`.as('n')).executeTakeFirstOrThrow();
    expect(Number(ids.n)).toBe(rows);
    const summary = JSON.parse(again.stdout) as { members: { status: string; rows: number }[] };
    expect(summary.members[0]!.status).toBe('resumed');
    // Three CLI runs: over a minute when the machine is loaded.
  }, 240_000);
});
