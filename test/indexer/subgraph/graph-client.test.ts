import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isLiqmapError } from '../../../base/errors.js';
import { GraphClient, GraphPermanentError } from '../../../indexer/subgraph/index.js';
import { FakeGraphNode } from '../../_fixtures/graph-node-server.js';

describe('GraphClient (against the fake graph-node)', () => {
  let node: FakeGraphNode;
  const sleeps: number[] = [];
  const client = (retries = 4): GraphClient =>
    new GraphClient({
      url: node.url,
      retries,
      baseDelayMs: 100,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });

  beforeAll(async () => {
    node = await FakeGraphNode.start();
  });
  afterAll(async () => {
    await node.close();
  });

  it('reads _meta, at the head and at a block', async () => {
    const head = await client().meta();
    expect(head).toEqual({ block: { number: node.head, hash: node.blockHash(node.head) }, hasIndexingErrors: false, deployment: expect.any(String) });
    const at = await client().meta(233000010);
    expect(at.block).toEqual({ number: 233000010, hash: node.blockHash(233000010) });
  });

  it('parses data with the caller schema', async () => {
    const data = await client().query(
      'query($first: Int!) { markets(first: $first, orderBy: id) { id indexToken } }',
      { first: 10 },
      z.object({ markets: z.array(z.object({ id: z.string(), indexToken: z.string() })) }),
    );
    expect(data.markets).toHaveLength(2);
  });

  it.each(['http-500', 'http-503', 'indexing-error', 'has-indexing-errors', 'graphql-error', 'disconnect'] as const)(
    'retries with exponential backoff on %s',
    async (kind) => {
      sleeps.length = 0;
      node.failNext(kind, 3);
      const meta = await client().meta();
      expect(meta.block.number).toBe(node.head);
      expect(sleeps).toHaveLength(3);
      // 100, 200, 400 ms ± 20% jitter
      sleeps.forEach((ms, i) => {
        expect(ms).toBeGreaterThanOrEqual(100 * 2 ** i * 0.8);
        expect(ms).toBeLessThanOrEqual(100 * 2 ** i * 1.2);
      });
    },
  );

  it('gives up after its retries with UPSTREAM_FAILED', async () => {
    node.failNext('has-indexing-errors', 3);
    const err = await client(2).meta().catch((e: unknown) => e);
    expect(isLiqmapError(err, 'UPSTREAM_FAILED')).toBe(true);
    expect((err as Error).message).toMatch(/after 3 attempts: .*indexing errors/);
    // The last attempt's failure is chained, not only quoted.
    expect(((err as Error).cause as Error | undefined)?.message).toMatch(/indexing errors/);
  });

  it('does not retry a query graph-node rejects, nor data of the wrong shape', async () => {
    sleeps.length = 0;
    await expect(client().query('{ markets { nope } }', {}, z.object({}))).rejects.toBeInstanceOf(GraphPermanentError);
    await expect(client().query('{ markets { id } }', {}, z.object({ markets: z.array(z.object({ id: z.number() })) }))).rejects.toThrow(
      /unexpected shape/,
    );
    expect(sleeps).toEqual([]);
  });
});
