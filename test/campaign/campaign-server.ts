import { readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { spawnServing } from '../_setup/cli.js';

/** A `liqmap serve` process a campaign attacks: its URL, whether it still runs, its peak RSS. */
export interface CampaignServer {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Exit code or signal when it died (a crash of the campaign), else null. */
  exited(): string | null;
  /** Peak resident memory of the process so far (VmHWM), MB; its current RSS where VmHWM is unknown. */
  peakRssMb(): number;
  /** Its stderr so far (pino JSON lines). */
  stderr(): string;
  stop(): Promise<void>;
}

/** Reads a `/proc/<pid>/status` field in kB (Linux), or null. */
function procStatusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Starts `liqmap serve` (the real CLI) with `env` on a free loopback port. */
export async function startCampaignServer(env: Record<string, string>): Promise<CampaignServer> {
  const { child, url } = await spawnServing(['serve'], { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env });
  let exit: string | null = null;
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-200_000)));
  child.once('exit', (code, signal) => (exit = `exit ${code ?? ''}${signal ?? ''}`));
  const pid = child.pid!;
  let peakKb = 0;
  return {
    url,
    port: Number(new URL(url).port),
    pid,
    exited: () => exit,
    peakRssMb() {
      peakKb = Math.max(peakKb, procStatusKb(pid, 'VmHWM') ?? procStatusKb(pid, 'VmRSS') ?? 0);
      return Math.round(peakKb / 1024);
    },
    stderr: () => err,
    stop: () => stopChild(child),
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
