import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import { LiqmapError } from '../../base/index.js';
import { exponentialBackoff } from './backoff.js';

/** Options of {@link createRestClient}. */
export interface RestClientOptions {
  /** Venue name, for error messages. */
  readonly venue: string;
  /** Base URL, e.g. `https://fapi.binance.com`. */
  readonly baseUrl: string;
  readonly timeoutMs?: number;
  /** Attempts per request on 429, 5xx and network errors. */
  readonly attempts?: number;
  readonly signal?: AbortSignal;
}

/** A venue's REST API: JSON requests parsed with zod at the edge. */
export interface RestClient {
  readonly venue: string;
  get<S extends z.ZodType>(path: string, query: Record<string, string | number | undefined>, schema: S): Promise<z.infer<S>>;
  post<S extends z.ZodType>(path: string, body: unknown, schema: S): Promise<z.infer<S>>;
}

/**
 * A REST client on the built-in fetch (undici). Retries rate limits (429, honouring
 * `Retry-After`), server errors and network failures with jittered backoff; any other status,
 * or a body that does not match the schema, fails at once with one line naming the venue and
 * the endpoint.
 */
export function createRestClient(options: RestClientOptions): RestClient {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const attempts = options.attempts ?? 5;
  const backoff = exponentialBackoff({ baseMs: 250, maxMs: 10_000 });
  const request = async <S extends z.ZodType>(method: 'GET' | 'POST', path: string, url: string, body: string | undefined, schema: S): Promise<z.infer<S>> => {
    const what = `${options.venue} REST ${method} ${path}`;
    let lastError = '';
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await sleep(backoff.delay(attempt - 1), undefined, { signal: options.signal });
      let res: Response;
      try {
        const signal = options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
        res = await fetch(url, { method, signal, ...(body !== undefined ? { body, headers: { 'content-type': 'application/json' } } : {}) });
      } catch (e) {
        if (options.signal?.aborted) throw e;
        lastError = (e as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `${(e as Error).message}${(e as { cause?: { code?: string } }).cause?.code ? ` (${(e as { cause: { code: string } }).cause.code})` : ''}`;
        continue;
      }
      if (res.status === 429 || res.status === 418 || res.status >= 500) {
        lastError = `HTTP ${res.status}`;
        const retryAfter = Number(res.headers.get('retry-after'));
        await res.body?.cancel();
        if (Number.isFinite(retryAfter) && retryAfter > 0) await sleep(Math.min(retryAfter * 1000, 60_000), undefined, { signal: options.signal });
        continue;
      }
      const text = await res.text();
      if (!res.ok) throw new LiqmapError('UPSTREAM_FAILED', `${what}: HTTP ${res.status}: ${text.slice(0, 200)}`);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new LiqmapError('UPSTREAM_FAILED', `${what}: the answer is not JSON: ${text.slice(0, 120)}`);
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new LiqmapError('UPSTREAM_FAILED', `${what}: unexpected answer at ${issue.path.join('.') || 'top level'}: ${issue.message}`);
      }
      return parsed.data;
    }
    throw new LiqmapError('UPSTREAM_FAILED', `${what}: failed after ${attempts} attempts (${lastError})`);
  };
  return {
    venue: options.venue,
    get(path, query, schema) {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, String(v));
      const q = qs.toString();
      return request('GET', path, `${options.baseUrl}${path}${q ? `?${q}` : ''}`, undefined, schema);
    },
    post(path, body, schema) {
      return request('POST', path, `${options.baseUrl}${path}`, JSON.stringify(body), schema);
    },
  };
}
