import { z } from 'zod';
import type { CanonicalEvent, MarketStateRow } from '../../db/index.js';
import { silentLogger, type Logger } from '../../base/index.js';
import type { GraphClient, SubgraphMeta } from './graph-client.js';
import { GMX_V2_COLLECTIONS, type GmxV2Entity, type PagedCollection } from './gmx-v2-entities.js';
import { GMX_V2_ARBITRUM, toCanonical, type GmxV2MappingConfig, type PositionSnapshot } from './gmx-v2-mapping.js';

/** First block of GMX v2's EventEmitter on Arbitrum One (the subgraph's startBlock). */
export const GMX_V2_ARBITRUM_START_BLOCK = 107_737_756;

/**
 * Where a reader stands. Everything at blocks < `block` has been delivered; of block `block`,
 * everything when `id` is null, else the entities with id ≤ `id` (the block was cut between
 * pages). `hash` is the block's hash as the subgraph indexed it ('' when not known yet): a
 * different hash at the same number later means that block was reorganised away.
 */
export interface GmxV2Cursor {
  readonly block: number;
  readonly hash: string;
  readonly id: string | null;
}

/** One page of the stream, in (block, id) order. Persist `cursor` with the page's rows. */
export interface GmxV2Page {
  readonly events: CanonicalEvent[];
  /** The position after each PositionChange of the page (upsert by `key`; later wins). */
  readonly positions: PositionSnapshot[];
  /** Market accumulator and Config updates (GMX v2's liquidation rule reads them). */
  readonly state: MarketStateRow[];
  /** Entities that mapped to nothing they should have, with the reason. */
  readonly skipped: ReadonlyArray<{ readonly id: string; readonly reason: string }>;
  /** Entities read for this page (all collections). */
  readonly entities: number;
  readonly cursor: GmxV2Cursor;
  /** The subgraph head the page was read at. */
  readonly head: number;
  /**
   * Set when the block at the previous cursor is no longer on the subgraph's chain. The page
   * has no rows: delete everything above `safeBlock`, then keep reading (the cursor is reset).
   */
  readonly reorg?: { readonly safeBlock: number };
}

export interface GmxV2PagerOptions {
  readonly client: GraphClient;
  /** Resume point (a stored cursor); default: just before `startBlock`. */
  readonly from?: GmxV2Cursor | null;
  /** Default {@link GMX_V2_ARBITRUM_START_BLOCK}. */
  readonly startBlock?: number;
  /** `first` of each collection query, 1..1000 (graph-node's maximum). Default 1000. */
  readonly pageSize?: number;
  readonly mapping?: GmxV2MappingConfig;
  /** How far below a mismatched checkpoint to roll back when no recent checkpoint matches. Default 256. */
  readonly maxReorgDepth?: number;
  /** Wait between polls once caught up. Default 2 s. */
  readonly pollIntervalMs?: number;
  /** Keep polling once caught up (default), or end the iteration at the head. */
  readonly follow?: boolean;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
  /** Which collections to read; default all of {@link GMX_V2_COLLECTIONS}. */
  readonly collections?: readonly PagedCollection[];
  /** Replaces the poll wait (tests). */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

interface Row {
  readonly entity: GmxV2Entity;
  /** Index of the collection it came from (stable order for equal ids). */
  readonly collection: number;
}

/** How many recent checkpoints are kept to find the newest block that survived a reorg. */
const RECENT_CHECKPOINTS = 32;

/**
 * Reads the GMX v2 subgraph as a stream of pages of canonical events, in block order, with a
 * resumable cursor and reorg detection.
 *
 * Paging: graph-node orders by one field, so the pager never relies on the order of entities
 * that share a block number. Whole blocks come from `blockNumber_gt` queries ordered by
 * blockNumber, cut before the last (maybe incomplete) block of any full collection; a block
 * with more entities than a page is read by `blockNumber: B, id_gt: lastId` ordered by id.
 * Every query of one step is pinned to the same `block: { number: head }`.
 *
 * Reorgs: each step first compares the subgraph's hash of the cursor block with the stored one;
 * on a mismatch it yields a page with `reorg.safeBlock` (the newest recent checkpoint whose hash
 * still matches, else `maxReorgDepth` below) and continues from there.
 *
 * @example
 * for await (const page of new GmxV2Pager({ client, from: await loadCursor() })) {
 *   if (page.reorg) await deleteAbove(page.reorg.safeBlock);
 *   await store(page.events, page.positions, page.cursor); // one transaction
 * }
 */
export class GmxV2Pager implements AsyncIterable<GmxV2Page> {
  readonly #client: GraphClient;
  readonly #pageSize: number;
  readonly #startBlock: number;
  readonly #mapping: GmxV2MappingConfig;
  readonly #maxReorgDepth: number;
  readonly #pollIntervalMs: number;
  readonly #follow: boolean;
  readonly #signal: AbortSignal | undefined;
  readonly #log: Logger;
  readonly #collections: readonly PagedCollection[];
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  #cursor: GmxV2Cursor;
  /** Checkpoints delivered recently, ascending by block. */
  #recent: GmxV2Cursor[] = [];

