import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestSubgraph } from '../../indexer/index.js';
import { gmxV2, modelParamsHash, type GmxPosition, type RuleSet } from '../../engine/index.js';
import { computeExactMarket, computeMarket, effectiveParams, type ExactOptions } from '../../jobs/index.js';
import { FakeGraphNode } from '../_fixtures/graph-node-server.js';
import { createTestStore, type TestStore } from '../_setup/store.js';
import { startTestApi, type TestApi } from '../_setup/api.js';

describe('exact levels for an on-chain market (GMX v2 fixture through the subgraph source)', () => {
  let t: TestStore;
  let node: FakeGraphNode;
  let api: TestApi;
  beforeAll(async () => {
    t = await createTestStore();
    node = await FakeGraphNode.start();
    await ingestSubgraph(t.store, { url: node.url, protocol: 'gmx-v2', startBlock: 233_000_000, retries: 2 });
    await computeMarket(t.store, { market: 'gmx:ETH-USD' });
    api = await startTestApi(t.store);
  });
  afterAll(async () => {
    await api.close();
    await node.close();
    await t.drop();
  });

  it('serves an EXACT heatmap and clusters computed from the known positions, and checks them position by position', async () => {
    const r = await api.gql(`{
      market(id: "gmx:ETH-USD") { id }
      heatmap(market: "gmx:ETH-USD") { basis values times prices }
      clusters(market: "gmx:ETH-USD", check: true) { basis price clusters { side priceLow priceHigh notional } check { engine ok cellsCompared } }
    }`);
    expect(r.errors).toBeUndefined();
    expect(r.data!.market.id).toBe('gmx:ETH-USD');
    expect(r.data!.heatmap.basis).toBe('EXACT');
    expect(r.data!.heatmap.values.some((v: number) => v > 0)).toBe(true);
    expect(r.data!.clusters.basis).toBe('EXACT');
    expect(r.data!.clusters.clusters.length).toBeGreaterThan(0);
    expect(r.data!.clusters.check).toMatchObject({ engine: 'exact-positions', ok: true });
    expect(r.data!.clusters.check.cellsCompared).toBeGreaterThan(0);
  });

  // A fast-path rule that gets one thing wrong; the reference (engine/reference) must notice.
  const wrongBy = (change: (p: GmxPosition) => GmxPosition): RuleSet<GmxPosition> => ({ ...gmxV2, quote: (p) => gmxV2.quote(change(p)) });
  let run = 0;
  const checkAfter = async (options: ExactOptions) => {
    run++;
    const params = await effectiveParams(t.store, 'gmx:ETH-USD');
    await computeExactMarket(t.store, 'gmx:ETH-USD', params, modelParamsHash(params), undefined, options);
    // A different query text each time: the response cache keys on the data version, which a recompute keeps.
    const r = await api.gql(`{ run${run}: __typename heatmap(market: "gmx:ETH-USD", check: true) { basis check { engine ok fault cellsCompared model { maxAbsDiff } } } }`);
    expect(r.errors).toBeUndefined();
    const check = r.data!.heatmap.check as { engine: string; ok: boolean; fault: string | null; cellsCompared: number; model: { maxAbsDiff: number } };
    return { ...check, maxAbsDiff: check.model.maxAbsDiff };
  };

  it('catches a deliberately wrong rule in the fast path with the independent reference', async () => {
    const wrongFactor = await checkAfter({ rules: wrongBy((p) => ({ ...p, minCollateralFactor: '0.05' })) });
    expect(wrongFactor).toMatchObject({ engine: 'exact-positions', ok: false, fault: 'MODEL' });
    expect(wrongFactor.maxAbsDiff).toBeGreaterThan(0);
    // Pending borrowing left out: the indexed accumulators moved far enough to change levels.
    const noBorrowing = await checkAfter({ rules: wrongBy((p) => ({ ...p, cumulativeBorrowingFactor: p.borrowingFactor })) });
    expect(noBorrowing.ok).toBe(false);
    const right = await checkAfter({});
    expect(right.ok).toBe(true);
    expect(right.maxAbsDiff).toBeLessThan(1e-6);
  });

  it('leaves markets without known positions on the estimated model', async () => {
    const r = await api.gql(`{ markets { id } }`);
    expect(r.data!.markets.map((m: { id: string }) => m.id)).toContain('gmx:ETH-USD');
  });
});
