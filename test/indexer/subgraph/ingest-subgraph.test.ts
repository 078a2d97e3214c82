import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Store } from '../../../db/index.js';
import { ingestSubgraph } from '../../../indexer/index.js';
import { GmxV2Pager, GraphClient } from '../../../indexer/subgraph/index.js';
import { FakeGraphNode, type Row } from '../../_fixtures/graph-node-server.js';
import { createTestStore, type TestStore } from '../../_setup/store.js';
import { runCliAsync } from '../../_setup/cli.js';

const B = 233_000_000;
let node: FakeGraphNode | null = null;
afterEach(async () => {
  await node?.close();
  node = null;
});

async function counts(store: Store) {
  const n = async (q: string) => Number((await sql<{ n: string }>`${sql.raw(q)}`.execute(store.db)).rows[0]!.n);
  return {
    trades: await n(`select count(*) as n from trades where market_id like 'gmx:%'`),
    liquidations: await n(`select count(*) as n from liquidations where market_id like 'gmx:%'`),
    funding: await n(`select count(*) as n from funding_rates where market_id like 'gmx:%'`),
    history: await n(`select count(*) as n from position_history`),
    positions: await n(`select count(*) as n from positions`),
  };
}

/** What a straight read of the whole subgraph delivers, by kind. */
async function expected(n: FakeGraphNode) {
  const p = new GmxV2Pager({ client: new GraphClient({ url: n.url, retries: 2, baseDelayMs: 1 }), startBlock: B, follow: false });
  const c = { trades: 0, liquidations: 0, funding: new Set<string>(), history: 0, positions: new Set<string>() };
  for await (const page of p) {
    for (const e of page.events) {
      if (e.kind === 'trade') c.trades++;
      if (e.kind === 'liquidation') c.liquidations++;
      if (e.kind === 'funding') c.funding.add(`${e.market}|${e.ts}`);
    }
    c.history += page.positions.length;
    for (const s of page.positions) c.positions.add(s.key);
  }
  return { trades: c.trades, liquidations: c.liquidations, funding: c.funding.size, history: c.history, positions: c.positions.size };
}

describe('the GMX v2 subgraph source into Postgres (local graph-node)', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await createTestStore();
  });
  afterAll(async () => t.drop());

  it('stores events and positions with history, resumes from its checkpoint, and re-ingests nothing twice', async () => {
    const n = (node = await FakeGraphNode.start());
    const want = await expected(n);
    expect(want.trades).toBeGreaterThan(0);
    // Stop after two pages, then resume.
    const ac = new AbortController();
    let pagesSeen = 0;
    const first = await ingestSubgraph(t.store, { url: n.url, protocol: 'gmx-v2', startBlock: B, pageSize: 4, retries: 2, signal: ac.signal, onBatch: () => (++pagesSeen >= 2 ? ac.abort() : undefined) }).catch((e: unknown) => e);
    void first;
    const partial = await counts(t.store);
    expect(partial.history).toBeLessThan(want.history);
    const rest = await ingestSubgraph(t.store, { url: n.url, protocol: 'gmx-v2', startBlock: B, pageSize: 4, retries: 2 });
    expect(rest.pages).toBeGreaterThan(0);
    expect(await counts(t.store)).toEqual(want);
    const again = await ingestSubgraph(t.store, { url: n.url, protocol: 'gmx-v2', startBlock: B, retries: 2 });
    expect(again.inserted).toBe(0);
    expect(await counts(t.store)).toEqual(want);
  });

  it('rolls back what orphaned blocks wrote on a reorg and re-reads the new chain', async () => {
    const n = (node = await FakeGraphNode.start());
    const other = await createTestStore();
    try {
      await ingestSubgraph(other.store, { url: n.url, protocol: 'gmx-v2', startBlock: B, pageSize: 4, retries: 2 });
      const template = n.rows('positionChanges').at(-1)!;
      const replacement: Row = { ...template, id: `0x${'ab'.repeat(32)}-000001`, blockNumber: String(B + 36), blockHash: `0x${'cd'.repeat(32)}`, timestamp: String(Number(template.timestamp) + 1) };
      n.reorg(B + 35, { positionChanges: [replacement] });
      const r = await ingestSubgraph(other.store, { url: n.url, protocol: 'gmx-v2', startBlock: B, pageSize: 4, retries: 2 });
      expect(r.reorgs).toBe(1);
      // The store now holds exactly what a fresh read of the new chain delivers.
      expect(await counts(other.store)).toEqual(await expected(n));
      const orphaned = await sql<{ n: string }>`select count(*) as n from position_history where block >= ${B + 35} and change_id <> ${String(replacement.id)}`.execute(other.store.db);
      expect(Number(orphaned.rows[0]!.n)).toBe(0);
      const kept = await sql<{ n: string }>`select count(*) as n from trades where trade_id = ${String(replacement.id)}`.execute(other.store.db);
      expect(Number(kept.rows[0]!.n)).toBe(1);
    } finally {
      await other.drop();
    }
  });

  it('rides out indexing errors with retries', async () => {
    const n = (node = await FakeGraphNode.start());
    const other = await createTestStore();
    try {
      n.failNext('has-indexing-errors', 2);
      n.failNext('http-503', 1);
      await ingestSubgraph(other.store, { url: n.url, protocol: 'gmx-v2', startBlock: B, retries: 5 });
      expect(await counts(other.store)).toEqual(await expected(n));
    } finally {
      await other.drop();
    }
  });

  it('`liqmap ingest subgraph <url> --protocol gmx-v2` loads it from the command line', async () => {
    const n = (node = await FakeGraphNode.start());
    const other = await createTestStore({ migrate: false });
    try {
      const r = await runCliAsync(['ingest', 'subgraph', n.url, '--protocol', 'gmx-v2', '--start-block', String(B), '--json'], { DATABASE_URL: other.url });
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.pages).toBeGreaterThan(0);
      expect(await counts(other.store)).toEqual(await expected(n));
      const bad = await runCliAsync(['ingest', 'subgraph', n.url, '--protocol', 'uniswap'], { DATABASE_URL: other.url });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--protocol uniswap is not supported/);
    } finally {
      await other.drop();
    }
  });
});
