import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { globalDataVersion, type Store } from '../db/index.js';

interface Entry {
  readonly body: Buffer;
  readonly contentType: string;
  readonly version: number;
}

/** Largest request body read for caching; larger ones go to GraphQL uncached. */
const MAX_BODY = 256 * 1024;

/**
 * A byte-level cache in front of GraphQL for POSTed queries: the serialised response is kept
 * under sha256(body) and served as is while the database's data version (bumped by every ingest
 * batch and every persisted result) is unchanged, so a repeated heatmap costs a hash and a
 * write instead of re-executing and re-serialising a megabyte of JSON. Mutations, subscriptions,
 * authorised requests and error responses are never cached. LRU-bounded by bytes.
 */
export class GraphQLHttpCache {
  readonly #store: Store;
  readonly #maxBytes: number;
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;
  #version = 0;
  #readAt = 0;
  #reading: Promise<number> | null = null;

  constructor(store: Store, maxBytes = 128 * 1024 * 1024) {
    this.#store = store;
    this.#maxBytes = maxBytes;
  }

  /** The data version, read at most every 250 ms. */
  async version(): Promise<number> {
    if (Date.now() - this.#readAt < 250) return this.#version;
    this.#reading ??= globalDataVersion(this.#store)
      .then((v) => {
        this.#version = v;
        this.#readAt = Date.now();
        return v;
      })
      .finally(() => (this.#reading = null));
    return this.#reading;
  }

  /** Whether a POST body may be cached (a plain query, not a mutation or subscription). */
  static cacheable(body: Buffer): boolean {
    if (body.length > MAX_BODY) return false;
    try {
      const { query } = JSON.parse(body.toString('utf8')) as { query?: unknown };
      return typeof query === 'string' && !/^\s*(mutation|subscription)\b/.test(query.replace(/^\s*#.*$/gm, ''));
    } catch {
      return false;
    }
  }

  static key(body: Buffer): string {
    return createHash('sha256').update(body).digest('hex');
  }

  /** Serves a hit; returns false on a miss. */
  async serve(key: string, res: ServerResponse): Promise<boolean> {
    const e = this.#entries.get(key);
    if (!e) return false;
    if (e.version !== (await this.version())) {
      this.#drop(key, e);
      return false;
    }
    // Refresh recency.
    this.#entries.delete(key);
    this.#entries.set(key, e);
    res.writeHead(200, { 'content-type': e.contentType, 'x-liqmap-cache': 'hit' }).end(e.body);
    return true;
  }

  /** Stores a successful response computed at `version`. */
  put(key: string, body: Buffer, contentType: string, version: number): void {
    if (body.length > this.#maxBytes / 4) return;
    const old = this.#entries.get(key);
    if (old) this.#drop(key, old);
    this.#entries.set(key, { body, contentType, version });
    this.#bytes += body.length;
    for (const [k, e] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#drop(k, e);
    }
  }

  #drop(key: string, e: Entry): void {
    this.#entries.delete(key);
    this.#bytes -= e.body.length;
  }
}

/** Reads a request body up to `limit` bytes (null when larger). */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    n += (c as Buffer).length;
    if (n > limit) return null;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}
