import { Redis } from 'ioredis';
import { uniqueName } from './store.js';

/** The real Redis the tests use. */
export const TEST_REDIS_URL = process.env.LIQMAP_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A queue prefix of its own per test file, and removal of its keys afterwards. */
export function testQueuePrefix(): { prefix: string; cleanup(): Promise<void> } {
  const prefix = uniqueName('lqtest');
  return {
    prefix,
    async cleanup() {
      const r = new Redis(TEST_REDIS_URL);
      try {
        let cursor = '0';
        do {
          const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
          cursor = next;
          if (keys.length > 0) await r.del(...keys);
        } while (cursor !== '0');
      } finally {
        r.disconnect();
      }
    },
  };
}
