import { sql } from 'kysely';
import type { Store } from '../db/index.js';

/** A response as the cache keeps and replays it. */
export interface CachedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

interface Entry extends CachedResponse {
  readonly key: string;
  /** Markets the request names, with their data versions when it was computed; null: all markets. */
  readonly deps: ReadonlyMap<string, number> | null;
  /** The sum of every market's version then (for requests that name no market). */
  readonly global: number;
  /** Bytes this entry holds in memory, overhead included (its encoded copies too, once made). */
  cost: number;
  /** The body in content encodings asked for (brotli, gzip), each made once. */
  readonly encoded: Map<string, Promise<CachedResponse>>;
}

/** The data versions a response is checked against. */
interface Versions {
  readonly byMarket: ReadonlyMap<string, number>;
  readonly global: number;
}

/** A quoted string shaped like a market id (`venue:SYMBOL`), quotes JSON-escaped or not. */
const MARKET_LITERAL = /\\?"([a-z0-9_-]{1,32}:[A-Za-z0-9._/-]{1,64})\\?"/g;

/** What {@link GraphQLHttpCache}'s check of an answer looks for, as bytes (not a string converted on every scan). */
const ERRORS = Buffer.from('"errors"');
const ERROR_LIST = Buffer.from('"errors":[');
const PENDING = Buffer.from('"status":"PENDING"');
const FAILED = Buffer.from('"status":"FAILED"');

/** Keys asked for once that {@link GraphQLHttpCache.admit} remembers (as fingerprints: ~1 MB). */
export const MAX_SEEN_KEYS = 65_536;

/**
 * A 30-bit FNV-1a fingerprint of a key (a small integer: a Set of them holds no strings for the
 * garbage collector to move). Two keys that share one only make the second's answer kept at its
 * first ask, as every answer was before {@link GraphQLHttpCache.admit}.
 */
function fingerprint(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h & 0x3fffffff;
}

/** Largest request body read for caching; larger ones go to GraphQL uncached. */
const MAX_BODY = 256 * 1024;

/**
 * Memory an entry costs beyond its body and key: the Map slot, the entry and header objects,
 * the Buffer and its ArrayBuffer, the deps map. Measured with `node --expose-gc` over 200k
 * entries of this shape with 20-byte bodies (Node 20): 566 B of heap + external and 812 B of RSS
 * per entry. Counted as 1,280 B so that counted bytes bound real memory (736k tiny entries once
 * took 977 MB against 128 MiB of counted body bytes).
 */
export const ENTRY_OVERHEAD_BYTES = 1280;

/**
 * `b` as an entry keeps it: a slice of a larger buffer is copied (it would keep all of it
 * alive); a buffer that is its whole memory is kept as it is. Copying every answer cost a second
 * allocation of each miss's bytes (outside the heap from 4 KB on: a 6 KB liquidation map, a
 * 2.3 MB heatmap), which only pressed the garbage collector.
 */
function ownBytes(b: Buffer): Buffer {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : Buffer.from(b);
}

/**
 * A byte-level cache in front of GraphQL for POSTed queries (served by api/plugins/response-cache.ts): the serialised response is kept
 * under its body, Origin and Accept ({@link GraphQLHttpCache.key}) and replayed — status, headers (CORS included) and bytes — while
 * the data it depends on is unchanged, so a repeated heatmap costs a hash and a write instead of
 * re-executing and re-serialising a megabyte of JSON. A request that names markets (in its query
 * or variables) depends on those markets' data versions only, so one market's ingest leaves the
 * others' entries alone; one that names none depends on every market. An answer is kept from
 * its request's second ask on ({@link admit}); concurrent identical misses of a request asked
 * before are computed once (coalesced). LRU, bounded by the memory entries really use.
 * Mutations, subscriptions, authorised requests and error responses are never cached.
 */
export class GraphQLHttpCache {
  readonly #store: Store;
  readonly #maxBytes: number;
  readonly #entries = new Map<string, Entry>();
  readonly #inflight = new Map<string, Promise<CachedResponse>>();
  /** Fingerprints of keys asked for once and not kept (their answers were not), oldest first. */
  readonly #seen = new Set<number>();
  #bytes = 0;
  #versions: Versions = { byMarket: new Map(), global: -1 };
  #readAt = 0;
  #reading: Promise<Versions> | null = null;

