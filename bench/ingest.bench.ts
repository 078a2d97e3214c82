import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import postgres from 'postgres';
import { createPostgresStore, migrateToLatest } from '../db/index.js';
import { ingestPaths } from '../indexer/index.js';
import type { BenchFigure } from './types.js';

const PG = process.env.LIQMAP_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Writes `n` rows of a Binance aggTrades CSV (no header), time-ordered like the real files. */
async function writeAggTrades(file: string, n: number): Promise<void> {
  const out = createWriteStream(file);
  let t = Date.UTC(2024, 0, 1);
  let price = 42000;
  let id = 1_000_000_000;
  let buf = '';
  for (let i = 0; i < n; i++) {
    price = Math.max(1000, price + (((i * 7919) % 13) - 6) * 0.1);
    t += (i * 31) % 7 === 0 ? 1 : 0;
    buf += `${id},${price.toFixed(1)},${(0.001 + ((i * 104729) % 997) / 1000).toFixed(3)},${id * 2},${id * 2 + 1},${t},${i % 3 === 0 ? 'true' : 'false'}\n`;
    id++;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

/**
 * Ingest rate: `liqmap ingest` of an N-row aggTrades CSV into `trades` on Postgres, next to
 * `psql \copy` of the same file into a table with the file's own columns and key.
 */
export async function run(rows = Number(process.env.BENCH_INGEST_ROWS ?? 1_000_000)): Promise<BenchFigure[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'liqmap-bench-'));
  const file = path.join(dir, 'BTCUSDT-aggTrades-2024-01-01.csv');
  const admin = postgres(PG, { max: 1, onnotice: () => {} });
  const schemaA = `bench_copy_${process.pid}`;
  const schemaB = `bench_ingest_${process.pid}`;
  try {
    await writeAggTrades(file, rows);
    await admin.unsafe(`drop schema if exists ${schemaA} cascade; create schema ${schemaA};
      create table ${schemaA}.agg_trades (agg_trade_id bigint primary key, price numeric not null, quantity numeric not null,
        first_trade_id bigint not null, last_trade_id bigint not null, transact_time bigint not null, is_buyer_maker boolean not null)`);
    const t0 = performance.now();
    execFileSync('psql', [PG, '-q', '-c', `\\copy ${schemaA}.agg_trades from '${file}' with (format csv)`], { stdio: 'inherit' });
    const copySecs = (performance.now() - t0) / 1000;

    const store = createPostgresStore({ url: `${PG}?schema=${schemaB}`, max: 2 });
    await admin.unsafe(`drop schema if exists ${schemaB} cascade`);
    await migrateToLatest(store);
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const t1 = performance.now();
    const summary = await ingestPaths(store, [file], { market: 'binance:BTCUSDT' });
    const ingestSecs = (performance.now() - t1) / 1000;
    clearInterval(timer);
    await store.close();
    if (summary.inserted !== rows) throw new Error(`bench: expected ${rows} rows, ingested ${summary.inserted}`);
    const ours = rows / ingestSecs;
    const base = rows / copySecs;
    return [
      {
        name: `ingest ${rows.toLocaleString('en')} aggTrades rows → trades (Postgres)`,
        value: Math.round(ours),
        unit: 'rows/s',
        baseline: Math.round(base),
        baselineName: 'psql \\copy of the same file',
        ratio: ours / base,
        note: `peak RSS growth ${((peak - rss0) / 1e6).toFixed(0)} MB`,
      },
    ];
  } finally {
    await admin.unsafe(`drop schema if exists ${schemaA} cascade; drop schema if exists ${schemaB} cascade`).catch(() => {});
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}