  constructor(options: GmxV2PagerOptions) {
    const pageSize = options.pageSize ?? 1000;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
      throw new RangeError(`pageSize must be an integer in 1..1000 (graph-node's limit), got ${pageSize}`);
    }
    this.#client = options.client;
    this.#pageSize = pageSize;
    this.#startBlock = options.startBlock ?? GMX_V2_ARBITRUM_START_BLOCK;
    this.#mapping = options.mapping ?? GMX_V2_ARBITRUM;
    this.#maxReorgDepth = options.maxReorgDepth ?? 256;
    this.#pollIntervalMs = options.pollIntervalMs ?? 2000;
    this.#follow = options.follow ?? true;
    this.#signal = options.signal;
    this.#log = (options.logger ?? silentLogger).child({ at: 'GmxV2Pager#next' });
    this.#collections = options.collections ?? GMX_V2_COLLECTIONS;
    this.#sleep = options.sleep ?? abortableSleep;
    this.#cursor = options.from ?? { block: this.#startBlock - 1, hash: '', id: null };
    if (this.#cursor.hash !== '') this.#recent.push(this.#cursor);
  }

  /** The cursor after the last page returned. */
  get cursor(): GmxV2Cursor {
    return this.#cursor;
  }

  /**
   * Reads the next page, or returns null when the cursor is at the subgraph's head.
   * Throws (after the client's retries) when graph-node is unreachable or has indexing errors.
   */
  async next(): Promise<GmxV2Page | null> {
    const head = await this.#client.meta();
    const cursor = this.#cursor;
    if (cursor.block > head.block.number) {
      // The subgraph is behind our checkpoint (it is catching up, or it rewound for a reorg):
      // the hash comparison waits until it has indexed that block again.
      this.#log.info({ cursor: cursor.block, head: head.block.number }, 'subgraph head is below the cursor; waiting');
      return null;
    }
    if (cursor.hash !== '') {
      const at = await this.#client.meta(cursor.block);
      if (at.block.hash !== '' && at.block.hash.toLowerCase() !== cursor.hash.toLowerCase()) return this.#reorg(head, at);
    }
    if (cursor.block === head.block.number && cursor.id === null) return null;
    return this.#read(head);
  }