  constructor(store: Store, maxBytes = 128 * 1024 * 1024) {
    this.#store = store;
    this.#maxBytes = maxBytes;
  }

  /** Bytes counted against the bound (bodies, keys, headers and per-entry overhead). */
  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Every market's data version, read at most every 250 ms (as they are, without a promise, when read less than that ago). */
  versions(): Versions | Promise<Versions> {
    if (Date.now() - this.#readAt < 250) return this.#versions;
    this.#reading ??= sql<{ market_id: string; version: string | number }>`select market_id, version from market_versions`
      .execute(this.#store.db)
      .then((r) => {
        const byMarket = new Map(r.rows.map((x) => [x.market_id, Number(x.version)]));
        let global = 0;
        for (const v of byMarket.values()) global += v;
        this.#versions = { byMarket, global };
        this.#readAt = Date.now();
        return this.#versions;
      })
      .finally(() => (this.#reading = null));
    return this.#reading;
  }

  /**
   * The parsed body of a POST that may be cached (a plain query, not a mutation or subscription,
   * not asking for a job), or null when it may not be.
   */
  static cacheableParams(body: Buffer, text = body.toString('utf8')): Record<string, unknown> | null {
    if (body.length > MAX_BODY) return null;
    try {
      const params = JSON.parse(text) as Record<string, unknown> | null;
      const query = params?.query;
      if (typeof query !== 'string') return null;
      const uncommented = query.replace(/^\s*#.*$/gm, '');
      // A job's state changes without any data version changing: never kept.
      return !/^\s*(mutation|subscription)\b/.test(uncommented) && !/\bjob\s*\(/.test(uncommented) ? params : null;
    } catch {
      return null;
    }
  }

  /**
   * The key of a request: its body, Origin (CORS headers differ per origin) and Accept (the
   * format), as one string (its bytes counted against the bound with the entry): every
   * cacheable request makes one, and a sha256 of them took 2.3-3.3 µs where this text takes
   * 1.0-1.9 µs with the body's decoding, which the parse needs anyway (200k clusters bodies, Node 20).
   */
  static key(body: Buffer | string, origin = '', accept = ''): string {
    return `${origin}\0${accept}\0${typeof body === 'string' ? body : body.toString('utf8')}`;
  }

  /**
   * Whether a request's answer is to be kept: its key is kept or being computed already, or it
   * was asked for before (among the last {@link MAX_SEEN_KEYS} keys asked for once). A key asked for the first time is remembered, and false: its answer is not kept (the
   * caller answers it without {@link get}). Under uncached load every request is new (another
   * time, price or market inline): keeping each answer cost its caller the detour through the
   * cache (its replay and the answer's bytes copied out and wrapped again, checked for errors,
   * its markets found, the entry kept and later dropped) for an entry never asked for again:
   * with the cache, an uncached clusters request took 28% more CPU than without it (yoga.fetch
   * in process, 16 at once: 522 vs 408 µs, medians of 6 alternated rounds of 3,000); asked once
   * and passed through, no more than that run's noise (452 vs 466 µs). A repeated request (a dashboard's, a retry) is kept
   * from its second ask on; a burst of identical first asks is computed twice (the first, and
   * the rest coalesced).
   */
  admit(key: string): boolean {
    if (this.#entries.has(key) || this.#inflight.has(key)) return true;
    const f = fingerprint(key);
    if (this.#seen.delete(f)) return true;
    if (this.#seen.size >= MAX_SEEN_KEYS) this.#seen.delete(this.#seen.values().next().value!);
    this.#seen.add(f);
    return false;
  }

  /**
   * Serves `key` from the cache, or computes it with `compute` — once for every concurrent
   * identical request — and keeps a clean (200, error-free) answer. Returns the response and
   * whether it was a hit.
   */
  async get(key: string, body: Buffer | string, compute: () => Promise<CachedResponse>): Promise<{ response: CachedResponse; hit: boolean }> {
    const versions = await this.versions();
    const e = this.#entries.get(key);
    if (e) {
      if (this.#fresh(e, versions)) {
        // Refresh recency.
        this.#entries.delete(key);
        this.#entries.set(key, e);
        return { response: e, hit: true };
      }
      this.#drop(key, e);
    }
    let pending = this.#inflight.get(key);
    if (!pending) {
      // The kept entry is what the callers get, so that its encoded copies are kept with it.
      pending = compute()
        .then((r) => (GraphQLHttpCache.#keepable(r) ? (this.#put(key, body, r, versions) ?? r) : r))
        .finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, pending);
    }
    return { response: await pending, hit: false };
  }

  /**
   * Only clean answers are kept: no errors (a caller's mistake is cheap to recompute), and no
   * check still running or failed (the same request later must see the verdict).
   */
  static #keepable(r: CachedResponse): boolean {
    if (r.status !== 200) return false;
    // "errors" in the first 64 bytes (an answer's own errors), or an errors list anywhere: one scan when there is none.
    const errors = r.body.indexOf(ERRORS);
    if (errors !== -1 && (errors + ERRORS.length <= 64 || r.body.includes(ERROR_LIST, errors))) return false;
    return !r.body.includes(PENDING) && !r.body.includes(FAILED);
  }

  #fresh(e: Entry, v: Versions): boolean {
    if (e.deps === null) return e.global === v.global;
    for (const [m, version] of e.deps) if ((v.byMarket.get(m) ?? 0) !== version) return false;
    return true;
  }

  /**
   * The markets a request depends on: every string in its body that is a known market id or has
   * the shape of one (a market that does not exist yet is a dependency too: version 0 until it
   * does). Null — every market — when it names none or asks for cross-market fields.
   */
  #depsOf(body: Buffer | string, v: Versions): Map<string, number> | null {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (/\b(markets|_meta)\b/.test(text)) return null;
    const deps = new Map<string, number>();
    for (const m of text.matchAll(MARKET_LITERAL)) deps.set(m[1]!, v.byMarket.get(m[1]!) ?? 0);
    for (const [m, version] of v.byMarket) if (text.includes(`"${m}\\"`) || text.includes(`"${m}"`)) deps.set(m, version);
    return deps.size > 0 ? deps : null;
  }

  /**
   * `r` in a content encoding, made by `encode` once per kept entry and kept with it (its bytes
   * counted against the bound): a cache hit then costs no compression, which for a megabyte
   * heatmap is most of what a hit would cost. Answers not kept (or dropped meanwhile) are
   * encoded each time.
   */
  encoded(r: CachedResponse, encoding: string, encode: (r: CachedResponse) => Promise<CachedResponse>): Promise<CachedResponse> {
    const e = r as Entry;
    if (!e.encoded || this.#entries.get(e.key) !== e) return encode(r);
    let out = e.encoded.get(encoding);
    if (!out) {
      out = encode(r);
      e.encoded.set(encoding, out);
      out.then(
        (x) => {
          if (this.#entries.get(e.key) !== e || x.body === r.body) return;
          e.cost += x.body.length;
          this.#bytes += x.body.length;
          this.#trim();
        },
        () => e.encoded.delete(encoding),
      );
    }
    return out;
  }

  #put(key: string, body: Buffer | string, r: CachedResponse, v: Versions): Entry | null {
    const deps = this.#depsOf(body, v);
    let headerBytes = 0;
    for (const [k, val] of Object.entries(r.headers)) headerBytes += 2 * (k.length + val.length);
    const cost = r.body.length + 2 * key.length + headerBytes + (deps ? deps.size * 96 : 0) + ENTRY_OVERHEAD_BYTES;
    if (cost > this.#maxBytes / 4) return null;
    const old = this.#entries.get(key);
    if (old) this.#drop(key, old);
    const entry: Entry = { key, status: r.status, headers: r.headers, body: ownBytes(r.body), deps, global: v.global, cost, encoded: new Map() };
    this.#entries.set(key, entry);
    this.#bytes += cost;
    this.#trim();
    return this.#entries.get(key) === entry ? entry : null;
  }

  /** Drops the least recently used entries until the bound holds. */
  #trim(): void {
    for (const [k, e] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#drop(k, e);
    }
  }

  #drop(key: string, e: Entry): void {
    this.#entries.delete(key);
    this.#bytes -= e.cost;
  }
}
