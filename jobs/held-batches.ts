import type { BatchResult, TouchedRange } from '../db/index.js';
import type { JobRunner } from './runner.js';

/** A batch hook that holds what a bulk ingest touched until it is over, and its release. */
export interface HeldBatches {
  /** Notes a committed batch (nothing is computed yet). */
  onBatch(result: BatchResult): void;
  /** Hands the batches' union to the runner, once: every touched market is computed one time. */
  release(): Promise<void>;
}

/**
 * Holds a bulk ingest's batches (the demo market, files) back from the runner until the ingest
 * ends. Handed over batch by batch, the first trades batch starts a compute that a later batch of
 * another kind covering the same days (funding, open interest, liquidations: the demo and most
 * file sets come one kind at a time) rolls back whole: on `npm start` the demo computed 4,265
 * buckets, then rolled all of them back and computed 4,320 again. Embedded, the wasted compute also
 * shares PGlite's one thread with the ingest it slows. The union keeps each market's widest
 * touched range and the summed counts; refused rows were quarantined with their own batches.
 */
export function holdBatches(runner: Pick<JobRunner, 'onIngested'>): HeldBatches {
  const touched = new Map<string, TouchedRange>();
  const inserted: Record<string, number> = {};
  let rejectedEvents = 0;
  let released = false;
  return {
    onBatch(r) {
      for (const [kind, n] of Object.entries(r.inserted)) inserted[kind] = (inserted[kind] ?? 0) + n;
      rejectedEvents += r.rejectedEvents;
      for (const t of r.touched) {
        const had = touched.get(t.market);
        touched.set(t.market, had ? { market: t.market, fromUs: Math.min(had.fromUs, t.fromUs), toUs: Math.max(had.toUs, t.toUs) } : t);
      }
    },
    async release() {
      if (released || touched.size === 0) return;
      released = true;
      await runner.onIngested({ inserted: inserted as BatchResult['inserted'], touched: [...touched.values()], rejected: [], rejectedEvents });
    },
  };
}
