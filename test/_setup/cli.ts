import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';

/** The repository root (tests run from it). */
export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(ROOT, 'bin/liqmap.js');

/** Runs `liqmap …` to completion with extra environment; returns exit code and output. */
export function runCli(args: string[], env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `liqmap …` without waiting (for kill -9 tests). */
export function spawnCli(args: string[], env: Record<string, string> = {}) {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Runs `liqmap …` to completion without blocking this process (needed when the test itself
 * serves what the CLI talks to, e.g. a local graph-node).
 */
export async function runCliAsync(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawnCli(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  return { code, stdout, stderr };
}

/** Environment for the embedded default (PGlite, in-process jobs, a free port on loopback). */
export const EMBEDDED_ENV = { PORT: '0', HOST: '127.0.0.1', DATABASE_URL: '', REDIS_URL: '' };

/** Spawns `liqmap <args>` (a serving command) and resolves with its base URL once it serves, and its output so far (logs are on stderr). */
export async function spawnServing(args: string[], env: Record<string, string>) {
  const child = spawnCli(args, env);
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /serving GraphQL on (http:\/\/\S+)\/graphql/.exec(out);
      if (m) resolve(m[1]!.replace('localhost', '127.0.0.1'));
    });
    child.on('exit', (c) => reject(new Error(`liqmap ${args[0]} exited with ${c}`)));
  });
  return { child, url, stdout: () => out, stderr: () => err };
}
