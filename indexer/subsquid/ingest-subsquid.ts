import { z } from 'zod';
import { silentLogger, type Logger } from '../../base/index.js';
import {
  BatchWriter,
  getCheckpoint,
  marketStateAt,
  writeMarketState,
  writePositionChanges,
  type BatchResult,
  type CanonicalEvent,
  type MarketStateRow,
  type PositionChangeRow,
  type Store,
} from '../../db/index.js';
import { GMX_USD_DECIMALS, GraphClient, canonicalMarket, formatFixed, toCanonical, type LiquidationEntity, type PositionChangeEntity } from '../subgraph/index.js';
import { GMX_ARBITRUM_TOKENS } from './gmx-arbitrum-tokens.js';
import { SQUID_MARKET_INFO_FIELDS, SQUID_POSITION_CHANGE_FIELDS, squidMarketInfoSchema, squidPositionChangeSchema, squidStatusSchema, type SquidMarketInfo, type SquidPositionChange } from './gmx-squid-entities.js';

/** Options of {@link ingestSubsquid}. */
export interface SubsquidIngestOptions {
  /** GMX's squid GraphQL URL, e.g. https://gmx.squids.live/gmx-synthetics-arbitrum:prod/api/graphql. */
  readonly url: string;
  /** Keep polling once caught up with the squid's finalized height. */
  readonly follow?: boolean;
  /** Position changes per query (default 1000). */
  readonly pageSize?: number;
  /** First block to read when there is no checkpoint (default 0). */
  readonly startBlock?: number;
  readonly retries?: number;
  readonly pollIntervalMs?: number;
  readonly onBatch?: (r: BatchResult) => Promise<void> | void;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
}

/** Where the source stands: everything at blocks < `block` read; of `block`, ids ≤ `id` (null: all of it). */
export interface SubsquidCursor {
  readonly block: number;
  readonly id: string | null;
}

export interface SubsquidIngestSummary {
  readonly sourceKey: string;
  readonly pages: number;
  readonly events: number;
  readonly inserted: number;
  readonly positions: number;
  readonly liquidations: number;
  readonly skipped: number;
  readonly cursor: SubsquidCursor;
}

/** GMX Order.OrderType.Liquidation. */
const LIQUIDATION = 7;

/** The checkpoint key of a Subsquid source. */
export function subsquidSourceKey(url: string): string {
  return `subsquid:gmx-v2:${url}`;
}

/** The keyset condition "after the cursor, at most the finalized height" in OpenReader's where syntax. */
function after(cursor: SubsquidCursor, finalized: number): Record<string, unknown> {
  const later = cursor.id === null ? { block_gt: cursor.block } : { OR: [{ block_gt: cursor.block }, { AND: [{ block_eq: cursor.block }, { id_gt: cursor.id }] }] };
  return { AND: [{ block_lte: finalized }, later] };
}

/**
 * `liqmap ingest subsquid <url>`: GMX v2 positions, trades and liquidations from GMX's official
 * Subsquid GraphQL API, for users without their own graph-node. Pages `positionChanges` in
 * (block, id) order up to the squid's **finalized** height (so no reorg can undo a committed page),
 * marks a decrease as a liquidation when the `tradeActions` of its order say `orderType` 7
 * `OrderExecuted`, and commits each page's canonical events, position changes, market state and
 * cursor in one transaction (exactly once: a re-run or a retried page changes nothing).
 *
 * What the squid does not carry, and so what this source cannot give the exact rule: each
 * position's `borrowingFactor`, `fundingFeeAmountPerSize` and pending impact, and the history of
 * the markets' accumulators (levels from this source count no pending fees); the market
 * parameters are the squid's current `marketInfos` values (recorded from the market's start the
 * first time, and from the time of reading when they change); token decimals come from the dated
 * snapshot in `gmx-arbitrum-tokens.ts`.
 */
