import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getCheckpoint, marketStateAt, positionHistory } from '../../../db/index.js';
import { ingestSubsquid, subsquidSourceKey } from '../../../indexer/index.js';
import { computeMarket } from '../../../jobs/index.js';
import { FakeSquid } from '../../_fixtures/squid-server.js';
import { createTestStore, type TestStore } from '../../_setup/store.js';

async function counts(t: TestStore): Promise<{ trades: number; liquidations: number; history: number }> {
  const one = async (table: string) => Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)} where market_id like 'gmx:%'`.execute(t.store.db)).rows[0]!.n);
  return { trades: await one('trades'), liquidations: await one('liquidations'), history: await one('position_history') };
}

describe('Subsquid source: GMX v2 from GMX official squid API (local server speaking its query format)', () => {
  let t: TestStore;
  let squid: FakeSquid;
  beforeAll(async () => {
    t = await createTestStore();
    squid = await FakeSquid.start();
  });
  afterAll(async () => {
    await squid.close();
    await t.drop();
  });

  it('pages position changes up to the finalized height, resumes from its checkpoint, and writes everything exactly once', async () => {
    const changes = squid.data.positionChanges;
    const blocks = [...new Set(changes.map((c) => c.block))].sort((a, b) => a - b);
    // First run: the squid has finalized only the first blocks.
    squid.finalizedHeight = blocks[2]!;
    const first = await ingestSubsquid(t.store, { url: squid.url, pageSize: 4, retries: 1 });
    const upTo = changes.filter((c) => c.block <= blocks[2]!);
    expect(first.positions).toBe(upTo.length);
    expect(first.pages).toBeGreaterThan(1);
    expect(first.cursor).toEqual({ block: blocks[2], id: null });
    expect((await counts(t)).history).toBe(upTo.length);
    // Keyset paging in OpenReader's syntax, bounded by the finalized height.
    expect(squid.queries.some((q) => q.includes('orderBy: [block_ASC, id_ASC]'))).toBe(true);

    // The rest once finalized, after a transient 503.
    squid.finalizedHeight = blocks.at(-1)!;
    squid.failNext = 1;
    const second = await ingestSubsquid(t.store, { url: squid.url, pageSize: 4, retries: 2 });
    expect(first.positions + second.positions).toBe(changes.length);
    const after = await counts(t);
    expect(after.history).toBe(changes.length);
    // Every change with a size delta is a trade; the liquidated orders are liquidations (orderType 7 OrderExecuted).
    expect(after.trades).toBe(changes.filter((c) => c.sizeDeltaUsd !== '0').length);
    expect(after.liquidations).toBe(squid.data.tradeActions.filter((a) => a.orderType === 7 && a.eventName === 'OrderExecuted').length);
    expect(after.liquidations).toBeGreaterThan(0);

    // A third run finds nothing new and writes nothing twice.
    const third = await ingestSubsquid(t.store, { url: squid.url, pageSize: 4, retries: 1 });
    expect(third).toMatchObject({ positions: 0, inserted: 0 });
    expect(await counts(t)).toEqual(after);
    const cp = await getCheckpoint(t.store, subsquidSourceKey(squid.url));
    expect(cp?.state).toEqual({ cursor: { block: blocks.at(-1), id: null } });
  });

  it('stores positions with the collateral price and the market parameters the exact rule needs, and computes exact levels', async () => {
    const history = await positionHistory(t.store, 'gmx:ETH-USD');
    const usdc = history.find((h) => !h.collateralIsIndex)!;
    expect(usdc.collateralPrice).not.toBeNull();
    // The squid has no per-position accumulators: unknown, not zero.
    expect(usdc.borrowingFactor).toBeNull();
    const state = await marketStateAt(t.store, 'gmx:ETH-USD', Date.now());
    expect(state.find((s) => s.kind === 'minCollateralFactorForLiquidation')?.value).toBe('0.005');
    expect(state.find((s) => s.kind === 'positionFeeFactor' && !s.flag)?.value).toBe('0.0006');
    const out = await computeMarket(t.store, { market: 'gmx:ETH-USD' });
    expect(out.buckets).toBeGreaterThan(0);
    const rows = await sql<{ n: string }>`select count(*) as n from heatmap_rows where market_id = 'gmx:ETH-USD' and array_length(long, 1) > 0`.execute(t.store.db);
    expect(Number(rows.rows[0]!.n)).toBeGreaterThan(0);
  });

  it('fails with a clear error on a query the API rejects (an unknown field)', async () => {
    const name = squid.data.marketInfos[0]!;
    delete (name as Record<string, unknown>).fundingFactor;
    squid.data.marketInfos.forEach((m) => delete (m as Record<string, unknown>).fundingFactor);
    await expect(ingestSubsquid(t.store, { url: squid.url, retries: 0 })).rejects.toThrow(/fundingFactor/);
  });
});
