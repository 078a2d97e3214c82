import { sql } from 'kysely';
import type { Plugin } from 'graphql-yoga';
import { withTimeout } from '../../base/index.js';
import type { ApiDeps } from '../context.js';

/** How long each readiness check may take: a dead dependency answers 503, never a hang. */
export const READINESS_TIMEOUT_MS = 2_000;

/** Runs one readiness check: `ok`, or why not without internals (no host, port or stack). */
async function probe(run: () => Promise<unknown>): Promise<string> {
  try {
    await withTimeout(run(), READINESS_TIMEOUT_MS, () => Object.assign(new Error('timeout'), { code: 'TIMEOUT' }));
    return 'ok';
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return `unavailable${typeof code === 'string' && /^[A-Z0-9_]+$/.test(code) ? ` (${code})` : ''}`;
  }
}

/** Asks Postgres, and Redis when the API has a queue, in parallel. */
async function readiness(deps: Pick<ApiDeps, 'store' | 'jobs'>): Promise<{ ok: boolean; checks: Record<string, string> }> {
  const ping = deps.jobs?.ping?.bind(deps.jobs);
  const [database, redis] = await Promise.all([probe(() => sql`select 1`.execute(deps.store.db)), ping ? probe(ping) : null]);
  const checks: Record<string, string> = { database };
  if (redis !== null) checks.redis = redis;
  return { ok: Object.values(checks).every((v) => v === 'ok'), checks };
}

/**
 * `GET /readyz`: 200 `{ status: "ready", database: "ok", redis: "ok" }` when every dependency
 * answers within {@link READINESS_TIMEOUT_MS}, else 503 with `unavailable (CODE)` for the ones
 * that did not. Like yoga's use-readiness-check, answered before GraphQL.
 */
export function useReadinessCheck(deps: Pick<ApiDeps, 'store' | 'jobs'>, endpoint = '/readyz'): Plugin {
  return {
    async onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname !== endpoint) return;
      const r = await readiness(deps);
      const body = JSON.stringify({ status: r.ok ? 'ready' : 'not ready', ...r.checks });
      endResponse(new fetchAPI.Response(body, { status: r.ok ? 200 : 503, headers: { 'content-type': 'application/json' } }));
    },
  };
}
