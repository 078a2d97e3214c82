import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A server the bench started in a process of its own. */
export interface ChildServer {
  readonly url: string;
  readonly pid: number;
  /** Stops it (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
}

/**
 * Both servers run as they are deployed: the image sets NODE_ENV=production (Dockerfile), which
 * also turns off graphql-js's development checks (its instanceOf guards), for PostGraphile as
 * for liqmap; the same environment for both, so the comparison stays fair.
 */
const SERVER_ENV = { NODE_ENV: 'production', LOG_LEVEL: 'warn' } as const;

/**
 * Starts `node args…` (with {@link SERVER_ENV}) and waits (up to `timeoutMs`) for it to print "ready <port>" on stdout;
 * its stderr is passed through. Fails with the child's exit code when it dies first.
 */
export async function startChildServer(name: string, args: readonly string[], timeoutMs = 120_000): Promise<ChildServer> {
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...SERVER_ENV } });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bench: ${name} did not start within ${timeoutMs} ms`)), timeoutMs);
    createInterface({ input: child.stdout! }).on('line', (l) => {
      const m = /^ready (\d+)$/.exec(l.trim());
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bench: ${name} exited with code ${code} before it was ready`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
