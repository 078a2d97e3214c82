import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

/** A free TCP port on loopback (nothing listens on it once this resolves). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A redis-server of the test's own on a loopback port, without persistence, restartable. */
export interface ThrowawayRedis {
  readonly url: string;
  readonly port: number;
  /** kill -9 (a crash: nothing saved). */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
}

export async function throwawayRedis(): Promise<ThrowawayRedis> {
  const port = await freePort();
  let proc: ChildProcess | null = null;
  const r: ThrowawayRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async kill() {
      if (!proc) return;
      const p = proc;
      proc = null;
      const exited = new Promise((resolve) => p.once('exit', resolve));
      p.kill('SIGKILL');
      await exited;
    },
    async start() {
      proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
      for (let i = 0; i < 100; i++) {
        const c = new Redis(r.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        c.on('error', () => {}); // refused while it starts: expected, retried below
        try {
          await c.connect();
          await c.ping();
          return;
        } catch {
          await new Promise((res) => setTimeout(res, 100));
        } finally {
          c.disconnect();
        }
      }
      throw new Error(`redis-server on port ${port} did not start`);
    },
  };
  await r.start();
  return r;
}
