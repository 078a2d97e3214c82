import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { fileURLToPath, pathToFileURL } from 'node:url';
import postgres from 'postgres';
import { alternate, spread } from './alternate.js';
import type { BenchFigure } from './types.js';

const PG = process.env.LIQMAP_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const root = fileURLToPath(new URL('..', import.meta.url));
/** The memory promise of the file ingest, checked on the large file. */
const RSS_LIMIT_MB = 200;

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

/** One run of a command: wall seconds and peak RSS (VmHWM, sampled from /proc until it exits). */
interface Run {
  readonly secs: number;
  readonly peakMb: number;
}

/** Runs `cmd args` to completion (stdout dropped, stderr shown on failure). */
async function timed(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  const t0 = performance.now();
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  let peakKb = 0;
  const sample = () => {
    try {
      const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peakKb = Math.max(peakKb, Number(m[1]));
    } catch {
      // exited between samples
    }
  };
  const timer = setInterval(sample, 100);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearInterval(timer);
  if (code !== 0) throw new Error(`bench: ${cmd} ${args.join(' ')} exited ${code}: ${stderr}`);
  return { secs: (performance.now() - t0) / 1000, peakMb: peakKb / 1024 };
}

/**
 * `liqmap` as shipped: the bundled CLI (dist/bundle/, built at the start of the bench), run the way
 * bin/liqmap.js runs it, but never falling back to the TypeScript sources if they change
 * meanwhile. BENCH_INGEST_CLI=dist/cli/index.js runs tsc's unbundled output instead, to compare.
 */
function liqmap(args: readonly string[], schema: string): Promise<Run> {
  const main = `const { main } = await import(${JSON.stringify(pathToFileURL(path.join(root, process.env.BENCH_INGEST_CLI ?? 'dist/bundle/cli.js')).href)}); await main(process.argv);`;
  return timed(process.execPath, ['--input-type=module', '-e', main, 'liqmap', ...args], { ...process.env, DATABASE_URL: `${PG}?schema=${schema}`, LOG_LEVEL: 'warn' });
}

/**
 * Ingest rate: `liqmap ingest` of an N-row aggTrades CSV into `trades` on Postgres — the whole
 * CLI, a process per run — next to `psql \copy` of the same file into a table with the file's
 * own columns and key, alternately, three rounds each. Then the memory row: a 10M-row file
 * ingested by the CLI, peak RSS against the 200 MB promise (a figure over it fails the bench).
 */
export async function run(
  rows = Number(process.env.BENCH_INGEST_ROWS ?? 1_000_000),
  bigRows = Number(process.env.BENCH_INGEST_BIG_ROWS ?? 10_000_000),
): Promise<BenchFigure[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'liqmap-bench-'));
  const file = path.join(dir, 'BTCUSDT-aggTrades-2024-01-01.csv');
  const admin = postgres(PG, { max: 1, onnotice: () => {} });
  const schemaA = `bench_copy_${process.pid}`;
  const schemaB = `bench_ingest_${process.pid}`;
  try {
    process.stderr.write('ingest bench: building the CLI (npm run build)…\n');
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    await writeAggTrades(file, rows);

    const ours = async (): Promise<Run> => {
      await admin.unsafe(`drop schema if exists ${schemaB} cascade`);
      await liqmap(['migrate'], schemaB); // the schema exists before, as the baseline's table does
      const r = await liqmap(['ingest', file, '--market', 'binance:BTCUSDT'], schemaB);
      const [n] = await admin.unsafe(`select count(*)::int as n from ${schemaB}.trades`);
      if (n?.n !== rows) throw new Error(`bench: expected ${rows} trades, found ${n?.n}`);
      return r;
    };
    const theirs = async (): Promise<Run> => {
      await admin.unsafe(`drop schema if exists ${schemaA} cascade; create schema ${schemaA};
        create table ${schemaA}.agg_trades (agg_trade_id bigint primary key, price numeric not null, quantity numeric not null,
          first_trade_id bigint not null, last_trade_id bigint not null, transact_time bigint not null, is_buyer_maker boolean not null)`);
      return timed('psql', [PG, '-q', '-c', `\\copy ${schemaA}.agg_trades from '${file}' with (format csv)`]);
    };
    const rounds = await alternate({ ours, theirs }, (r) => 1 / r.secs);
    const oursRate = spread(rounds.ours.map((r) => rows / r.secs));
    const theirsRate = spread(rounds.theirs.map((r) => rows / r.secs));
    const figures: BenchFigure[] = [
      {
        name: `ingest ${rows.toLocaleString('en')} aggTrades rows → trades (Postgres, whole CLI)`,
        value: Math.round(oursRate.median),
        unit: 'rows/s',
        baseline: Math.round(theirsRate.median),
        baselineName: "psql \\copy of the same file into a table of the file's columns + key",
        ratio: rounds.ratios.median,
        ratios: rounds.ratios,
        note: `ours ${rounds.ours.map((r) => r.secs.toFixed(1)).join('/')} s, psql ${rounds.theirs.map((r) => r.secs.toFixed(1)).join('/')} s; peak RSS ${Math.max(...rounds.ours.map((r) => r.peakMb)).toFixed(0)} MB`,
      },
    ];
    rmSync(file);

    if (bigRows > 0) {
      const big = path.join(dir, 'BTCUSDT-aggTrades-2024-02-01.csv');
      await writeAggTrades(big, bigRows);
      await admin.unsafe(`drop schema if exists ${schemaB} cascade`);
      await liqmap(['migrate'], schemaB);
      const r = await liqmap(['ingest', big, '--market', 'binance:BTCUSDT'], schemaB);
      rmSync(big);
      const over = r.peakMb >= RSS_LIMIT_MB;
      if (over) process.exitCode = 1;
      figures.push({
        name: `ingest ${bigRows.toLocaleString('en')} aggTrades rows (whole CLI): peak RSS, MB (lower is better)`,
        value: Math.round(r.peakMb),
        unit: 'MB',
        baseline: RSS_LIMIT_MB,
        baselineName: 'the limit',
        ratio: RSS_LIMIT_MB / r.peakMb,
        note: `${over ? 'OVER THE LIMIT; ' : ''}${Math.round(bigRows / r.secs).toLocaleString('en')} rows/s`,
      });
    }
    return figures;
  } finally {
    await admin.unsafe(`drop schema if exists ${schemaA} cascade; drop schema if exists ${schemaB} cascade`).catch(() => {});
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}
