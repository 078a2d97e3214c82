/** A value a feed publishes, with the version that tells one value from the next. */
export interface Versioned<V> {
  readonly version: string;
  readonly value: V;
}

/** How a {@link SharedFeeds} reads and reports. */
export interface SharedFeedsOptions<V> {
  /** Time between the end of one read and the start of the next, ms. */
  readonly intervalMs: number;
  /**
   * Reads the key's current value. Given the last one published, it may return that same
   * object to say "unchanged" (and skip the expensive part of a read).
   */
  readonly read: (key: string, previous: Versioned<V> | null) => Promise<Versioned<V>>;
  /**
   * Folds a value a subscriber has not taken yet into the next one (it gets only the newest):
   * what the skipped value said that the newer one must still say. Default: the newer one.
   */
  readonly merge?: (older: V, newer: V) => V;
  /** Called once per read of a key (whatever its outcome): the polling a metric counts. */
  readonly onRead?: (key: string) => void;
  /** A read that failed while the key's subscribers already had a value (they keep theirs). */
  readonly onError?: (key: string, error: unknown) => void;
  /** The number of running pollers and of subscribers changed. */
  readonly onCount?: (pollers: number, subscribers: number) => void;
}

/**
 * One subscriber: the latest value not yet taken, never a queue. A slow reader skips
 * intermediate versions instead of buffering them, so each subscriber holds at most one
 * reference to a value all subscribers share.
 */
class Mailbox<V> implements AsyncIterableIterator<V> {
  #value: V | undefined;
  #has = false;
  #done = false;
  #waiter: ((r: IteratorResult<V>) => void) | null = null;
  readonly #onClose: () => void;
  readonly #merge: ((older: V, newer: V) => V) | undefined;

  constructor(onClose: () => void, merge?: (older: V, newer: V) => V) {
    this.#onClose = onClose;
    this.#merge = merge;
  }

  get closed(): boolean {
    return this.#done;
  }

  push(value: V): void {
    if (this.#done) return;
    if (this.#waiter) {
      const w = this.#waiter;
      this.#waiter = null;
      w({ value, done: false });
      return;
    }
    this.#value = this.#has && this.#merge ? this.#merge(this.#value as V, value) : value;
    this.#has = true;
  }

  /** Ends the iteration (pending `next()` resolves done) and leaves the feed. Idempotent. */
  close(): void {
    if (this.#done) return;
    this.#done = true;
    this.#value = undefined;
    this.#has = false;
    this.#waiter?.({ value: undefined, done: true });
    this.#waiter = null;
    this.#onClose();
  }

  next(): Promise<IteratorResult<V>> {
    if (this.#has) {
      const value = this.#value as V;
      this.#value = undefined;
      this.#has = false;
      return Promise.resolve({ value, done: false });
    }
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.#waiter = resolve));
  }

  return(): Promise<IteratorResult<V>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** The poller of one key and who listens to it. */
interface Feed<V> {
  latest: Versioned<V> | null;
  readonly subscribers: Set<Mailbox<V>>;
  /** Subscribers still waiting for their first value (they fail if the next read fails). */
  readonly starting: Set<{ resolve: () => void; reject: (e: unknown) => void; box: Mailbox<V> }>;
  stopped: boolean;
  /** Cuts the pause between reads short (the last subscriber left). */
  wake: (() => void) | null;
}

/**
 * Polled values fanned out: one poller per key, however many subscribers it has, started by
 * the first and stopped when the last leaves. The cost of polling grows with the number of
 * keys watched, not with the number of subscribers; a subscriber costs one {@link Mailbox}.
 */
export class SharedFeeds<V> {
  readonly #options: SharedFeedsOptions<V>;
  readonly #feeds = new Map<string, Feed<V>>();
  #subscribers = 0;

  constructor(options: SharedFeedsOptions<V>) {
    this.#options = options;
  }

  /** Running pollers (keys with at least one subscriber). */
  get pollers(): number {
    return this.#feeds.size;
  }

  /** Open subscriptions over all keys. */
  get subscribers(): number {
    return this.#subscribers;
  }

  /**
   * Subscribes to `key`. Resolves once the first value is there (at once when the key's poller
   * has one), with an iterator that yields it and then every newer version; rejects with the
   * read's error when the key has no value yet and its next read fails. The subscription ends
   * when the iterator is returned or `signal` aborts.
   */
  async subscribe(key: string, signal?: AbortSignal): Promise<AsyncIterableIterator<V>> {
    if (signal?.aborted) return emptyIterator<V>();
    let feed = this.#feeds.get(key);
    const isNew = feed === undefined;
    if (!feed) {
      feed = { latest: null, subscribers: new Set(), starting: new Set(), stopped: false, wake: null };
      this.#feeds.set(key, feed);
    }
    const current = feed;
    const onAbort = () => box.close();
    const box: Mailbox<V> = new Mailbox<V>(() => {
      signal?.removeEventListener('abort', onAbort);
      if (!current.subscribers.delete(box)) return;
      this.#subscribers--;
      // Left before its first value: subscribe() resolves with the ended iterator.
      for (const s of current.starting) {
        if (s.box !== box) continue;
        current.starting.delete(s);
        s.resolve();
      }
      if (current.subscribers.size === 0) this.#stop(key, current);
      this.#count();
    }, this.#options.merge);
    signal?.addEventListener('abort', onAbort, { once: true });
    current.subscribers.add(box);
    this.#subscribers++;
    this.#count();
    if (current.latest) {
      box.push(current.latest.value);
      return box;
    }
    const first = new Promise<void>((resolve, reject) => current.starting.add({ resolve, reject, box }));
    if (isNew) void this.#run(key, current);
    try {
      await first;
    } catch (e) {
      box.close();
      throw e;
    }
    return box;
  }

  /** Ends every subscription and poller (the server is closing). */
  close(): void {
    for (const feed of [...this.#feeds.values()]) for (const box of [...feed.subscribers]) box.close();
  }

  #stop(key: string, feed: Feed<V>): void {
    feed.stopped = true;
    feed.wake?.();
    if (this.#feeds.get(key) === feed) this.#feeds.delete(key);
  }

  #count(): void {
    this.#options.onCount?.(this.#feeds.size, this.#subscribers);
  }

  async #run(key: string, feed: Feed<V>): Promise<void> {
    while (!feed.stopped) {
      try {
        const next = await this.#options.read(key, feed.latest);
        if (feed.stopped) break;
        if (next.version !== feed.latest?.version) {
          feed.latest = next;
          for (const box of feed.subscribers) box.push(next.value);
        }
        for (const s of feed.starting) s.resolve();
        feed.starting.clear();
      } catch (e) {
        // Those without a value learn why; those with one keep it and the poller goes on.
        const failing = [...feed.starting];
        feed.starting.clear();
        for (const s of failing) {
          s.box.close();
          s.reject(e);
        }
        if (feed.subscribers.size > 0) this.#options.onError?.(key, e);
      } finally {
        this.#options.onRead?.(key);
      }
      if (feed.stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#options.intervalMs);
        feed.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      feed.wake = null;
    }
  }
}

function emptyIterator<V>(): AsyncIterableIterator<V> {
  const it: AsyncIterableIterator<V> = {
    next: () => Promise.resolve({ value: undefined, done: true }),
    return: () => Promise.resolve({ value: undefined, done: true }),
    [Symbol.asyncIterator]: () => it,
  };
  return it;
}
