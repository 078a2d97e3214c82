import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import yazl from 'yazl';
import { getCheckpoint, listQuarantine, type Store } from '../../db/index.js';
import { ingestPaths, openInput } from '../../indexer/index.js';
import { createPgliteTestStore, createTestStore, type TestStore } from '../_setup/store.js';
import { runCli } from '../_setup/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'liqmap-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = 'agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker';
const T0 = Date.UTC(2024, 0, 1);
const line = (i: number) => `${100 + i},${(42000 + (i % 1000) / 10).toFixed(1)},0.00${(i % 9) + 1},${200 + i},${200 + i},${T0 + i * 250},${i % 2 === 0}`;
const rows = (from: number, n: number) => Array.from({ length: n }, (_, k) => line(from + k));

async function zipOf(file: string, entries: [string, string][]): Promise<void> {
  const z = new yazl.ZipFile();
  for (const [name, content] of entries) z.addBuffer(Buffer.from(content), name);
  z.end();
  const out = createWriteStream(file);
  z.outputStream.pipe(out);
  await once(out, 'close');
}

async function trades(store: Store, market?: string): Promise<number> {
  let q = store.db.selectFrom('trades').select(sql<string>`count(*)`.as('n'));
  if (market) q = q.where('market_id', '=', market);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

function sub(name: string): string {
  return mkdtempSync(path.join(dir, `${name}-`));
}

describe('hostile files (PGlite, the embedded default)', () => {
  let store: Store;
  beforeAll(async () => {
    store = await createPgliteTestStore();
  });
  afterAll(async () => store.close());

  it('quarantines a line over the length limit and reads on, in bounded memory', async () => {
    const file = path.join(sub('long'), 'BTCUSDT-aggTrades-2024-01-01.csv');
    const long = `1,${'9'.repeat(3 << 20)},1,1,1,${T0},true`;
    writeFileSync(file, [HEADER, ...rows(0, 100), long, ...rows(100, 100)].join('\n') + '\n');
    const s = await ingestPaths(store, [file]);
    expect(s.failed).toEqual([]);
    expect([s.inserted, s.quarantined]).toEqual([200, 1]);
    const [q] = await listQuarantine(store, path.resolve(file));
    expect(q!.line).toBe(102);
    expect(q!.reason).toContain(`${long.length} characters long (the limit is 1048576)`);
    expect(q!.raw.length).toBe(4096);
  });

  it('stops a decompression bomb with one line naming the file and the line reached, keeping the rows before', async () => {
    const file = path.join(sub('bomb'), 'ETHUSDT-aggTrades-2024-01-01.csv.gz');
    // 2 MB of one repeated row compresses ~400×; the limit here is 20× beyond 256 KiB.
    const body = [HEADER, ...rows(0, 3000), ...Array.from({ length: 40_000 }, () => line(5000))].join('\n');
    writeFileSync(file, gzipSync(body, { level: 9 }));
    const s = await ingestPaths(store, [file], { limits: { maxExpansion: 20, expansionAllowance: 256 << 10 } });
    expect(s.failed).toHaveLength(1);
    expect(s.failed[0]!.error).toMatch(/ETHUSDT-aggTrades-2024-01-01\.csv\.gz: decompresses to more than 20× its compressed size .* after line \d+; the rows up to that line are stored/);
    expect(s.failed[0]!.error.split('\n')).toHaveLength(1);
    const cp = (await getCheckpoint(store, path.resolve(file)))!;
    expect(cp.done).toBe(false);
    expect(await trades(store, 'binance:ETHUSDT')).toBe(Math.min(cp.line - 1, 3001));
    expect(cp.line).toBeGreaterThan(3000);
  });

  it('reports a truncated .gz with the file and the line reached, keeping every complete row before it', async () => {
    const file = path.join(sub('trunc'), 'SOLUSDT-aggTrades-2024-01-01.csv.gz');
    const gz = gzipSync([HEADER, ...rows(0, 20_000)].join('\n') + '\n');
    writeFileSync(file, gz.subarray(0, Math.floor(gz.length / 2)));
    const s = await ingestPaths(store, [file]);
    expect(s.failed).toHaveLength(1);
    const m = /SOLUSDT-aggTrades-2024-01-01\.csv\.gz: corrupt or truncated gzip data \(unexpected end of file\) after line (\d+); the rows up to that line are stored/.exec(s.failed[0]!.error);
    expect(m, s.failed[0]!.error).not.toBeNull();
    const reached = Number(m![1]);
    expect(reached).toBeGreaterThan(1000);
    expect(await trades(store, 'binance:SOLUSDT')).toBe(reached - 1);
  });

  it('strips a UTF-8 byte-order mark before header detection', async () => {
    const file = path.join(sub('bom'), 'XRPUSDT-aggTrades-2024-01-01.csv');
    writeFileSync(file, '\uFEFF' + [HEADER, ...rows(0, 50)].join('\r\n') + '\r\n');
    const s = await ingestPaths(store, [file]);
    expect([s.inserted, s.quarantined]).toEqual([50, 0]);
  });

  it('skips an unknown archive member with a message and reads the others', async () => {
    const file = path.join(sub('zip'), 'archive.zip');
    await zipOf(file, [
      ['ADAUSDT-aggTrades-2024-01-01.csv', rows(0, 30).join('\n')],
      ['README.txt', 'this archive holds trades\n'],
      ['DOTUSDT-aggTrades-2024-01-01.csv', rows(0, 40).join('\n')],
    ]);
    const s = await ingestPaths(store, [file]);
    expect(s.failed.map((f) => f.file)).toEqual([`${path.resolve(file)}#README.txt`]);
    expect(s.failed[0]!.error).toMatch(/README\.txt: unknown layout/);
    expect([await trades(store, 'binance:ADAUSDT'), await trades(store, 'binance:DOTUSDT')]).toEqual([30, 40]);
  });

  it('reads the entries of a 4,000-entry zip in one pass (linear, not quadratic)', async () => {
    const file = path.join(sub('many'), 'many.zip');
    const n = 4_000;
    await zipOf(file, Array.from({ length: n }, (_, i): [string, string] => [`e${i}.csv`, `${i}\n`]));
    const started = performance.now();
    const input = await openInput(file);
    let bytes = 0;
    let members = 0;
    for await (const m of input.members) {
      members++;
      for await (const chunk of await m.open()) bytes += (chunk as Buffer).length;
    }
    const seconds = (performance.now() - started) / 1000;
    expect(members).toBe(n);
    expect(bytes).toBeGreaterThan(n * 2);
    // The old reader re-scanned the central directory per entry (~2.5 h for 20,000 entries, ~8M
    // entry reads here); one pass takes a few seconds even on a loaded machine.
    expect(seconds).toBeLessThan(25);
  }, 60_000);

  it('replaces a source’s quarantine entries when the file changes', async () => {
    const file = path.join(sub('stale'), 'LTCUSDT-aggTrades-2024-01-01.csv');
    writeFileSync(file, [...rows(0, 2), 'bad,row', ...rows(2, 2)].join('\n') + '\n');
    await ingestPaths(store, [file]);
    expect((await listQuarantine(store, path.resolve(file))).map((q) => q.line)).toEqual([3]);
    writeFileSync(file, [...rows(0, 4), 'another,bad,row', ...rows(4, 1)].join('\n') + '\n');
    await ingestPaths(store, [file]);
    expect((await listQuarantine(store, path.resolve(file))).map((q) => [q.line, q.raw])).toEqual([[5, 'another,bad,row']]);
  });

  it('reads a file again under a new --market instead of skipping it silently', async () => {
    const file = path.join(sub('market'), 'trades-export.csv');
    writeFileSync(file, [HEADER, ...rows(0, 25)].join('\n') + '\n');
    const a = await ingestPaths(store, [file], { market: 'binance:AAAUSDT' });
    expect(a.inserted).toBe(25);
    const b = await ingestPaths(store, [file], { market: 'binance:BBBUSDT' });
    expect(b.members[0]!.status).toBe('ingested');
    expect(b.members[0]!.previousMarket).toBe('binance:AAAUSDT');
    expect([await trades(store, 'binance:AAAUSDT'), await trades(store, 'binance:BBBUSDT')]).toEqual([25, 25]);
    const c = await ingestPaths(store, [file], { market: 'binance:BBBUSDT' });
    expect(c.members[0]!.status).toBe('skipped');
  });
});

describe('hostile files on the command line (real Postgres)', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await createTestStore();
  });
  afterAll(async () => t.drop());

  it('escapes file bytes and ANSI escapes in error messages, and refuses a bad --market in one line', () => {
    const file = path.join(sub('ansi'), 'mystery.csv');
    writeFileSync(file, '\u001b[31mred\u001b[0m;\u0007bell\n1;2\n');
    const r = runCli(['ingest', file], { DATABASE_URL: t.url });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/mystery\.csv: unknown layout/);
    expect(r.stderr).toMatch(/\\u\{1b\}\[31mred/);
    expect([...r.stderr].filter((c) => c.charCodeAt(0) < 32 && c !== '\n')).toEqual([]);
    const m = runCli(['ingest', file, '--market', `binance:BTC "USDT`], { DATABASE_URL: t.url });
    expect(m.code).toBe(2);
    expect(m.stderr.trim()).toMatch(/^liqmap: INPUT_INVALID: --market: must be exchange:SYMBOL/);
    expect(m.stderr.trim().split('\n')).toHaveLength(1);
  });
});
