/**
 * What the campaigns share (test/campaign/*-campaign.ts): a seeded PRNG so every run tries the
 * same inputs and faults, the peak RSS of child processes, and latency percentiles.
 */
import { readFileSync } from 'node:fs';

/** A small deterministic PRNG (mulberry32): same seed, same sequence. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Resident set size of a process in bytes (Linux /proc), or 0 once it has exited. */
export function rssOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Peak RSS per role (ingest, worker, api…), sampled every `everyMs` from the pids `pids()` names. */
export function rssSampler(pids: () => Iterable<[role: string, pid: number | undefined]>, everyMs = 200): { peaksMb(): Record<string, number>; stop(): void } {
  const peaks: Record<string, number> = {};
  const sample = () => {
    for (const [role, pid] of pids()) peaks[role] = Math.max(peaks[role] ?? 0, rssOf(pid));
  };
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return {
    peaksMb: () => (sample(), Object.fromEntries(Object.entries(peaks).map(([k, v]) => [k, Math.round(v / 2 ** 20)]))),
    stop: () => clearInterval(timer),
  };
}

/** The q-quantile (0..1) of `values` (nearest rank), or null when empty. */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
