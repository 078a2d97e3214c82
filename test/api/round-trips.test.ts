import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KyselyPlugin, RootOperationNode } from 'kysely';
import { parseConfig, silentLogger } from '../../base/index.js';
import { readClustersAt, readHeatmapRowAt, type Store } from '../../db/index.js';
import { modelParamsHash, parseModelParams } from '../../engine/index.js';
import { ingestDemo } from '../../indexer/index.js';
import { createJobRunner, type JobRunner } from '../../jobs/index.js';
import { liquidationMap } from '../../api/levels/liquidation-map.js';
import { createTestStore, type TestStore } from '../_setup/store.js';
import { startTestApi, type TestApi } from '../_setup/api.js';

const MARKET = 'demo:BTCUSDT';
const HASH = modelParamsHash(parseModelParams({}));

/** Counts the statements run through a store (the response cache's version poll aside). */
function counting(store: Store): { store: Store; statements: () => number } {
  let n = 0;
  const plugin: KyselyPlugin = {
    transformQuery(a) {
      const node = a.node as RootOperationNode & { sqlFragments?: readonly string[] };
      if (!node.sqlFragments?.join('').includes('market_versions')) n++;
      return a.node;
    },
    transformResult: async (a) => a.result,
  };
  return { store: { ...store, db: store.db.withPlugin(plugin) }, statements: () => n };
}

describe('uncached level reads: one statement each, the same answers', () => {
  let t: TestStore;
  let api: TestApi;
  let jobs: JobRunner;
  let statements: () => number;
  beforeAll(async () => {
    t = await createTestStore();
    await ingestDemo(t.store, { days: 3 / 24 });
    jobs = await createJobRunner({ config: parseConfig({ HOST: '127.0.0.1' }), store: t.store, logger: silentLogger, mode: 'embedded' });
    await jobs.recompute(MARKET);
    await jobs.idle!();
    const c = counting(t.store);
    statements = c.statements;
    api = await startTestApi(c.store);
  }, 120_000);
  afterAll(async () => {
    await api.close();
    await jobs.close();
    await t.drop();
  });

  /** Statements one request ran. */
  async function ask(query: string) {
    const before = statements();
    const r = await api.gql(query);
    expect(r.errors).toBeUndefined();
    return { data: r.data!, statements: statements() - before };
  }

  it('answers clusters in one statement, equal to the persisted clusters', async () => {
    for (const at of ['2024-01-01T01:30:10Z', '2024-01-01T02:00:00Z', null]) {
      const r = await ask(`{ clusters(market: "${MARKET}"${at ? `, at: "${at}"` : ''}) { at price clusters { side priceLow priceHigh notional leverageComposition { leverage notional } } } }`);
      expect(r.statements).toBe(1);
      const c = r.data.clusters;
      const persisted = (await readClustersAt(t.store, MARKET, HASH, Date.parse(c.at)))!;
      expect(c.price).toBe(persisted.price);
      expect(c.clusters).toEqual(persisted.clusters.map((p) => ({ side: p.side.toUpperCase(), priceLow: p.priceLow, priceHigh: p.priceHigh, notional: p.notional, leverageComposition: p.leverageComposition })));
      expect(c.clusters.length).toBeGreaterThan(0);
      if (at) expect(Date.parse(c.at)).toBeLessThanOrEqual(Date.parse(at));
    }
  });

  it('answers the liquidation map in one statement from a slice of the row, equal to the map of the whole row', async () => {
    // Wide display rows (priceBucket) reach past the range: the slice must hold their cells too.
    for (const [at, range, priceBucket] of [['2024-01-01T01:30:10Z', 0.1, null], ['2024-01-01T02:10:00Z', 0.02, 250], ['2024-01-01T00:40:00Z', 0.05, 37], [null, 0.3, null], ['2024-01-01T02:10:00Z', 0.01, 5000]] as const) {
      const r = await ask(`{ liquidationMap(market: "${MARKET}"${at ? `, at: "${at}"` : ''}, range: ${range}${priceBucket ? `, priceBucket: ${priceBucket}` : ''}) { at price priceBucket prices long short cumulativeLong cumulativeShort } }`);
      expect(r.statements).toBe(1);
      const m = r.data.liquidationMap;
      const whole = liquidationMap((await readHeatmapRowAt(t.store, MARKET, HASH, Date.parse(m.at)))!, range, priceBucket);
      expect({ ...m, at: Date.parse(m.at) }).toEqual({ ...whole, at: whole.t, t: undefined });
      expect(m.long.some((v: number) => v > 0)).toBe(true);
    }
  });

  it('refuses a bad range or priceBucket before reading anything', async () => {
    for (const arg of ['range: 1.5', 'range: 1e308', 'priceBucket: 0']) {
      const before = statements();
      const r = await api.gql(`{ liquidationMap(market: "${MARKET}", ${arg}) { at } }`);
      expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(statements() - before).toBe(0);
    }
  });
});
