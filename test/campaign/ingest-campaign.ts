/**
 * The ingest part of the adversarial campaign (issue 17): generates malformed inputs over the
 * layouts — NUL bytes, huge and tiny numbers, impossible dates, invalid UTF-8, over-long
 * lines and ids, bad markets, truncated .gz, decompression bombs, BOMs, broken and mixed zips —
 * each with known valid rows around the damage, ingests every one, and counts:
 *
 * - tried: inputs generated; handled: ingested without an uncaught error (a clear
 *   `LiqmapError` for a file that cannot be read counts as handled);
 * - crashed: anything else (must be 0);
 * - rows lost: valid rows written before the damage point that are not stored (must be 0);
 * - peak RSS of this process.
 *
 * `npx tsx test/campaign/ingest-campaign.ts [--inputs N]` runs it on an in-memory PGlite and
 * prints the figures; test/indexer/campaign.test.ts runs a reduced version in CI.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import yazl from 'yazl';
import { LiqmapError } from '../../base/index.js';
import { createPgliteStore, migrateToLatest, type Store } from '../../db/index.js';
import { ingestPaths } from '../../indexer/index.js';
import { rng } from './campaign-kit.js';

/** What the campaign found. */
export interface CampaignResult {
  readonly tried: number;
  readonly handled: number;
  readonly crashed: number;
  readonly rowsLost: number;
  readonly peakRssMb: number;
  /** RSS with the database open, before the first input (PGlite's WASM heap alone is large). */
  readonly baselineRssMb: number;
  readonly crashes: readonly string[];
}

interface Input {
  /** Base name (the market comes from it for Binance layouts). */
  readonly name: string;
  readonly bytes: Buffer | (() => Promise<Buffer>);
  /** Market whose rows are counted, and how many valid rows must be stored at least. */
  readonly market: string;
  readonly validRows: number;
}

const T0 = Date.UTC(2024, 0, 1);

// Field-level damage: each replaces one field of a row.
const BAD_NUMBERS = ['1e400', '1e99999999999999999', '1e-20000', '9'.repeat(131_073), 'NaN', 'Infinity', '-0.5', '0x1F', '', '1.2.3', '0.' + '0'.repeat(40) + '1'];
const BAD_TEXT = ['\u0000', '\u001b[31mred\u001b[0m', 'x'.repeat(5000), '\ud800', '"quoted"'];
const BAD_DATES = ['2024-02-30T00:00:00Z', '2024-13-45 99:99', '2024-01-01T00:00:00+25:99', '2024-01-01 24:00:00', '99999-01-01T00:00:00Z', 'yesterday'];

type Layout = {
  readonly name: (i: number) => string;
  readonly market: (i: number) => string;
  readonly header: string | null;
  readonly row: (k: number) => string[];
  /** Column indexes by the kind of damage they take. */
  readonly numbers: readonly number[];
  readonly texts: readonly number[];
  readonly dates: readonly number[];
};

const coin = (i: number) => `C${i}`;

const LAYOUTS: readonly Layout[] = [
  {
    name: (i) => `${coin(i)}USDT-aggTrades-2024-01-01.csv`,
    market: (i) => `binance:${coin(i)}USDT`,
    header: 'agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker',
    row: (k) => [String(100 + k), (42000 + k / 10).toFixed(1), '0.01', '1', '1', String(T0 + k * 1000), k % 2 ? 'true' : 'false'],
    numbers: [1, 2],
    texts: [0, 6],
    dates: [5],
  },
  {
    name: (i) => `${coin(i)}USDT-1m-2024-01-01.csv`,
    market: (i) => `binance:${coin(i)}USDT`,
    header: 'open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore',
    row: (k) => [String(T0 + k * 60_000), '42000', '42100', '41900', '42050', '12.5', String(T0 + k * 60_000 + 59_999), '525000', '51293', '6', '252000', '0'],
    numbers: [1, 2, 3, 4, 5, 8],
    texts: [11],
    dates: [0, 6],
  },
  {
    name: (i) => `candles-1h-${i}.csv`,
    market: (i) => `hyperliquid:${coin(i)}`,
    header: 'timestamp,venue,coin,o,h,l,c,v',
    row: (k) => [new Date(T0 + k * 3_600_000).toISOString(), 'hyperliquid', 'COIN', '42000', '42100', '41900', '42050', '12.5'],
    numbers: [3, 4, 5, 6, 7],
    texts: [1, 2],
    dates: [0],
  },
  {
    name: (i) => `liquidations-${i}.csv`,
    market: (i) => `okx:${coin(i)}-USDT-SWAP`,
    header: 'timestamp,venue,coin,side,size_usd,price',
    row: (k) => [new Date(T0 + k * 1000).toISOString(), 'okx', 'COIN', k % 2 ? 'buy' : 'sell', String(1000 + k), '42000.5'],
    numbers: [4, 5],
    texts: [2, 3],
    dates: [0],
  },
];