  /** Pages until the head (then polls every `pollIntervalMs` when `follow`), until `signal` aborts. */
  async *pages(): AsyncGenerator<GmxV2Page> {
    while (!this.#signal?.aborted) {
      const page = await this.next();
      if (page !== null) {
        yield page;
        continue;
      }
      if (!this.#follow) return;
      await this.#sleep(this.#pollIntervalMs, this.#signal);
    }
  }

  [Symbol.asyncIterator](): AsyncGenerator<GmxV2Page> {
    return this.pages();
  }

  /** One step pinned at `head`: a partial block by id, or whole blocks after the cursor. */
  async #read(head: SubgraphMeta): Promise<GmxV2Page> {
    const pin = head.block.number;
    let block = this.#cursor.block;
    let afterId = this.#cursor.id;
    let blockHash = this.#cursor.hash;
    for (;;) {
      if (afterId !== null) {
        // Inside block `block`: by id.
        const results = await this.#query(pin, 'id', () => ({ blockNumber: String(block), id_gt: afterId }));
        let bound: string | null = null;
        for (const rows of results) {
          const last = rows.at(-1);
          if (rows.length === this.#pageSize && last && (bound === null || last.entity.id < bound)) bound = last.entity.id;
        }
        const rows = results.flat().filter((r) => bound === null || r.entity.id <= bound);
        const hash = rows[0]?.entity.blockHash ?? blockHash;
        return this.#page(rows, { block, hash, id: bound }, pin);
      }
      // Whole blocks after `block`: by block number.
      const results = await this.#query(pin, 'blockNumber', () => ({ blockNumber_gt: String(block) }));
      let cut: number | null = null;
      for (const rows of results) {
        if (rows.length < this.#pageSize) continue;
        const max = Math.max(...rows.map((r) => r.entity.blockNumber));
        if (cut === null || max < cut) cut = max;
      }
      if (cut === null) {
        return this.#page(results.flat(), { block: pin, hash: head.block.hash, id: null }, pin);
      }
      const rows = results.flat().filter((r) => r.entity.blockNumber < (cut as number));
      if (rows.length > 0) {
        const last = rows.reduce((a, b) => (b.entity.blockNumber > a.entity.blockNumber ? b : a));
        return this.#page(rows, { block: last.entity.blockNumber, hash: last.entity.blockHash, id: null }, pin);
      }
      // One block fills a whole page: read it by id.
      const first = results.flat().find((r) => r.entity.blockNumber === cut);
      block = cut;
      afterId = '';
      blockHash = first?.entity.blockHash ?? '';
    }
  }

  /** Queries every collection in one request; returns their rows in collection order. */
  async #query(pin: number, orderBy: 'id' | 'blockNumber', where: () => Record<string, unknown>): Promise<Row[][]> {
    const vars: Record<string, unknown> = { block: pin, first: this.#pageSize };
    const decls = ['$block: Int!', '$first: Int!'];
    const fields = this.#collections.map((c, i) => {
      vars[`w${i}`] = where();
      decls.push(`$w${i}: ${c.filterType}!`);
      return `c${i}: ${c.field}(first: $first, orderBy: ${orderBy}, orderDirection: asc, where: $w${i}, block: { number: $block }) { __typename ${c.selection} }`;
    });
    const query = `query GmxV2Page(${decls.join(', ')}) {\n  ${fields.join('\n  ')}\n}`;
    const shape: Record<string, z.ZodType> = {};
    this.#collections.forEach((c, i) => (shape[`c${i}`] = z.array(c.schema)));
    const data = (await this.#client.query(query, vars, z.object(shape))) as Record<string, GmxV2Entity[]>;
    return this.#collections.map((_, i) => (data[`c${i}`] ?? []).map((entity) => ({ entity, collection: i })));
  }

  #page(rows: Row[], cursor: GmxV2Cursor, head: number): GmxV2Page {
    rows.sort(
      (a, b) =>
        a.entity.blockNumber - b.entity.blockNumber ||
        (a.entity.id < b.entity.id ? -1 : a.entity.id > b.entity.id ? 1 : 0) ||
        a.collection - b.collection,
    );
    const events: CanonicalEvent[] = [];
    const positions: PositionSnapshot[] = [];
    const state: MarketStateRow[] = [];
    const skipped: { id: string; reason: string }[] = [];
    for (const { entity } of rows) {
      const out = toCanonical(entity, this.#mapping);
      events.push(...out.events);
      if (out.position) positions.push(out.position);
      state.push(...out.state);
      if (out.skipped !== null) {
        skipped.push({ id: entity.id, reason: out.skipped });
        this.#log.warn({ id: entity.id, type: entity.__typename, reason: out.skipped }, 'skipped entity');
      }
    }
    this.#advance(cursor);
    return { events, positions, state, skipped, entities: rows.length, cursor, head };
  }

  #advance(cursor: GmxV2Cursor): void {
    this.#cursor = cursor;
    if (cursor.hash === '') return;
    const last = this.#recent.at(-1);
    if (last && last.block === cursor.block) this.#recent[this.#recent.length - 1] = cursor;
    else this.#recent.push(cursor);
    if (this.#recent.length > RECENT_CHECKPOINTS) this.#recent.shift();
  }

  /** The cursor block was reorganised: find the newest checkpoint still on the chain. */
  async #reorg(head: SubgraphMeta, at: SubgraphMeta): Promise<GmxV2Page> {
    const stale = this.#cursor;
    const floor = Math.max(this.#startBlock - 1, stale.block - this.#maxReorgDepth);
    const candidates = this.#recent.filter((c) => c.block < stale.block && c.block >= floor).reverse();
    let safe: GmxV2Cursor | null = null;
    if (candidates.length > 0) {
      const query = `query { ${candidates.map((c, i) => `b${i}: _meta(block: { number: ${c.block} }) { block { number hash } }`).join(' ')} }`;
      const shape: Record<string, z.ZodType> = {};
      candidates.forEach((_, i) => (shape[`b${i}`] = z.object({ block: z.object({ number: z.number(), hash: z.string().nullable() }) })));
      const data = (await this.#client.query(query, {}, z.object(shape))) as Record<string, { block: { hash: string | null } }>;
      const index = candidates.findIndex((c, i) => data[`b${i}`]?.block.hash?.toLowerCase() === c.hash.toLowerCase());
      safe = candidates[index] ?? null;
    }
    if (safe === null) {
      let hash = '';
      if (floor >= this.#startBlock) hash = (await this.#client.meta(floor)).block.hash;
      safe = { block: floor, hash, id: null };
    } else {
      safe = { block: safe.block, hash: safe.hash, id: null };
    }
    this.#log.warn(
      { block: stale.block, expected: stale.hash, found: at.block.hash, safeBlock: safe.block },
      'reorg: the cursor block is no longer on the subgraph chain',
    );
    this.#recent = this.#recent.filter((c) => c.block < safe.block);
    this.#advance(safe);
    return { events: [], positions: [], state: [], skipped: [], entities: 0, cursor: safe, head: head.block.number, reorg: { safeBlock: safe.block } };
  }
}

/** `new GmxV2Pager(options).pages()`: the pager as an async iterator of pages. */
export function pageGmxV2(options: GmxV2PagerOptions): AsyncGenerator<GmxV2Page> {
  return new GmxV2Pager(options).pages();
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
