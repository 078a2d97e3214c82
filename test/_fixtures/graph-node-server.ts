import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kind, parse, valueFromASTUntyped, type FieldNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

/**
 * A small stand-in for graph-node's subgraph query API over fixture entities, for tests.
 *
 * Serves what liqmap's subgraph client uses, the way graph-node answers it: collection fields
 * with `first` (≤ 1000), `skip`, `where` (`_gt`, `_gte`, `_lt`, `_lte`, `_in`, `_not`, `_not_in`,
 * plain equality), `orderBy`, `orderDirection`, `block: { number }` (entities up to that block;
 * an error past the head), `__typename`, aliases, variables, and `_meta(block:)`.
 * Ties of `orderBy` are broken in a scrambled (but fixed) order, not by id, so a client can
 * never depend on graph-node's tie order by accident.
 *
 * Test controls: {@link FakeGraphNode.reorg} replaces the chain from a block on (new hashes,
 * new entities), {@link FakeGraphNode.failNext} makes the next requests fail (HTTP 5xx,
 * `indexing_error`, `hasIndexingErrors: true`, a transient GraphQL error, a dropped connection).
 */

export type Row = Record<string, unknown>;

export type Failure = 'http-500' | 'http-503' | 'indexing-error' | 'has-indexing-errors' | 'graphql-error' | 'disconnect';

/** Collection field → entity type name. */
const TYPENAMES: Readonly<Record<string, string>> = {
  markets: 'Market',
  positionChanges: 'PositionChange',
  liquidations: 'Liquidation',
  fundingRates: 'FundingRate',
  marketFactorUpdates: 'MarketFactorUpdate',
  marketConfigUpdates: 'MarketConfigUpdate',
};

const FIXTURE_FILES: Readonly<Record<string, string>> = {
  markets: 'markets.json',
  positionChanges: 'position-changes.json',
  liquidations: 'liquidations.json',
  fundingRates: 'funding-rates.json',
  marketFactorUpdates: 'market-factor-updates.json',
  marketConfigUpdates: 'market-config-updates.json',
};

export const GMX_V2_FIXTURE_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'gmx-v2');

interface FixtureMeta {
  deployment: string;
  head: number;
  headTimestamp: number;
  chainSeed: string;
}

class QueryError extends Error {}

export interface FakeGraphNodeOptions {
  /** Fixture folder (default test/_fixtures/gmx-v2); `null` starts empty. */
  readonly fixtures?: string | null;
  /** Head block when starting empty. */
  readonly head?: number;
  /** Port to listen on (default: a free one). */
  readonly port?: number;
}

export class FakeGraphNode {
  readonly #server: Server;
  readonly #rows = new Map<string, Row[]>();
  /** Hashes fixed by entities (their blockHash), by block number. */
  readonly #hashes = new Map<number, string>();
  /** Reorgs so far: blocks ≥ from get hashes derived from the salt. */
  readonly #forks: { from: number; salt: string }[] = [];
  readonly #failures: Failure[] = [];
  #seed = 'arbitrum-one';
  #deployment = 'QmYvRZo2JdHnkY5xRJ4xd9v6q1VYFQ7Nxs2XqhqM7Ef6Jc';
  head = 0;
  /** Every request's GraphQL text, in order. */
  readonly queries: string[] = [];
  url = '';

