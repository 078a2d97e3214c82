import { z } from 'zod';
import { LiqmapError, silentLogger, type Logger } from '../../base/index.js';

/** Options of a {@link GraphClient}. */
export interface GraphClientOptions {
  /** The subgraph's query URL, e.g. `http://localhost:8000/subgraphs/name/liqmap/gmx-v2`. */
  readonly url: string;
  /** Extra request headers (e.g. `authorization` for a gateway). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Attempts after the first one for a retryable failure. Default 5. */
  readonly retries?: number;
  /** First backoff delay; doubles each retry with ±20% jitter. Default 250 ms. */
  readonly baseDelayMs?: number;
  /** Upper bound of one backoff delay. Default 10 s. */
  readonly maxDelayMs?: number;
  /** Per-request timeout. Default 30 s. */
  readonly timeoutMs?: number;
  readonly logger?: Logger;
  /** Replaces `fetch` (tests). */
  readonly fetch?: typeof fetch;
  /** Replaces the backoff wait (tests). */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** `_meta { block { number hash } hasIndexingErrors deployment }`. */
export interface SubgraphMeta {
  readonly block: { readonly number: number; readonly hash: string };
  readonly hasIndexingErrors: boolean;
  readonly deployment: string | null;
}

/** A failure a retry cannot fix (bad query, bad response shape, HTTP 4xx). */
export class GraphPermanentError extends LiqmapError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('UPSTREAM_FAILED', message, details);
    this.name = 'GraphPermanentError';
  }
}

const graphErrorSchema = z.object({ message: z.string() }).passthrough();
const envelopeSchema = z.object({
  data: z.record(z.string(), z.unknown()).nullable().optional(),
  errors: z.array(graphErrorSchema).optional(),
});

const metaBlockSchema = z.object({ number: z.number().int().nonnegative(), hash: z.string().nullable() });
const metaSchema = z.object({
  block: metaBlockSchema,
  hasIndexingErrors: z.boolean().optional(),
  deployment: z.string().nullable().optional(),
});

// GraphQL errors graph-node returns for a query that can never succeed.
const PERMANENT_GRAPHQL = /has no field|Unknown argument|Cannot query field|Syntax Error|Unknown type|Invalid value provided|must be between|not a valid|Variable .* of required type/i;

