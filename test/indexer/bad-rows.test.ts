import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getCheckpoint, listQuarantine, type Store } from '../../db/index.js';
import { ingestPaths } from '../../indexer/index.js';
import { createPgliteTestStore, createTestStore, type TestStore } from '../_setup/store.js';
import { runCli } from '../_setup/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'liqmap-badrows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.UTC(2024, 0, 1);

function aggLine(i: number, price = (42000 + (i % 1000) / 10).toFixed(1)): string {
  return `${100 + i},${price},0.00${(i % 9) + 1},${200 + i},${200 + i},${T0 + i * 250},${i % 2 === 0}`;
}

/**
 * Values Postgres refuses (or that would break every heatmap), each on its own line in the
 * middle of a large file: the line number (1-based, header on line 1) → the text and the field
 * the quarantine must name.
 */
function badLines(at: number): Map<number, { text: string | Buffer; field: RegExp; reason: RegExp }> {
  const m = new Map<number, { text: string | Buffer; field: RegExp; reason: RegExp }>();
  const add = (text: string | Buffer, field: RegExp, reason: RegExp) => m.set(at + m.size * 7, { text, field, reason });
  add(`9000001,42000.1,0.5,1,1,${T0},tr\u0000ue`, /row/, /NUL/);
  add(`9000002,${'9'.repeat(131_073)},0.5,1,1,${T0},true`, /price/, /characters long/);
  add(`9000003,42000.1,1e-20000,1,1,${T0},true`, /quantity/, /outside the accepted range/);
  add(`9000004,1e400,0.5,1,1,${T0},true`, /price/, /outside the accepted range/);
  add(`9000005,42000.1,1e99999999999999999,1,1,${T0},true`, /quantity/, /outside the accepted range/);
  add(`${'7'.repeat(3000)},42000.1,0.5,1,1,${T0},true`, /agg_trade_id/, /characters long/);
  // Invalid UTF-8 as a file carries it: 0xFF is never valid in UTF-8.
  add(Buffer.concat([Buffer.from('90000'), Buffer.from([0xff]), Buffer.from(`7,42000.1,0.5,1,1,${T0},true`)]), /row/, /UTF-8/);
  add(`9000008,0.0000000000000000000000000000000000001,0.5,1,1,${T0},true`, /price/, /outside the accepted range|digits after/);
  return m;
}

function bigFile(name: string, n: number): { file: string; bad: ReturnType<typeof badLines> } {
  const bad = badLines(Math.floor(n / 2));
  const lines: (string | Buffer)[] = ['agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker'];
  let i = 0;
  while (lines.length < n + bad.size + 1) {
    const b = bad.get(lines.length + 1);
    lines.push(b ? b.text : aggLine(i++));
  }
  const file = path.join(dir, name);
  writeFileSync(file, Buffer.concat(lines.flatMap((l) => [typeof l === 'string' ? Buffer.from(l) : l, Buffer.from('\n')])));
  return { file, bad };
}

async function count(store: Store, table: 'trades' | 'candles' | 'quarantine'): Promise<number> {
  const r = await store.db.selectFrom(table).select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

async function expectExactQuarantine(store: Store, file: string, bad: ReturnType<typeof badLines>): Promise<void> {
  const q = await listQuarantine(store, path.resolve(file));
  expect(q.map((r) => r.line)).toEqual([...bad.keys()]);
  for (const r of q) {
    const want = bad.get(r.line)!;
    expect(r.field ?? '', `line ${r.line}: ${r.reason}`).toMatch(want.field);
    expect(r.reason, `line ${r.line}`).toMatch(want.reason);
    expect(r.raw.length).toBeLessThanOrEqual(4096);
  }
}

const N = 60_000;

describe('a bad row in the middle of a large file (real Postgres, the CLI)', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await createTestStore();
  });
  afterAll(async () => t.drop());

  it('ingests every valid row, quarantines exactly the bad ones with reasons, exits 0; a rerun changes nothing', async () => {
    const { file, bad } = bigFile('BTCUSDT-aggTrades-2024-01-01.csv', N);
    const r = runCli(['ingest', file, '--batch-size', '20000'], { DATABASE_URL: t.url });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    expect(await count(t.store, 'trades')).toBe(N);
    await expectExactQuarantine(t.store, file, bad);
    const cp = (await getCheckpoint(t.store, path.resolve(file)))!;
    expect([cp.done, cp.rowsWritten, cp.rowsQuarantined]).toEqual([true, N, bad.size]);

    const again = runCli(['ingest', file, '--force', '--batch-size', '20000'], { DATABASE_URL: t.url });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/ 0 new/);
    expect(await count(t.store, 'trades')).toBe(N);
    expect(await count(t.store, 'quarantine')).toBe(bad.size);
  }, 120_000);

  it('quarantines klines whose interval or trade count overflow int32', async () => {
    const k = (open: number, close: number, count: string) => `${open},42000,42100,41900,42050,12.5,${close},525000,${count},6,252000,0`;
    const file = path.join(dir, 'BTCUSDT-1h-2024-01-01.csv');
    const h = 3_600_000;
    writeFileSync(
      file,
      [k(T0, T0 + h - 1, '51293'), k(T0 + h, Date.UTC(2099, 0, 1), '10'), k(T0 + 2 * h, T0 + 3 * h - 1, '99999999999'), k(T0 + 3 * h, T0 + 4 * h - 1, '12')].join('\n') + '\n',
    );
    const s = await ingestPaths(t.store, [file]);
    expect(s.inserted).toBe(2);
    const q = await listQuarantine(t.store, path.resolve(file));
    expect(q.map((r) => [r.line, r.field])).toEqual([
      [2, 'close_time'],
      [3, 'count'],
    ]);
  });
});