export async function ingestSubsquid(store: Store, opts: SubsquidIngestOptions): Promise<SubsquidIngestSummary> {
  const logger = (opts.logger ?? silentLogger).child({ at: 'ingestSubsquid' });
  const sourceKey = subsquidSourceKey(opts.url);
  const pageSize = opts.pageSize ?? 1000;
  const client = new GraphClient({ url: opts.url, retries: opts.retries ?? 6, logger });
  const writer = new BatchWriter(store);
  const saved = await getCheckpoint(store, sourceKey);
  let cursor: SubsquidCursor = (saved?.state as { cursor?: SubsquidCursor } | undefined)?.cursor ?? { block: (opts.startBlock ?? 0) - 1, id: null };
  let written = saved?.rowsWritten ?? 0;
  let skipped = saved?.rowsQuarantined ?? 0;
  let pages = 0;
  let events = 0;
  let inserted = 0;
  let positions = 0;
  let liquidations = 0;
  const markets = await readMarkets(client);
  let pendingState = await marketParameters(store, markets);
  const checkpoint = (c: SubsquidCursor) => ({ sourceKey, format: 'gmx-v2-subsquid', fingerprint: opts.url, line: Math.max(0, c.block), rowsWritten: written, rowsQuarantined: skipped, state: { cursor: c }, done: false });
  while (!opts.signal?.aborted) {
    const status = (await client.query('query { squidStatus { height finalizedHeight } }', {}, z.object({ squidStatus: squidStatusSchema }))).squidStatus;
    const finalized = status.finalizedHeight;
    let rows: SquidPositionChange[] = [];
    if (cursor.block < finalized || (cursor.block === finalized && cursor.id !== null)) {
      const data = await client.query(
        `query($limit: Int!, $where: PositionChangeWhereInput!) { positionChanges(limit: $limit, orderBy: [block_ASC, id_ASC], where: $where) { ${SQUID_POSITION_CHANGE_FIELDS} } }`,
        { limit: pageSize, where: after(cursor, finalized) },
        z.object({ positionChanges: z.array(squidPositionChangeSchema) }),
      );
      rows = data.positionChanges;
    }
    if (rows.length === 0 && pendingState.length === 0) {
      if (cursor.block < finalized) cursor = { block: finalized, id: null };
      if (!opts.follow) break;
      await new Promise((resolve) => setTimeout(resolve, opts.pollIntervalMs ?? 2000));
      continue;
    }
    const liquidated = await liquidationOrders(client, rows);
    const page = mapPage(rows, markets, liquidated);
    const last = rows.at(-1);
    const next: SubsquidCursor = rows.length < pageSize || last === undefined ? { block: finalized, id: null } : { block: last.block, id: last.id };
    const quarantined = page.skipped.map((s, i) => ({ file: sourceKey, line: skipped + i + 1, field: 'entity', reason: s.reason, raw: s.id }));
    written += page.events.length;
    skipped += quarantined.length;
    const state = pendingState;
    const result = await writer.write({
      events: page.events,
      quarantined,
      checkpoint: checkpoint(next),
      alsoInTransaction: async (tx) => {
        await writePositionChanges(tx, page.positions);
        await writeMarketState(tx, state);
      },
    });
    pendingState = [];
    cursor = next;
    pages++;
    events += page.events.length;
    positions += page.positions.length;
    liquidations += page.liquidations;
    inserted += Object.values(result.inserted).reduce((a, b) => a + b, 0);
    if (result.touched.length > 0 || page.positions.length > 0) await opts.onBatch?.(result);
    logger.info({ block: cursor.block, finalized, events: page.events.length, positions: page.positions.length }, 'page committed');
  }
  return { sourceKey, pages, events, inserted, positions, liquidations, skipped, cursor };
}

/** Every market of the squid (paged by offset: a few hundred at most). */
async function readMarkets(client: GraphClient): Promise<Map<string, SquidMarketInfo>> {
  const out = new Map<string, SquidMarketInfo>();
  for (let offset = 0; ; offset += 1000) {
    const data = await client.query(
      `query($offset: Int!) { marketInfos(limit: 1000, offset: $offset, orderBy: [id_ASC]) { ${SQUID_MARKET_INFO_FIELDS} } }`,
      { offset },
      z.object({ marketInfos: z.array(squidMarketInfoSchema) }),
    );
    for (const m of data.marketInfos) out.set(m.marketTokenAddress, m);
    if (data.marketInfos.length < 1000) return out;
  }
}

/** The order keys among the page's decreases whose executed order was a liquidation. */
async function liquidationOrders(client: GraphClient, rows: readonly SquidPositionChange[]): Promise<Set<string>> {
  const keys = [...new Set(rows.filter((r) => r.type === 'decrease').map((r) => r.orderKey))];
  const out = new Set<string>();
  for (let i = 0; i < keys.length; i += 500) {
    const data = await client.query(
      `query($keys: [String!]!) { tradeActions(limit: 1000, where: { orderKey_in: $keys, orderType_eq: ${LIQUIDATION}, eventName_eq: "OrderExecuted" }) { orderKey } }`,
      { keys: keys.slice(i, i + 500) },
      z.object({ tradeActions: z.array(z.object({ orderKey: z.string().transform((s) => s.toLowerCase()) })) }),
    );
    for (const a of data.tradeActions) out.add(a.orderKey);
  }
  return out;
}

interface MappedPage {
  readonly events: CanonicalEvent[];
  readonly positions: PositionChangeRow[];
  readonly skipped: { id: string; reason: string }[];
  readonly liquidations: number;
}