function csv(layout: Layout, i: number, rows: string[][]): string[] {
  const fix = (r: string[]) => r.map((c) => (c === 'COIN' ? coin(i) : c)).join(',');
  return [...(layout.header ? [layout.header] : []), ...rows.map(fix)];
}

let zerosGz: Buffer | null = null;
/** 80 MiB of `0` without a newline, gzipped (~80 KB): past the 64 MiB allowance and 200×. */
function zeros(): Buffer {
  zerosGz ??= gzipSync(Buffer.alloc(80 << 20, 0x30), { level: 9 });
  return zerosGz;
}

async function zipOf(entries: [string, Buffer][]): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, b] of entries) z.addBuffer(b, name);
  z.end();
  const chunks: Buffer[] = [];
  z.outputStream.on('data', (c: Buffer) => chunks.push(c));
  await once(z.outputStream, 'end');
  return Buffer.concat(chunks);
}

/** The campaign's inputs: `n` of them, cycling through the damage kinds over the layouts. */
export function generateInputs(n: number, seed = 17): Input[] {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const inputs: Input[] = [];
  for (let i = 0; i < n; i++) {
    const layout = LAYOUTS[i % LAYOUTS.length]!;
    const good = 20 + Math.floor(rand() * 40);
    const rows = Array.from({ length: good }, (_, k) => layout.row(k));
    const at = 1 + Math.floor(rand() * (good - 2));
    const damage = i % 12;
    const base = { name: layout.name(i), market: layout.market(i) };
    // Valid rows that must be stored: all of them when the damage is one extra row; the rows
    // before the damage point when the file itself breaks there.
    const extraRow = (cells: string[]) => {
      const lines = csv(layout, i, [...rows.slice(0, at), cells, ...rows.slice(at)]);
      return { ...base, bytes: Buffer.from(lines.join('\n') + '\n'), validRows: good };
    };
    const bad = layout.row(good + 1);
    switch (damage) {
      case 0:
      case 1:
        bad[pick(layout.numbers)] = pick(BAD_NUMBERS);
        inputs.push(extraRow(bad));
        break;
      case 2:
        bad[pick(layout.texts)] = pick(BAD_TEXT);
        inputs.push(extraRow(bad));
        break;
      case 3:
        bad[pick(layout.dates)] = pick(BAD_DATES);
        inputs.push(extraRow(bad));
        break;
      case 4: {
        // Invalid UTF-8 bytes inside a row.
        const lines = csv(layout, i, rows);
        const head = Buffer.from(lines.slice(0, at + 1).join('\n') + '\n');
        const broken = Buffer.concat([Buffer.from(bad.join(',').slice(0, 3)), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(bad.join(',').slice(3) + '\n')]);
        inputs.push({ ...base, bytes: Buffer.concat([head, broken, Buffer.from(lines.slice(at + 1).join('\n') + '\n')]), validRows: good });
        break;
      }
      case 5:
        // A line far over the length limit.
        inputs.push(extraRow([...bad.slice(0, -1), 'x'.repeat((1 << 20) + 10)]));
        break;
      case 6: {
        // A UTF-8 BOM and CRLF line ends.
        const lines = csv(layout, i, rows);
        inputs.push({ ...base, bytes: Buffer.from('\uFEFF' + lines.join('\r\n') + '\r\n'), validRows: good });
        break;
      }
      case 7: {
        // A truncated .gz: the rows fully before the cut must be stored.
        const lines = csv(layout, i, rows);
        const gz = gzipSync(lines.join('\n') + '\n');
        inputs.push({ ...base, name: `${base.name}.gz`, bytes: gz.subarray(0, Math.floor(gz.length * (0.3 + rand() * 0.6))), validRows: 0 });
        break;
      }
      case 8: {
        // A decompression bomb after the valid rows: one row repeated far past 200× + 64 MiB.
        // A second gzip member (a valid multi-member stream), compressed once for every bomb.
        const lines = csv(layout, i, rows).join('\n') + '\n';
        inputs.push({ ...base, name: `${base.name}.gz`, bytes: () => Promise.resolve(Buffer.concat([gzipSync(lines), zeros()])), validRows: good });
        break;
      }
      case 9: {
        // A zip with an unknown member between two good ones.
        const lines = Buffer.from(csv(layout, i, rows).join('\n') + '\n');
        inputs.push({ ...base, name: `archive-${i}.zip`, bytes: () => zipOf([[layout.name(i), lines], ['README.txt', Buffer.from('notes\n')], [`dup/${layout.name(i)}`, lines]]), validRows: good });
        break;
      }
      case 10: {
        // A zip cut in half (its central directory gone): nothing to read, one clear error.
        const lines = Buffer.from(csv(layout, i, rows).join('\n') + '\n');
        inputs.push({ ...base, name: `cut-${i}.zip`, bytes: async () => (await zipOf([[layout.name(i), lines]])).subarray(0, 40), validRows: 0 });
        break;
      }
      default: {
        // Random bytes spliced into a row.
        const noise = Buffer.from(Array.from({ length: 8 + Math.floor(rand() * 40) }, () => Math.floor(rand() * 256)));
        const lines = csv(layout, i, rows);
        const head = Buffer.from(lines.slice(0, at + 1).join('\n') + '\n');
        inputs.push({ ...base, bytes: Buffer.concat([head, noise, Buffer.from('\n' + lines.slice(at + 1).join('\n') + '\n')]), validRows: good });
      }
    }
  }
  return inputs;
}