describe('a bad row in the middle of a large file (PGlite, the embedded default)', () => {
  let store: Store;
  beforeAll(async () => {
    store = await createPgliteTestStore();
  });
  afterAll(async () => store.close());

  it('ingests every valid row and quarantines exactly the bad ones; a rerun changes nothing', async () => {
    const { file, bad } = bigFile('ETHUSDT-aggTrades-2024-01-01.csv', N);
    const s = await ingestPaths(store, [file], { batchSize: 20_000 });
    expect(s.failed).toEqual([]);
    expect([s.inserted, s.quarantined]).toEqual([N, bad.size]);
    await expectExactQuarantine(store, file, bad);
    const again = await ingestPaths(store, [file], { force: true, batchSize: 20_000 });
    expect([again.inserted, again.quarantined]).toEqual([0, bad.size]);
    expect(await count(store, 'trades')).toBe(N);
    expect(await count(store, 'quarantine')).toBe(bad.size);
  }, 120_000);
});

/**
 * A value past every validation that the database still refuses (a constraint of the test's
 * own schema): the batch writer bisects the batch and quarantines the refused rows with the
 * database's reason, in the batch's transaction.
 */
describe.each([
  ['Postgres', async () => {
    const t = await createTestStore();
    return { store: t.store, close: () => t.drop() };
  }],
  ['PGlite', async () => {
    const store = await createPgliteTestStore();
    return { store, close: () => store.close() };
  }],
])('rows the database refuses after validation (%s)', (_name, open) => {
  let store: Store;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ store, close } = await open());
    await sql`alter table trades add constraint test_no_777 check (price <> 777)`.execute(store.db);
  });
  afterAll(async () => close());

  it('bisects the batch, quarantines exactly the refused rows with the reason, and commits the rest with the checkpoint', async () => {
    const n = 5000;
    const refused = new Set([1234, 1235, 4321]);
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(aggLine(i, refused.has(i) ? '777' : undefined));
    const sub = mkdtempSync(path.join(dir, `${_name}-`));
    const file = path.join(sub, 'SOLUSDT-aggTrades-2024-01-02.csv');
    writeFileSync(file, lines.join('\n') + '\n');
    const s = await ingestPaths(store, [file], { batchSize: 2000 });
    expect(s.failed).toEqual([]);
    expect([s.rows, s.inserted, s.quarantined]).toEqual([n - refused.size, n - refused.size, refused.size]);
    expect(await count(store, 'trades')).toBe(n - refused.size);
    const q = await listQuarantine(store, path.resolve(file));
    expect(q.map((r) => r.line)).toEqual([...refused].map((i) => i + 1));
    for (const r of q) {
      expect(r.reason).toMatch(/test_no_777/);
      expect(r.reason).toMatch(/SQLSTATE 23514/);
      expect(r.raw).toBe(lines[r.line - 1]);
    }
    const cp = (await getCheckpoint(store, path.resolve(file)))!;
    expect([cp.done, cp.rowsWritten, cp.rowsQuarantined]).toEqual([true, n - refused.size, refused.size]);

    const again = await ingestPaths(store, [file], { force: true, batchSize: 2000 });
    expect([again.inserted, again.quarantined]).toEqual([0, refused.size]);
    expect(await count(store, 'trades')).toBe(n - refused.size);
    expect(await count(store, 'quarantine')).toBe(refused.size);
  }, 60_000);
});