class RetryableError extends Error {}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A client for one graph-node GraphQL endpoint. Every response is parsed with zod before it
 * is returned, so callers only ever see data of the shape they asked for.
 *
 * Retries with exponential backoff on network errors, timeouts, HTTP 429 and 5xx, GraphQL
 * errors (graph-node's `indexing_error`, a block not yet indexed, store timeouts) and
 * `_meta.hasIndexingErrors: true`; gives up with a {@link LiqmapError} `UPSTREAM_FAILED`.
 * Query validation errors, HTTP 4xx and responses of the wrong shape throw
 * {@link GraphPermanentError} at once.
 *
 * @example
 * const client = new GraphClient({ url: 'http://localhost:8000/subgraphs/name/liqmap/gmx-v2' });
 * const meta = await client.meta();          // { block: { number, hash }, hasIndexingErrors }
 * const rows = await client.query('{ markets { id } }', {}, z.object({ markets: z.array(z.object({ id: z.string() })) }));
 */
export class GraphClient {
  readonly url: string;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #retries: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #timeoutMs: number;
  readonly #log: Logger;
  readonly #fetch: typeof fetch;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: GraphClientOptions) {
    this.url = options.url;
    this.#headers = Object.freeze({ ...(options.headers ?? {}) });
    this.#retries = options.retries ?? 5;
    this.#baseDelayMs = options.baseDelayMs ?? 250;
    this.#maxDelayMs = options.maxDelayMs ?? 10_000;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#log = (options.logger ?? silentLogger).child({ at: 'GraphClient#query' });
    this.#fetch = options.fetch ?? fetch;
    this.#sleep = options.sleep ?? defaultSleep;
  }

  /**
   * Runs `query` with `variables` and returns `data` parsed by `schema`.
   * Never returns partial data: any GraphQL error fails the attempt.
   */
  async query<S extends z.ZodType>(query: string, variables: Record<string, unknown>, schema: S): Promise<z.infer<S>> {
    let attempt = 0;
    for (;;) {
      try {
        return await this.#attempt(query, variables, schema);
      } catch (e) {
        if (!(e instanceof RetryableError)) throw e;
        if (attempt >= this.#retries) {
          throw new LiqmapError(
            'UPSTREAM_FAILED',
            `subgraph query failed after ${attempt + 1} attempts: ${e.message}. Check that graph-node at ${this.url} is up and the subgraph is synced without errors.`,
            { url: this.url, attempts: attempt + 1 },
            e,
          );
        }
        const delay = Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** attempt) * (0.8 + Math.random() * 0.4);
        this.#log.warn({ attempt: attempt + 1, delayMs: Math.round(delay), reason: e.message }, 'subgraph query failed, retrying');
        attempt += 1;
        await this.#sleep(delay);
      }
    }
  }

  /** The subgraph's head (or, with `block`, the hash it indexed at that block number). */
  async meta(block?: number): Promise<SubgraphMeta> {
    const q =
      block === undefined
        ? 'query { _meta { block { number hash } hasIndexingErrors deployment } }'
        : 'query($n: Int!) { _meta(block: { number: $n }) { block { number hash } hasIndexingErrors deployment } }';
    const data = await this.query(q, block === undefined ? {} : { n: block }, z.object({ _meta: metaSchema }));
    return toMeta(data._meta);
  }

  async #attempt<S extends z.ZodType>(query: string, variables: Record<string, unknown>, schema: S): Promise<z.infer<S>> {
    let res: Response;
    try {
      res = await this.#fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...this.#headers },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (e) {
      throw new RetryableError(`network error: ${(e as Error).message}`);
    }
    const text = await res.text().catch((e: Error) => {
      throw new RetryableError(`network error reading the body: ${e.message}`);
    });
    if (res.status === 429 || res.status >= 500) throw new RetryableError(`HTTP ${res.status}: ${text.slice(0, 200)}`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      if (!res.ok) throw new GraphPermanentError(`subgraph answered HTTP ${res.status}: ${text.slice(0, 200)}`);
      throw new RetryableError(`response is not JSON: ${text.slice(0, 200)}`);
    }
    const envelope = envelopeSchema.safeParse(json);
    if (!envelope.success) throw new GraphPermanentError(`subgraph response is not a GraphQL response: ${text.slice(0, 200)}`);
    const errors = envelope.data.errors ?? [];
    if (errors.length > 0) {
      const message = errors.map((e) => e.message).join('; ');
      if (PERMANENT_GRAPHQL.test(message)) throw new GraphPermanentError(`subgraph rejected the query: ${message}`, { query });
      throw new RetryableError(`GraphQL error: ${message}`);
    }
    if (!res.ok) throw new GraphPermanentError(`subgraph answered HTTP ${res.status}: ${text.slice(0, 200)}`);
    const data = envelope.data.data;
    if (data === null || data === undefined) throw new RetryableError('response has neither data nor errors');
    for (const [alias, value] of Object.entries(data)) {
      if (isObject(value) && value.hasIndexingErrors === true) {
        throw new RetryableError(`subgraph reports indexing errors (${alias}.hasIndexingErrors)`);
      }
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      throw new GraphPermanentError(`subgraph response has an unexpected shape: ${z.prettifyError(parsed.error)}`, { query });
    }
    return parsed.data;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** Converts a parsed `_meta` object. */
export function toMeta(m: z.infer<typeof metaSchema>): SubgraphMeta {
  return {
    block: { number: m.block.number, hash: m.block.hash ?? '' },
    hasIndexingErrors: m.hasIndexingErrors ?? false,
    deployment: m.deployment ?? null,
  };
}

/** The zod schema of a `_meta { block { number hash } hasIndexingErrors deployment }` selection. */
export const subgraphMetaSchema = metaSchema;
