import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { parseConfig, silentLogger } from '../../base/index.js';
import { BatchWriter, createPostgresStore, type Store } from '../../db/index.js';
import { startServer, type RunningServer } from '../../api/index.js';
import { createInProcessRunner } from '../../jobs/index.js';
import { createTestStore, type TestStore } from '../_setup/store.js';

const T0 = Date.UTC(2024, 2, 1) * 1000;

describe('a read-only API process and persisted operations', () => {
  let t: TestStore;
  let ro: Store;
  let server: RunningServer;
  const doc = '{ markets { id } }';
  const hash = createHash('sha256').update(doc).digest('hex');
  beforeAll(async () => {
    t = await createTestStore();
    await new BatchWriter(t.store).write({ events: Array.from({ length: 10 }, (_, i) => ({ kind: 'trade' as const, market: 'binance:BTCUSDT', ts: T0 + i * 1e6, tradeId: String(i), price: '60000', qty: '1', side: 'buy' as const })) });
    ro = createPostgresStore({ url: t.url, readOnly: true, max: 2 });
    server = await startServer({ store: ro, config: parseConfig({ HOST: '127.0.0.1' }), logger: silentLogger, readOnly: true }, { port: 0, persistedOperations: new Map([[hash, doc]]) });
  });
  afterAll(async () => {
    await server.close();
    await ro.close();
    await t.drop();
  });

  const post = async (body: unknown) => (await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<any>;

  it('reads through a read-only connection and leaves computing to the workers', async () => {
    const r = await post({ query: '{ trades(market: "binance:BTCUSDT", first: 2) { nodes { tradeId } } }' });
    expect(r.data.trades.nodes).toEqual([{ tradeId: '0' }, { tradeId: '1' }]);
    const h = await post({ query: '{ heatmap(market: "binance:BTCUSDT") { basis } }' });
    expect(h.errors[0].extensions.code).toBe('NOT_READY');
    await expect(sql`insert into markets (id, exchange, symbol) values ('x:Y', 'x', 'Y')`.execute(ro.db)).rejects.toThrow(/read-only/);
  });

  it('answers recompute on a read-only API with a precise error, not an internal one or a job that never runs', async () => {
    const key = 'read-only-key-0123456789';
    const config = parseConfig({ HOST: '127.0.0.1', API_KEY: key });
    const jobs = createInProcessRunner(ro, silentLogger, false);
    const api = await startServer({ store: ro, config, logger: silentLogger, readOnly: true, jobs }, { port: 0 });
    try {
      const r = await (await fetch(`${api.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query: 'mutation { recompute(market: "binance:BTCUSDT", from: "2024-03-01T00:00:00Z") { jobId } }' }) })).json() as any;
      expect(r.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(r.errors[0].message).toMatch(/never run/);
    } finally {
      await api.close();
      await jobs.close();
    }
  });

  it('accepts a persisted operation by its hash', async () => {
    const r = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    expect(r.data.markets).toEqual([{ id: 'binance:BTCUSDT' }]);
    const unknown = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } });
    expect(unknown.errors[0].message).toMatch(/PersistedQueryNotFound|not found/i);
  });
});