async function storedRows(store: Store, market: string): Promise<number> {
  let n = 0;
  for (const t of ['trades', 'candles', 'liquidations'] as const) {
    const r = await store.db.selectFrom(t).select(sql<string>`count(*)`.as('n')).where('market_id', '=', market).executeTakeFirstOrThrow();
    n += Number(r.n);
  }
  return n;
}

/** Runs the campaign over `n` inputs on a fresh in-memory PGlite. */
export async function runIngestCampaign(n: number): Promise<CampaignResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'liqmap-campaign-'));
  const store = await createPgliteStore();
  await migrateToLatest(store);
  let handled = 0;
  let rowsLost = 0;
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const crashes: string[] = [];
  const inputs = generateInputs(n);
  try {
    for (const [k, input] of inputs.entries()) {
      const sub = path.join(dir, String(k));
      const file = path.join(mkdtempSync(sub), input.name);
      writeFileSync(file, typeof input.bytes === 'function' ? await input.bytes() : input.bytes);
      try {
        const s = await ingestPaths(store, [file]);
        handled++;
        for (const f of s.failed) if (f.error.includes('\n') || f.error.includes('\u001b')) crashes.push(`${input.name}: unescaped error text`);
        const stored = await storedRows(store, input.market);
        // Binance klines without their folder are trade candles; every valid row is a row.
        if (stored < input.validRows) rowsLost += input.validRows - stored;
      } catch (e) {
        crashes.push(`${input.name}: ${e instanceof LiqmapError ? `${e.code} ${e.message}` : (e as Error).stack?.split('\n').slice(0, 3).join(' | ')}`);
      }
      peak = Math.max(peak, process.memoryUsage().rss);
      rmSync(path.dirname(file), { recursive: true, force: true });
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return { tried: inputs.length, handled, crashed: crashes.length, rowsLost, peakRssMb: Math.round(peak / 2 ** 20), baselineRssMb: Math.round(baseline / 2 ** 20), crashes };
}

/** One line: inputs tried, handled, crashed, rows lost, peak RSS (and the RSS before any input). */
export function formatCampaign(r: CampaignResult): string {
  return `ingest campaign: inputs tried ${r.tried}, handled ${r.handled}, crashed ${r.crashed}, rows lost ${r.rowsLost}, peak RSS ${r.peakRssMb} MB (${r.baselineRssMb} MB with the database open, before the first input)${r.crashes.length ? `\n  ${r.crashes.slice(0, 10).join('\n  ')}` : ''}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--inputs');
  const n = i >= 0 ? Number(process.argv[i + 1]) : 300;
  const r = await runIngestCampaign(n);
  process.stdout.write(`${formatCampaign(r)}\n`);
  if (r.crashed > 0 || r.rowsLost > 0) process.exitCode = 1;
}
