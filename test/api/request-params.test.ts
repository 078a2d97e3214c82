import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, silentLogger } from '../../base/index.js';
import { startServer, type RunningServer } from '../../api/index.js';
import { createTestStore, type TestStore } from '../_setup/store.js';

describe('malformed JSON parameters of a GET (or form-encoded) GraphQL request', () => {
  let t: TestStore;
  let server: RunningServer;
  const query = encodeURIComponent('query($m: ID!) { market(id: $m) { id } }');
  beforeAll(async () => {
    t = await createTestStore();
    server = await startServer({ store: t.store, config: parseConfig({ HOST: '127.0.0.1' }), logger: silentLogger }, { port: 0 });
  });
  afterAll(async () => {
    await server.close();
    await t.drop();
  });

  const get = async (params: string) => {
    const res = await fetch(`${server.url}/graphql?query=${query}&${params}`, { headers: { accept: 'application/json' } });
    return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] } };
  };

  it('are the caller\'s mistake: 400 BAD_REQUEST naming the parameter, not a masked internal error', async () => {
    const v = await get('variables=%7Bnope');
    expect(v.status).toBe(400);
    expect(v.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    expect(v.body.errors?.[0]?.message).toMatch(/^variables: not valid JSON/);
    const e = await get(`variables=${encodeURIComponent('{"m":"binance:BTCUSDT"}')}&extensions=nope`);
    expect(e.status).toBe(400);
    expect(e.body.errors?.[0]?.message).toMatch(/^extensions: not valid JSON/);
    const form = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: `query=${query}&variables=%7Bnope` });
    expect(form.status).toBe(400);
    expect(((await form.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('BAD_REQUEST');
  });

  it('leaves well-formed parameters alone', async () => {
    const ok = await get(`variables=${encodeURIComponent('{"m":"binance:BTCUSDT"}')}`);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ data: { market: null } });
  });
});
