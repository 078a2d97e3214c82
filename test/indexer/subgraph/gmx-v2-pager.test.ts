import { afterEach, describe, expect, it } from 'vitest';
import { isLiqmapError } from '../../../base/errors.js';
import {
  GmxV2Pager,
  GraphClient,
  type GmxV2Cursor,
  type GmxV2Page,
  type GmxV2PagerOptions,
} from '../../../indexer/subgraph/index.js';
import { FakeGraphNode, type FakeGraphNodeOptions, type Row } from '../../_fixtures/graph-node-server.js';

const B = 233_000_000;
const START = B;
const ETH_USD = '0x70d95587d40a2caf56bd97485ab3eec10bee6336';

let node: FakeGraphNode | null = null;
afterEach(async () => {
  await node?.close();
  node = null;
});

async function start(options: FakeGraphNodeOptions = {}): Promise<FakeGraphNode> {
  node = await FakeGraphNode.start(options);
  return node;
}

function pager(n: FakeGraphNode, options: Partial<GmxV2PagerOptions> = {}): GmxV2Pager {
  const client = new GraphClient({ url: n.url, retries: 4, baseDelayMs: 1 });
  return new GmxV2Pager({ client, startBlock: START, follow: false, ...options });
}

async function drain(p: GmxV2Pager, max = Infinity): Promise<GmxV2Page[]> {
  const pages: GmxV2Page[] = [];
  for await (const page of p) {
    pages.push(page);
    if (pages.length >= max) break;
  }
  return pages;
}

/** What the pages delivered: `<what>:<id>` per snapshot, liquidation and funding print. */
function deliveredKeys(pages: GmxV2Page[]): string[] {
  const keys: string[] = [];
  for (const p of pages) {
    for (const s of p.positions) keys.push(`trade-or-snapshot:${s.changeId}`);
    for (const e of p.events) {
      if (e.kind === 'liquidation') keys.push(`liquidation:${e.key}`);
      if (e.kind === 'funding') keys.push(`funding:${e.market}:${e.ts}`);
    }
  }
  return keys;
}

function fundingKeys(n: FakeGraphNode): string[] {
  const sym = (m: unknown): string => (m === ETH_USD ? 'gmx:ETH-USD' : 'gmx:BTC-USD');
  return n.rows('fundingRates').map((r) => `funding:${sym(r.market)}:${Number(r.timestamp) * 1e6}`);
}

function expectedKeys(n: FakeGraphNode): string[] {
  return [
    ...n.rows('positionChanges').map((r) => `trade-or-snapshot:${String(r.id)}`),
    ...n.rows('liquidations').map((r) => `liquidation:${String(r.id)}`),
    ...fundingKeys(n),
  ].sort();
}

/** Block of each delivered row, in delivery order. */
function deliveredBlocks(pages: GmxV2Page[]): number[] {
  return pages.flatMap((p) => p.positions.map((s) => s.block));
}

/** `count` position changes in one block, all in one market. */
function busyBlock(block: number, count: number): Row[] {
  return Array.from({ length: count }, (_, i) => {
    const tx = `0x${block.toString(16).padStart(8, '0')}${(i >> 4).toString(16).padStart(56, '0')}`;
    const size = BigInt(1000 + i) * 10n ** 30n;
    const price = 3400n * 10n ** 12n;
    return {
      id: `${tx}-${String(i % 16).padStart(6, '0')}`,
      type: 'increase',
      orderType: 2,
      orderKey: `0x${i.toString(16).padStart(64, '0')}`,
      positionKey: `0x${(i + 1).toString(16).padStart(64, '0')}`,
      account: `0x${(i + 7).toString(16).padStart(40, '0')}`,
      market: ETH_USD,
      collateralToken: '0xaf88d065e77c8cc2239327c5edb3a432268e5831',
      indexToken: '0x82af49447d8a07e3bd95bd0d56f35241523fbab1',
      isLong: i % 2 === 0,
      indexTokenDecimals: 18,
      collateralTokenDecimals: 6,
      sizeInUsd: size.toString(),
      sizeInTokens: (size / price).toString(),
      collateralAmount: '100000000',
      sizeDeltaUsd: size.toString(),
      sizeDeltaInTokens: (size / price).toString(),
      collateralDeltaAmount: '100000000',
      executionPrice: price.toString(),
      collateralTokenPriceMin: '1000000000000000000000000',
      priceImpactUsd: '0',
      pendingImpactAmount: '0',
      borrowingFactor: '0',
      fundingFeeAmountPerSize: '0',
      basePnlUsd: null,
      positionFeeAmount: null,
      borrowingFeeUsd: null,
      fundingFeeAmount: null,
      totalCostAmount: null,
      blockNumber: String(block),
      blockHash: '',
      timestamp: String(1720700000 + block - B),
      transactionHash: tx,
      logIndex: String(i % 16),
    };
  });
}

