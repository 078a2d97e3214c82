import net from 'node:net';

/** The connection options postgres.js hands its `socket` factory (parsed from the URL). */
interface SocketTarget {
  readonly host: readonly string[];
  readonly port: readonly number[];
  readonly path?: string | false | undefined;
  /** Seconds (postgres.js's own timer starts only once the socket is handed over). */
  readonly connect_timeout?: number | undefined;
}

/**
 * postgres.js's `socket` option: a connected TCP socket with Nagle's algorithm off. postgres.js
 * opens plain `net.Socket`s, and a COPY writes its data and CopyDone as separate small segments:
 * with Nagle on, the second waits for the server's delayed ACK, about 40 ms each time. A
 * transaction with two one-row COPYs took 140–190 ms that way and 1.6–4.3 ms with this socket
 * (5 runs each, load ~6); a one-day compute commits six COPYs. Hosts are tried in turn on each
 * (re)connect, as postgres.js does; a unix socket path is used as given.
 */
export function noDelaySocket(): (options: SocketTarget) => Promise<net.Socket> {
  let next = 0;
  return (options) =>
    new Promise((resolve, reject) => {
      const i = next++ % Math.max(1, options.host.length);
      const s = options.path ? net.connect(options.path) : net.connect(options.port[i] ?? options.port[0] ?? 5432, options.host[i] ?? 'localhost');
      s.setNoDelay(true);
      const timer = setTimeout(() => s.destroy(new Error(`connect timeout after ${options.connect_timeout ?? 30} s`)), (options.connect_timeout ?? 30) * 1000);
      const failed = (e: Error) => {
        clearTimeout(timer);
        reject(e);
      };
      s.once('error', failed);
      s.once('connect', () => {
        clearTimeout(timer);
        s.off('error', failed);
        resolve(s);
      });
    });
}
