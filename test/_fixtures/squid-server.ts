import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { buildSchema, graphql } from 'graphql';
import { GMX_V2_FIXTURE_DIR } from './graph-node-server.js';

/**
 * A local stand-in for GMX's Subsquid GraphQL API (OpenReader dialect) over the GMX v2 fixture,
 * for tests. The schema is the squid's, cut to the types and fields liqmap reads (names and types
 * from gmx-io/gmx-interface `sdk/src/codegen/subsquid.ts`): graphql-js validates every query
 * against it, so a wrong field, argument or filter name fails as it would on the real API.
 * Filters: `AND`, `OR`, `<field>_eq|_gt|_gte|_lt|_lte|_in`; `orderBy: [<field>_ASC|_DESC]`;
 * `limit`/`offset`. `finalizedHeight` is settable; `failNext` answers 503.
 */

const SDL = /* GraphQL */ `
  scalar BigInt
  enum PositionChangeType { increase decrease }
  type PositionChange {
    id: String! block: Int! timestamp: Int! type: PositionChangeType! orderKey: String! positionKey: String! account: String!
    market: String! collateralToken: String! isLong: Boolean! sizeInUsd: BigInt! sizeInTokens: BigInt! collateralAmount: BigInt!
    sizeDeltaUsd: BigInt! sizeDeltaInTokens: BigInt! collateralDeltaAmount: BigInt! executionPrice: BigInt! collateralTokenPriceMin: BigInt!
    priceImpactUsd: BigInt! basePnlUsd: BigInt! feesAmount: BigInt! maxSize: BigInt! priceImpactDiffUsd: BigInt totalImpactUsd: BigInt proportionalPendingImpactUsd: BigInt
  }
  enum PositionChangeOrderByInput { block_ASC block_DESC id_ASC id_DESC timestamp_ASC timestamp_DESC }
  input PositionChangeWhereInput {
    AND: [PositionChangeWhereInput!] OR: [PositionChangeWhereInput!]
    block_eq: Int block_gt: Int block_gte: Int block_lt: Int block_lte: Int block_in: [Int!]
    id_eq: String id_gt: String id_gte: String id_lt: String id_lte: String id_in: [String!]
    market_eq: String account_eq: String positionKey_eq: String timestamp_gte: Int timestamp_lte: Int
  }
  type TradeAction {
    id: String! eventName: String! orderKey: String! orderType: Int! marketAddress: String! account: String! isLong: Boolean
    sizeDeltaUsd: BigInt executionPrice: BigInt timestamp: Int! transactionHash: String! positionKey: String
  }
  enum TradeActionOrderByInput { timestamp_ASC timestamp_DESC id_ASC id_DESC }
  input TradeActionWhereInput {
    AND: [TradeActionWhereInput!] OR: [TradeActionWhereInput!]
    orderKey_eq: String orderKey_in: [String!] orderType_eq: Int orderType_in: [Int!] eventName_eq: String eventName_in: [String!]
    timestamp_gte: Int timestamp_lte: Int account_eq: String
  }
  type MarketInfo {
    id: String! marketTokenAddress: String! indexTokenAddress: String! longTokenAddress: String! shortTokenAddress: String!
    minCollateralFactorForLiquidation: BigInt! maxPositionImpactFactorForLiquidations: BigInt! minCollateralFactor: BigInt!
    positionFeeFactorForNegativeImpact: BigInt! positionFeeFactorForPositiveImpact: BigInt! fundingFactor: BigInt! isDisabled: Boolean!
  }
  enum MarketInfoOrderByInput { id_ASC id_DESC }
  input MarketInfoWhereInput { id_eq: String id_in: [String!] isDisabled_eq: Boolean }
  type SquidStatus { height: Int! finalizedHeight: Int! }
  type Query {
    positionChanges(limit: Int, offset: Int, orderBy: [PositionChangeOrderByInput!], where: PositionChangeWhereInput): [PositionChange!]!
    tradeActions(limit: Int, offset: Int, orderBy: [TradeActionOrderByInput!], where: TradeActionWhereInput): [TradeAction!]!
    marketInfos(limit: Int, offset: Int, orderBy: [MarketInfoOrderByInput!], where: MarketInfoWhereInput): [MarketInfo!]!
    squidStatus: SquidStatus
  }
`;

type Row = Record<string, unknown>;
type Where = Record<string, unknown>;

function matches(row: Row, where: Where | undefined): boolean {
  if (!where) return true;
  for (const [key, cond] of Object.entries(where)) {
    if (key === 'AND') {
      if (!(cond as Where[]).every((w) => matches(row, w))) return false;
      continue;
    }
    if (key === 'OR') {
      if (!(cond as Where[]).some((w) => matches(row, w))) return false;
      continue;
    }
    const at = key.lastIndexOf('_');
    const field = key.slice(0, at);
    const op = key.slice(at + 1);
    const v = row[field] as string | number;
    const c = cond as string | number;
    const ok =
      op === 'eq' ? v === c : op === 'gt' ? v > c : op === 'gte' ? v >= c : op === 'lt' ? v < c : op === 'lte' ? v <= c : op === 'in' ? (cond as unknown[]).includes(v) : false;
    if (!ok) return false;
  }
  return true;
}