  private constructor(options: FakeGraphNodeOptions) {
    for (const field of Object.keys(TYPENAMES)) this.#rows.set(field, []);
    const dir = options.fixtures === undefined ? GMX_V2_FIXTURE_DIR : options.fixtures;
    if (dir !== null) {
      const meta = JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')) as FixtureMeta;
      this.head = meta.head;
      this.#seed = meta.chainSeed;
      this.#deployment = meta.deployment;
      for (const [field, file] of Object.entries(FIXTURE_FILES)) {
        this.add(field, JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Row[], { keepHashes: true });
      }
    }
    if (options.head !== undefined) this.head = options.head;
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  /** Starts a server on localhost (a free port unless `options.port`). */
  static async start(options: FakeGraphNodeOptions = {}): Promise<FakeGraphNode> {
    const node = new FakeGraphNode(options);
    await new Promise<void>((resolve) => node.#server.listen(options.port ?? 0, '127.0.0.1', resolve));
    const { port } = node.#server.address() as AddressInfo;
    node.url = `http://127.0.0.1:${port}/subgraphs/name/liqmap/gmx-v2`;
    return node;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** The hash the chain has at block `n` now. */
  blockHash(n: number): string {
    const fixed = this.#hashes.get(n);
    if (fixed !== undefined) return fixed;
    const fork = this.#forks.filter((f) => f.from <= n).at(-1);
    return sha(`${this.#seed}:${fork?.salt ?? ''}:${n}`);
  }

  /** Rows of a collection (a copy). */
  rows(field: string): Row[] {
    return [...(this.#rows.get(field) ?? [])];
  }

  /**
   * Adds entities. Their `blockHash` is set to the chain's hash of their block, unless
   * `keepHashes` (fixture data), which makes the entity's hash the chain's.
   */
  add(field: string, rows: Row[], options: { keepHashes?: boolean } = {}): void {
    const list = this.#rows.get(field);
    if (!list) throw new Error(`unknown collection ${field}`);
    for (const row of rows) {
      const block = Number(row.blockNumber ?? 0);
      if ('blockHash' in row) {
        if (options.keepHashes && typeof row.blockHash === 'string') this.#hashes.set(block, row.blockHash);
        else row.blockHash = this.blockHash(block);
      }
      list.push(row);
    }
  }

  /**
   * A chain reorganisation at `fromBlock`: every block ≥ it gets a new hash, the entities of
   * those blocks are dropped, and `replacement` entities (per collection) are added in their place.
   */
  reorg(fromBlock: number, replacement: Record<string, Row[]> = {}): void {
    this.#forks.push({ from: fromBlock, salt: `fork${this.#forks.length + 1}` });
    for (const n of [...this.#hashes.keys()]) if (n >= fromBlock) this.#hashes.delete(n);
    for (const [field, list] of this.#rows) {
      if (field === 'markets') continue;
      this.#rows.set(field, list.filter((r) => Number(r.blockNumber) < fromBlock));
    }
    for (const [field, rows] of Object.entries(replacement)) this.add(field, rows);
  }

  /** The next `times` requests fail with `kind`. */
  failNext(kind: Failure, times = 1): void {
    for (let i = 0; i < times; i++) this.#failures.push(kind);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const failure = this.#failures.shift();
    if (failure === 'disconnect') {
      req.socket.destroy();
      return;
    }
    if (failure === 'http-500' || failure === 'http-503') {
      res.writeHead(failure === 'http-500' ? 500 : 503, { 'content-type': 'text/plain' }).end('upstream error');
      return;
    }
    let body: { query?: unknown; variables?: unknown };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
    } catch {
      return send(res, 400, { errors: [{ message: 'invalid JSON body' }] });
    }
    const query = typeof body.query === 'string' ? body.query : '';
    this.queries.push(query);
    if (failure === 'indexing-error') return send(res, 200, { errors: [{ message: 'indexing_error' }] });
    if (failure === 'graphql-error') {
      return send(res, 200, { errors: [{ message: 'Store error: canceling statement due to statement timeout' }] });
    }
    try {
      const variables = (body.variables ?? {}) as Record<string, unknown>;
      send(res, 200, { data: this.#execute(query, variables, failure === 'has-indexing-errors') });
    } catch (e) {
      if (!(e instanceof QueryError)) throw e;
      send(res, 200, { errors: [{ message: e.message }] });
    }
  }

  #execute(query: string, variables: Record<string, unknown>, indexingErrors: boolean): Row {
    let document;
    try {
      document = parse(query);
    } catch (e) {
      throw new QueryError(`Syntax Error: ${(e as Error).message}`);
    }
    const op = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    if (!op) throw new QueryError('no operation in the query');
    const data: Row = {};
    for (const selection of op.selectionSet.selections) {
      if (selection.kind !== Kind.FIELD) throw new QueryError('fragments are not supported by the test server');
      const key = selection.alias?.value ?? selection.name.value;
      const args = argumentsOf(selection, variables);
      data[key] = selection.name.value === '_meta' ? this.#meta(selection, args, indexingErrors) : this.#collection(selection, args);
    }
    return data;
  }

  #pin(args: Row): number {
    const block = args.block as { number?: unknown } | undefined;
    if (block?.number === undefined) return this.head;
    const n = Number(block.number);
    if (n > this.head) {
      throw new QueryError(
        `Failed to decode \`block.number\` value: \`subgraph ${this.#deployment} has only indexed up to block number ${this.head} and data for block number ${n} is therefore not yet available\``,
      );
    }
    return n;
  }

  #meta(field: FieldNode, args: Row, indexingErrors: boolean): Row {
    const n = this.#pin(args);
    const meta: Row = {
      __typename: '_Meta_',
      block: { __typename: '_Block_', number: n, hash: this.blockHash(n), timestamp: null },
      deployment: this.#deployment,
      hasIndexingErrors: indexingErrors,
    };
    return project(meta, field.selectionSet, '_Meta_');
  }

  #collection(field: FieldNode, args: Row): Row[] {
    const name = field.name.value;
    const typename = TYPENAMES[name];
    const rows = this.#rows.get(name);
    if (typename === undefined || rows === undefined) throw new QueryError(`Type \`Query\` has no field \`${name}\``);
    const first = args.first === undefined ? 100 : Number(args.first);
    const skip = args.skip === undefined ? 0 : Number(args.skip);
    if (!Number.isInteger(first) || first < 0 || first > 1000) {
      throw new QueryError(`The \`first\` argument must be between 0 and 1000, but is ${String(args.first)}`);
    }
    if (!Number.isInteger(skip) || skip < 0 || skip > 5000) {
      throw new QueryError(`The \`skip\` argument must be between 0 and 5000, but is ${String(args.skip)}`);
    }
    const pin = this.#pin(args);
    const where = (args.where ?? {}) as Row;
    const orderBy = typeof args.orderBy === 'string' ? args.orderBy : 'id';
    const direction = args.orderDirection === 'desc' ? -1 : 1;
    const selected = rows
      .filter((r) => r.blockNumber === undefined || Number(r.blockNumber) <= pin)
      .filter((r) => matches(r, where, typename))
      .sort((a, b) => direction * compare(a[orderBy], b[orderBy], orderBy) || tieBreak(a, b));
    return selected.slice(skip, skip + first).map((r) => project(r, field.selectionSet, typename));
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function sha(text: string): string {
  return '0x' + createHash('sha256').update(text).digest('hex');
}

function argumentsOf(field: FieldNode, variables: Record<string, unknown>): Row {
  const args: Row = {};
  for (const arg of field.arguments ?? []) args[arg.name.value] = valueFromASTUntyped(arg.value, variables);
  return args;
}

function project(row: Row, selectionSet: SelectionSetNode | undefined, typename: string): Row {
  if (!selectionSet) return row;
  const out: Row = {};
  for (const s of selectionSet.selections) {
    if (s.kind !== Kind.FIELD) throw new QueryError('fragments are not supported by the test server');
    const name = s.name.value;
    const key = s.alias?.value ?? name;
    if (name === '__typename') {
      out[key] = typename;
      continue;
    }
    if (!(name in row)) throw new QueryError(`Type \`${typename}\` has no field \`${name}\``);
    const value = row[name];
    out[key] = s.selectionSet && value !== null && typeof value === 'object' ? project(value as Row, s.selectionSet, name) : value ?? null;
  }
  return out;
}

const INTEGER = /^-?\d+$/;

/** graph-node's order: BigInt/Int fields numerically, ids, strings and bytes by their text. */
function compare(a: unknown, b: unknown, field: string): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (field !== 'id' && INTEGER.test(String(a)) && INTEGER.test(String(b))) {
    const x = BigInt(String(a));
    const y = BigInt(String(b));
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A fixed but scrambled order for equal sort keys (graph-node's tie order is not a contract). */
function tieBreak(a: Row, b: Row): number {
  const x = sha(`tie:${String(a.id)}`);
  const y = sha(`tie:${String(b.id)}`);
  return x < y ? -1 : x > y ? 1 : 0;
}

const OPERATORS = ['_not_in', '_in', '_not', '_gte', '_gt', '_lte', '_lt'] as const;

function matches(row: Row, where: Row, typename: string): boolean {
  for (const [key, expected] of Object.entries(where)) {
    const op = OPERATORS.find((o) => key.endsWith(o));
    const field = op ? key.slice(0, -op.length) : key;
    if (!(field in row)) throw new QueryError(`Type \`${typename}_filter\` has no field \`${key}\``);
    const actual = row[field];
    const c = (): number => compare(actual, expected, field);
    const inList = (): boolean => Array.isArray(expected) && expected.some((v) => compare(actual, v, field) === 0);
    const ok =
      op === undefined
        ? c() === 0
        : op === '_not'
          ? c() !== 0
          : op === '_gt'
            ? c() > 0
            : op === '_gte'
              ? c() >= 0
              : op === '_lt'
                ? c() < 0
                : op === '_lte'
                  ? c() <= 0
                  : op === '_in'
                    ? inList()
                    : !inList();
    if (!ok) return false;
  }
  return true;
}
