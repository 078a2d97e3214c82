import { request, type IncomingMessage } from 'node:http';

/** One GraphQL result as the tests read it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SseResult = Record<string, any>;

/** A GraphQL subscription over server-sent events, read with node:http (cheap per stream; any local address). */
export interface SseSubscription {
  /** HTTP status of the response. */
  readonly status: number;
  /** Results received so far (`data` of each `next` event), in order. */
  readonly results: SseResult[];
  /** Whether the server ended the stream (`complete`, or the socket closed). */
  readonly ended: boolean;
  /** Resolves with the `n`-th result (0-based) once it arrives; rejects after `timeoutMs`. */
  result(n: number, timeoutMs?: number): Promise<SseResult>;
  /** Resolves when the stream has ended. */
  end(timeoutMs?: number): Promise<void>;
  /** Closes the connection (the client goes away). */
  close(): void;
}

/** Options of {@link subscribeSse}. */
export interface SseOptions {
  /** Source address of the connection (any 127.x.y.z on loopback): another client. */
  readonly localAddress?: string;
  readonly headers?: Record<string, string>;
}

/** Opens `subscription` against `baseUrl`/graphql and resolves once the response headers are in. */
export function subscribeSse(baseUrl: string, subscription: string, options: SseOptions = {}): Promise<SseSubscription> {
  const url = new URL(`/graphql?query=${encodeURIComponent(subscription)}`, baseUrl);
  return new Promise((resolve, reject) => {
    const results: SseResult[] = [];
    const waiters = new Set<() => void>();
    let ended = false;
    let buffer = '';
    const notify = () => {
      for (const w of [...waiters]) w();
    };
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, localAddress: options.localAddress, headers: { accept: 'text/event-stream', ...options.headers } },
      (res: IncomingMessage) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let i: number;
          while ((i = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, i);
            buffer = buffer.slice(i + 2);
            const lines = block.split('\n');
            const event = lines.find((l) => l.startsWith('event:'))?.slice(6).trim();
            const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5)).join('\n').trim();
            if (event === 'complete') ended = true;
            else if (data) results.push(JSON.parse(data) as SseResult);
          }
          notify();
        });
        const finish = () => {
          ended = true;
          notify();
        };
        res.on('end', finish);
        res.on('close', finish);
        const wait = (ready: () => boolean, what: string, timeoutMs: number) =>
          new Promise<void>((ok, fail) => {
            if (ready()) return ok();
            const check = () => {
              if (ready()) done(ok);
              else if (ended) done(() => fail(new Error(`stream ended before ${what} (got ${JSON.stringify(results).slice(0, 300)})`)));
            };
            const timer = setTimeout(() => done(() => fail(new Error(`no ${what} within ${timeoutMs} ms`))), timeoutMs);
            const done = (f: () => void) => {
              clearTimeout(timer);
              waiters.delete(check);
              f();
            };
            waiters.add(check);
          });
        resolve({
          status: res.statusCode ?? 0,
          results,
          get ended() {
            return ended;
          },
          async result(n, timeoutMs = 10_000) {
            await wait(() => results.length > n, `result ${n}`, timeoutMs);
            return results[n]!;
          },
          end: (timeoutMs = 10_000) => wait(() => ended, 'end of stream', timeoutMs),
          close: () => req.destroy(),
        });
      },
    );
    req.on('error', (e) => (ended ? undefined : reject(e)));
    req.end();
  });
}