function select(rows: readonly Row[], args: { limit?: number; offset?: number; orderBy?: string[]; where?: Where }): Row[] {
  const order = (args.orderBy ?? []).map((o) => {
    const at = o.lastIndexOf('_');
    return { field: o.slice(0, at), dir: o.slice(at + 1) === 'DESC' ? -1 : 1 };
  });
  const out = rows.filter((r) => matches(r, args.where));
  out.sort((a, b) => {
    for (const { field, dir } of order) {
      const x = a[field] as string | number;
      const y = b[field] as string | number;
      if (x < y) return -dir;
      if (x > y) return dir;
    }
    return 0;
  });
  const offset = args.offset ?? 0;
  return out.slice(offset, offset + (args.limit ?? 1000));
}

const fixture = (file: string): Row[] => JSON.parse(readFileSync(path.join(GMX_V2_FIXTURE_DIR, file), 'utf8')) as Row[];

/** The GMX v2 fixture in the squid's shapes: position changes, the trade actions of their orders, markets. */
export interface SquidFixture {
  readonly positionChanges: (Row & { block: number; sizeDeltaUsd: unknown })[];
  readonly tradeActions: (Row & { orderType: number; eventName: string })[];
  readonly marketInfos: Row[];
}

export function squidFixture(): SquidFixture {
  const changes = fixture('position-changes.json');
  const positionChanges = changes.map((c) => ({
    // The squid's ids are its own (not the subgraph's): `<tx hash>:<log index>`.
    id: `${String(c.transactionHash)}:${String(c.logIndex)}`,
    block: Number(c.blockNumber),
    timestamp: Number(c.timestamp),
    type: c.type === 'increase' ? 'increase' : 'decrease',
    orderKey: c.orderKey,
    positionKey: c.positionKey,
    account: c.account,
    market: c.market,
    collateralToken: c.collateralToken,
    isLong: c.isLong,
    sizeInUsd: c.sizeInUsd,
    sizeInTokens: c.sizeInTokens,
    collateralAmount: c.collateralAmount,
    sizeDeltaUsd: c.sizeDeltaUsd,
    sizeDeltaInTokens: c.sizeDeltaInTokens,
    // The squid logs the collateral delta unsigned for decreases, as PositionDecrease does.
    collateralDeltaAmount: String(c.collateralDeltaAmount).replace(/^-/, ''),
    executionPrice: c.executionPrice,
    collateralTokenPriceMin: c.collateralTokenPriceMin,
    priceImpactUsd: c.priceImpactUsd,
    basePnlUsd: c.basePnlUsd ?? '0',
    feesAmount: c.totalCostAmount ?? '0',
    maxSize: c.sizeInUsd,
    priceImpactDiffUsd: null,
    totalImpactUsd: null,
    proportionalPendingImpactUsd: null,
  }));
  const tradeActions = changes.flatMap((c, i) => [
    { id: `created-${i}`, eventName: 'OrderCreated', orderKey: c.orderKey, orderType: Number(c.orderType), marketAddress: c.market, account: c.account, isLong: c.isLong, sizeDeltaUsd: c.sizeDeltaUsd, executionPrice: null, timestamp: Number(c.timestamp), transactionHash: c.transactionHash, positionKey: c.positionKey },
    { id: `executed-${i}`, eventName: 'OrderExecuted', orderKey: c.orderKey, orderType: Number(c.orderType), marketAddress: c.market, account: c.account, isLong: c.isLong, sizeDeltaUsd: c.sizeDeltaUsd, executionPrice: c.executionPrice, timestamp: Number(c.timestamp), transactionHash: c.transactionHash, positionKey: c.positionKey },
  ]);
  const marketInfos = fixture('markets.json').map((m) => ({
    id: m.id,
    marketTokenAddress: m.id,
    indexTokenAddress: m.indexToken,
    longTokenAddress: m.longToken,
    shortTokenAddress: m.shortToken,
    minCollateralFactorForLiquidation: '5000000000000000000000000000',
    maxPositionImpactFactorForLiquidations: '0',
    minCollateralFactor: '5000000000000000000000000000',
    positionFeeFactorForNegativeImpact: '600000000000000000000000000',
    positionFeeFactorForPositiveImpact: '400000000000000000000000000',
    fundingFactor: '20000000000000000000000',
    isDisabled: false,
  }));
  return { positionChanges: positionChanges as SquidFixture['positionChanges'], tradeActions, marketInfos };
}

export class FakeSquid {
  readonly #server: Server;
  readonly data = squidFixture();
  /** The squid's finalized height (default: the fixture's last block). */
  finalizedHeight: number;
  /** Requests to answer with HTTP 503. */
  failNext = 0;
  readonly queries: string[] = [];
  url = '';

  private constructor() {
    this.finalizedHeight = Math.max(...this.data.positionChanges.map((p) => p.block));
    const schema = buildSchema(SDL);
    const rootValue = {
      positionChanges: (args: never) => select(this.data.positionChanges, args),
      tradeActions: (args: never) => select(this.data.tradeActions, args),
      marketInfos: (args: never) => select(this.data.marketInfos, args),
      squidStatus: () => ({ height: this.finalizedHeight + 5, finalizedHeight: this.finalizedHeight }),
    };
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (this.failNext > 0) {
          this.failNext--;
          res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
          return;
        }
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query: string; variables?: Record<string, unknown> };
        this.queries.push(body.query);
        void graphql({ schema, source: body.query, rootValue, variableValues: body.variables ?? {} }).then((result) => {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
        });
      });
    });
  }

  static async start(): Promise<FakeSquid> {
    const s = new FakeSquid();
    await new Promise<void>((resolve) => s.#server.listen(0, '127.0.0.1', resolve));
    s.url = `http://127.0.0.1:${(s.#server.address() as AddressInfo).port}/gmx-synthetics-arbitrum/api/graphql`;
    return s;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
