import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import postgres from 'postgres';
import { createPostgresStore, migrateToLatest, timestampText } from '../db/index.js';
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

/** The rows of an aggTrades file as the canonical trades CSV our COPY sends. */
async function writeCanonical(from: string, to: string): Promise<void> {
  const out = createWriteStream(to);
  const lines = createInterface({ input: createReadStream(from), crlfDelay: Infinity });
  let buf = '';
  for await (const l of lines) {
    const c = l.split(',');
    const us = Number(c[5]) * 1000;
    buf += `binance:BTCUSDT,${timestampText(us)},agg:${c[0]},${c[1]},${c[2]},${c[6] === 'true' ? 'sell' : 'buy'}\n`;
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

    // Second baseline: the same rows as canonical CSV, \copy'd into a table shaped exactly like
    // `trades` (same columns, key and monthly partition): the database's own floor for our schema.
    const schemaC = `bench_floor_${process.pid}`;
    const canonical = path.join(dir, 'canonical.csv');
    await writeCanonical(file, canonical);
    await admin.unsafe(`drop schema if exists ${schemaC} cascade; create schema ${schemaC};
      create table ${schemaC}.trades (market_id text not null, ts timestamptz not null, trade_id text not null,
        price numeric not null, qty numeric not null, side text, primary key (market_id, ts, trade_id)) partition by range (ts);
      create table ${schemaC}.trades_2024_01 partition of ${schemaC}.trades for values from ('2024-01-01') to ('2024-02-01');
      create table ${schemaC}.trades_default partition of ${schemaC}.trades default`);
    const t2 = performance.now();
    execFileSync('psql', [PG, '-q', '-c', `\\copy ${schemaC}.trades from '${canonical}' with (format csv)`], { stdio: 'inherit' });
    const floorSecs = (performance.now() - t2) / 1000;
    await admin.unsafe(`drop schema if exists ${schemaC} cascade`);

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
      {
        name: `ingest ${rows.toLocaleString('en')} aggTrades rows → trades, against the database floor for the trades schema`,
        value: Math.round(ours),
        unit: 'rows/s',
        baseline: Math.round(rows / floorSecs),
        baselineName: 'psql \\copy of the same rows, already canonical, into a trades-shaped table',
        ratio: ours / (rows / floorSecs),
      },
    ];
  } finally {
    await admin.unsafe(`drop schema if exists ${schemaA} cascade; drop schema if exists ${schemaB} cascade`).catch(() => {});
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}