describe('GmxV2Pager', () => {
  it('reads the whole fixture in one page when it fits, ending at the head', async () => {
    const n = await start();
    const pages = await drain(pager(n));
    expect(pages).toHaveLength(1);
    const [page] = pages;
    expect(page!.cursor).toEqual({ block: n.head, hash: n.blockHash(n.head), id: null });
    expect(deliveredKeys(pages).sort()).toEqual(expectedKeys(n));
    expect(page!.events.filter((e) => e.kind === 'trade')).toHaveLength(19); // 20 changes, one collateral-only
    expect(page!.skipped).toEqual([]);
    // Rows come in block order.
    const blocks = deliveredBlocks(pages);
    expect(blocks).toEqual([...blocks].sort((a, b) => a - b));
  });

  it('pages across pages and inside a busy block without losing or repeating an entity', async () => {
    const n = await start();
    for (const size of [1, 2, 3, 4, 7]) {
      const pages = await drain(pager(n, { pageSize: size }));
      const keys = deliveredKeys(pages);
      expect(keys.sort(), `pageSize ${size}`).toEqual(expectedKeys(n));
      expect(new Set(keys).size).toBe(keys.length);
      // Some page stopped inside block B+20 (15 position changes).
      expect(pages.some((p) => p.cursor.block === B + 20 && p.cursor.id !== null), `pageSize ${size}`).toBe(true);
      expect(deliveredBlocks(pages)).toEqual([...deliveredBlocks(pages)].sort((a, b) => a - b));
      for (const q of n.queries.filter((x) => x.includes('positionChanges'))) expect(q).toMatch(/block: \{ number: \$block \}/);
    }
  });

  it('reads a block holding more entities than graph-node returns at once', async () => {
    const n = await start();
    const rows = busyBlock(B + 45, 2500);
    n.add('positionChanges', rows);
    const pages = await drain(pager(n));
    const ids = pages.flatMap((p) => p.positions.map((s) => s.changeId)).filter((id) => rows.some((r) => r.id === id));
    expect(ids).toHaveLength(2500);
    expect(new Set(ids).size).toBe(2500);
    expect(pages.filter((p) => p.cursor.block === B + 45 && p.cursor.id !== null).length).toBeGreaterThanOrEqual(2);
    expect(deliveredKeys(pages).sort()).toEqual(expectedKeys(n));
  });

  it('resumes from a stored cursor', async () => {
    const n = await start();
    const first = await drain(pager(n, { pageSize: 3 }), 4);
    const cursor: GmxV2Cursor = JSON.parse(JSON.stringify(first.at(-1)!.cursor)) as GmxV2Cursor;
    expect(cursor.hash).toBe(n.blockHash(cursor.block));
    const rest = await drain(pager(n, { pageSize: 3, from: cursor }));
    const keys = deliveredKeys([...first, ...rest]);
    expect(keys.sort()).toEqual(expectedKeys(n));
    expect(new Set(keys).size).toBe(keys.length);
    // A cursor at the head reads nothing more.
    const done = await pager(n, { from: rest.at(-1)!.cursor }).next();
    expect(done).toBeNull();
  });

  it('detects a reorg and reports the newest checkpoint that survived it', async () => {
    const n = await start();
    const p = pager(n, { pageSize: 4 });
    const before = await drain(p);
    const checkpoints = before.map((x) => x.cursor.block);
    expect(p.cursor.block).toBe(n.head);

    // Blocks from B+35 on are replaced: the two liquidations are gone, a new trade lands in B+36.
    const replacement = busyBlock(B + 36, 1);
    n.reorg(B + 35, { positionChanges: replacement });
    const page = await p.next();
    const safe = Math.max(...checkpoints.filter((b) => b < B + 35));
    expect(page?.reorg).toEqual({ safeBlock: safe });
    expect(page?.events).toEqual([]);
    expect(page?.cursor).toEqual({ block: safe, hash: n.blockHash(safe), id: null });

    const after = await drain(p);
    // What a caller keeps after deleting everything above the safe block, plus the re-read.
    const kept = before.flatMap((x) => x.positions).filter((s) => s.block <= safe).map((s) => s.changeId);
    const reread = after.flatMap((x) => x.positions).map((s) => s.changeId);
    expect([...kept, ...reread].sort()).toEqual(n.rows('positionChanges').map((r) => String(r.id)).sort());
    expect(after.flatMap((x) => x.events).filter((e) => e.kind === 'liquidation')).toEqual([]);
    expect(reread).toContain(String(replacement[0]!.id));
  });

  it('falls back to maxReorgDepth below a resumed cursor when no recent checkpoint matches', async () => {
    const n = await start();
    const cursor = { block: B + 50, hash: n.blockHash(B + 50), id: null };
    n.reorg(B + 48);
    const page = await pager(n, { from: cursor, maxReorgDepth: 20 }).next();
    expect(page?.reorg).toEqual({ safeBlock: B + 30 });
    expect(page?.cursor).toEqual({ block: B + 30, hash: n.blockHash(B + 30), id: null });
  });

  it('waits while the subgraph is below the cursor', async () => {
    const n = await start();
    const cursor = { block: n.head + 10, hash: '0xabc', id: null };
    expect(await pager(n, { from: cursor }).next()).toBeNull();
  });

  it('rides out 5xx and hasIndexingErrors with retries, and fails when they persist', async () => {
    const n = await start();
    n.failNext('http-503', 2);
    n.failNext('has-indexing-errors', 2);
    const p = pager(n, { pageSize: 5 });
    const pages: GmxV2Page[] = [];
    for (let page = await p.next(); page !== null; page = await p.next()) {
      pages.push(page);
      // Between pages: a failing head query, then a failing page query.
      n.failNext(pages.length % 2 === 0 ? 'http-500' : 'has-indexing-errors');
      n.failNext('graphql-error');
    }
    expect(pages.length).toBeGreaterThan(3);
    expect(deliveredKeys(pages).sort()).toEqual(expectedKeys(n));

    n.failNext('has-indexing-errors', 10);
    const err = await pager(n).next().catch((e: unknown) => e);
    expect(isLiqmapError(err, 'UPSTREAM_FAILED')).toBe(true);
    expect((err as Error).message).toMatch(/indexing errors/);
  });

  it('follows the head: polls, then delivers entities of new blocks', async () => {
    const n = await start();
    const controller = new AbortController();
    let polls = 0;
    const p = pager(n, {
      follow: true,
      signal: controller.signal,
      sleep: async () => {
        polls += 1;
        if (polls === 2) {
          n.add('positionChanges', busyBlock(B + 52, 3));
          n.head = B + 55;
        }
        if (polls > 5) controller.abort();
      },
    });
    const pages = await drain(p);
    expect(pages.at(-1)?.cursor).toEqual({ block: B + 55, hash: n.blockHash(B + 55), id: null });
    expect(pages.flatMap((x) => x.positions).filter((s) => s.block === B + 52)).toHaveLength(3);
    expect(deliveredKeys(pages).sort()).toEqual(expectedKeys(n));
  });
});
