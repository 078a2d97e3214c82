import { createHash } from 'node:crypto';
import { useResponseCache } from '@graphql-yoga/plugin-response-cache';
import type { Plugin } from 'graphql-yoga';
import { globalDataVersion, type Store } from '../../db/index.js';

/**
 * Response cache keyed by the operation, its variables and the data version of the database
 * (which every committed ingest batch and every persisted result bumps), so a cached answer is
 * never served after the data under it changed. The version is read at most every 250 ms.
 */
export function useDataVersionedCache(store: Store, ttlMs = 60_000): Plugin {
  let version = 0;
  let readAt = 0;
  let reading: Promise<number> | null = null;
  const currentVersion = async (): Promise<number> => {
    if (Date.now() - readAt < 250) return version;
    reading ??= globalDataVersion(store)
      .then((v) => {
        version = v;
        readAt = Date.now();
        return v;
      })
      .finally(() => (reading = null));
    return reading;
  };
  return useResponseCache({
    session: () => null,
    ttl: ttlMs,
    // Mutations and subscriptions are never cached; _meta is live by definition.
    ttlPerSchemaCoordinate: { 'Query._meta': 0 },
    buildResponseCacheKey: async ({ documentString, variableValues, operationName }) => {
      const v = await currentVersion();
      const h = createHash('sha256').update(documentString).update('\0').update(JSON.stringify(variableValues ?? {})).update('\0').update(operationName ?? '');
      return `${h.digest('hex')}:${v}`;
    },
  }) as Plugin;
}