/** Squid rows as the subgraph's entities, through the same canonical mapping. */
function mapPage(rows: readonly SquidPositionChange[], markets: ReadonlyMap<string, SquidMarketInfo>, liquidated: ReadonlySet<string>): MappedPage {
  const events: CanonicalEvent[] = [];
  const positions: PositionChangeRow[] = [];
  const skipped: { id: string; reason: string }[] = [];
  let liquidations = 0;
  for (const r of rows) {
    const info = markets.get(r.market);
    if (!info) {
      skipped.push({ id: r.id, reason: `market ${r.market} is not among the squid's marketInfos` });
      continue;
    }
    const isLiquidation = r.type === 'decrease' && liquidated.has(r.orderKey);
    const common = {
      id: r.id,
      blockNumber: r.block,
      blockHash: '',
      timestamp: r.timestamp,
      transactionHash: '',
      logIndex: 0,
      account: r.account,
      market: r.market,
      collateralToken: r.collateralToken,
      indexToken: info.indexTokenAddress,
      isLong: r.isLong,
      indexTokenDecimals: GMX_ARBITRUM_TOKENS[info.indexTokenAddress]?.decimals ?? null,
      collateralTokenDecimals: GMX_ARBITRUM_TOKENS[r.collateralToken]?.decimals ?? null,
      sizeDeltaUsd: r.sizeDeltaUsd,
      sizeDeltaInTokens: r.sizeDeltaInTokens,
      // Signed like the subgraph's: a decrease removes collateral.
      collateralDeltaAmount: r.type === 'decrease' && r.collateralDeltaAmount > 0n ? -r.collateralDeltaAmount : r.collateralDeltaAmount,
      executionPrice: r.executionPrice,
      basePnlUsd: r.type === 'decrease' ? r.basePnlUsd : null,
    };
    const change: PositionChangeEntity = {
      __typename: 'PositionChange',
      ...common,
      type: isLiquidation ? 'liquidation' : r.type,
      orderType: isLiquidation ? LIQUIDATION : 0,
      orderKey: r.orderKey,
      positionKey: r.positionKey,
      sizeInUsd: r.sizeInUsd,
      sizeInTokens: r.sizeInTokens,
      collateralAmount: r.collateralAmount,
      collateralTokenPriceMin: r.collateralTokenPriceMin,
      priceImpactUsd: r.priceImpactUsd,
      pendingImpactAmount: 0n,
      borrowingFactor: 0n,
      fundingFeeAmountPerSize: 0n,
      positionFeeAmount: null,
      borrowingFeeUsd: null,
      fundingFeeAmount: null,
      totalCostAmount: null,
    };
    const out = toCanonical(change);
    events.push(...out.events);
    // The squid has no per-position accumulators or pending impact: unknown, not zero.
    if (out.position) positions.push({ ...out.position, borrowingFactor: null, fundingFeePerSize: null, pendingImpactTokens: null });
    if (out.skipped) skipped.push({ id: r.id, reason: out.skipped });
    if (isLiquidation) {
      const liquidation: LiquidationEntity = { __typename: 'Liquidation', ...common };
      const l = toCanonical(liquidation);
      events.push(...l.events);
      if (l.skipped) skipped.push({ id: r.id, reason: l.skipped });
      else liquidations++;
    }
  }
  return { events, positions, skipped, liquidations };
}

/**
 * The squid's current market parameters as market state rows: a value never stored for the
 * market applies from its start (ts 0); a changed value from now on. Fractions ×1e30 → whole.
 */
async function marketParameters(store: Store, markets: ReadonlyMap<string, SquidMarketInfo>): Promise<MarketStateRow[]> {
  const now = Date.now();
  const out: MarketStateRow[] = [];
  for (const m of markets.values()) {
    const market = canonicalMarket(m.marketTokenAddress);
    const stored = await marketStateAt(store, market, now);
    const values: [string, boolean, bigint][] = [
      ['minCollateralFactorForLiquidation', false, m.minCollateralFactorForLiquidation],
      ['maxPositionImpactFactorForLiquidations', false, m.maxPositionImpactFactorForLiquidations],
      ['minCollateralFactor', false, m.minCollateralFactor],
      ['positionFeeFactor', false, m.positionFeeFactorForNegativeImpact],
      ['positionFeeFactor', true, m.positionFeeFactorForPositiveImpact],
      ['fundingFactor', false, m.fundingFactor],
    ];
    for (const [kind, flag, raw] of values) {
      const value = formatFixed(raw, GMX_USD_DECIMALS);
      const previous = stored.find((s) => s.market === market && s.kind === kind && s.flag === flag);
      if (previous && previous.value === value) continue;
      const ts = previous ? now * 1000 : 0;
      out.push({ market, kind, collateralToken: '', flag, entryId: `subsquid:${kind}:${flag}:${value}:${ts}`, block: 0, ts, value });
    }
  }
  return out;
}
