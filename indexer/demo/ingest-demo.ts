import { BatchWriter, getCheckpoint, type BatchResult, type CanonicalEvent, type Store } from '../../db/index.js';
import { simulateMarket, DEFAULT_SIMULATOR, type SimulatorOptions } from './market-simulator.js';

/** Summary of a demo ingest. */
export interface DemoSummary {
  readonly market: string;
  readonly rows: number;
  readonly inserted: number;
  readonly skipped: boolean;
}

/**
 * `liqmap ingest demo`: writes the simulated market through the same batch writer and
 * checkpoints as file sources (so it is idempotent and resumable too).
 */
export async function ingestDemo(
  store: Store,
  options: Partial<SimulatorOptions> & {
    batchSize?: number;
    onBatch?: (r: BatchResult) => Promise<void> | void;
    onProgress?: (rows: number) => void;
  } = {},
): Promise<DemoSummary> {
  const sim = { ...DEFAULT_SIMULATOR, ...options };
  const sourceKey = `demo:${sim.market}:${sim.seed}:${sim.startMs}:${sim.days}:${sim.startPrice}:${sim.tradesPerMinute}`;
  const fingerprint = 'simulator-v1';
  const saved = await getCheckpoint(store, sourceKey);
  if (saved?.done && saved.fingerprint === fingerprint) {
    return { market: sim.market, rows: saved.rowsWritten, inserted: 0, skipped: true };
  }
  const resumeAt = saved && saved.fingerprint === fingerprint ? saved.line : 0;
  const writer = new BatchWriter(store);
  const batchSize = options.batchSize ?? 50_000;
  let batch: CanonicalEvent[] = [];
  let n = 0;
  let inserted = 0;
  const flush = async (done: boolean) => {
    const r = await writer.write({
      events: batch,
      checkpoint: { sourceKey, format: 'demo', fingerprint, line: n, rowsWritten: n, rowsQuarantined: 0, state: {}, done },
    });
    inserted += Object.values(r.inserted).reduce((a, b) => a + b, 0);
    batch = [];
    if (r.touched.length > 0) await options.onBatch?.(r);
    options.onProgress?.(n);
  };
  for (const e of simulateMarket(sim)) {
    n++;
    if (n <= resumeAt) continue;
    batch.push(e);
    if (batch.length >= batchSize) await flush(false);
  }
  await flush(true);
  return { market: sim.market, rows: n, inserted, skipped: false };
}
