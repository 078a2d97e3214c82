import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EMBEDDED_ENV, spawnServing } from '../_setup/cli.js';

describe('liqmap start: the embedded default (PGlite, in-process jobs, no services)', () => {
  it('migrates, ingests the demo market, computes, and serves it over GraphQL', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'liqmap-start-'));
    const { child, url, stderr } = await spawnServing(['start', '--days', '0.5'], { ...EMBEDDED_ENV, LIQMAP_DATA_DIR: dir, LOG_LEVEL: 'info' });
    try {
      const gql = async (query: string) => (await (await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })).json()) as any;
      const r = await gql('{ markets { id tradeCount lastPrice } trades(market: "demo:BTCUSDT", first: 3) { nodes { time price qty side } } }');
      expect(r.errors).toBeUndefined();
      expect(r.data.markets[0].id).toBe('demo:BTCUSDT');
      expect(r.data.markets[0].tradeCount).toBeGreaterThan(10_000);
      expect(r.data.trades.nodes).toHaveLength(3);
      // The in-process runner computes after the ingest; until it is done the API says NOT_READY at once.
      let h = await gql('{ clusters(market: "demo:BTCUSDT") { basis clusters { side notional } } }');
      for (let i = 0; i < 600 && h.errors?.[0]?.extensions?.code === 'NOT_READY'; i++) {
        await new Promise((res) => setTimeout(res, 100));
        h = await gql('{ clusters(market: "demo:BTCUSDT") { basis clusters { side notional } } }');
      }
      expect(h.errors).toBeUndefined();
      expect(h.data.clusters.basis).toBe('ESTIMATED');
      // One compute of the whole ingest: none started mid-ingest to be rolled back by a later kind's batch.
      const computed = () => stderr().split('\n').filter((l) => l.includes('"at":"jobs#in-process"') && l.includes('"msg":"computed"')).map((l) => JSON.parse(l) as { market: string; buckets: number; rolledBack: number });
      for (let i = 0; i < 100 && computed().length === 0; i++) await new Promise((res) => setTimeout(res, 100));
      expect(computed()).toEqual([expect.objectContaining({ market: 'demo:BTCUSDT', rolledBack: 0, buckets: 720 })]);
      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<canvas/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.on('exit', r));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
