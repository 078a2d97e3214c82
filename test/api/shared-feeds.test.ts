import { describe, expect, it } from 'vitest';
import { SharedFeeds } from '../../api/live/shared-feeds.js';

describe('SharedFeeds merge', () => {
  it('folds the values a slow subscriber skipped into the one it takes (without merge: the newest alone)', async () => {
    const run = async (merge: boolean) => {
      let n = 0;
      const feeds = new SharedFeeds<{ n: number; seen: number[] }>({ intervalMs: 5, read: () => Promise.resolve({ version: String(++n), value: { n, seen: [n] } }), ...(merge ? { merge: (a, b) => ({ n: b.n, seen: [...a.seen, ...b.seen] }) } : {}) });
      const it = await feeds.subscribe('k');
      expect((await it.next()).value).toEqual({ n: 1, seen: [1] });
      // Not read while the poller publishes three more.
      while (n < 4) await new Promise((r) => setTimeout(r, 5));
      const got = (await it.next()).value as { n: number; seen: number[] };
      await it.return!();
      return got;
    };
    const merged = await run(true);
    expect(merged.seen.slice(0, 3)).toEqual([2, 3, 4]);
    expect(merged.seen.at(-1)).toBe(merged.n);
    expect((await run(false)).seen).toHaveLength(1);
  });
});
