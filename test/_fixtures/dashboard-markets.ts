import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Store } from '../../db/index.js';
import { ingestPaths } from '../../indexer/index.js';
import type { JobRunner } from '../../jobs/index.js';

/** A venue + coin of the multi-venue files, over the days before a time. */
export interface RealSlice {
  readonly venue: string;
  readonly coin: string;
  /** Keep rows from this time on (ISO-8601). */
  readonly from: string;
  /** And before this time (ISO-8601; default: to the end), e.g. to hold a day back for a live update. */
  readonly to?: string;
}

/**
 * The real rows of one venue + coin from the multi-venue candle, funding and liquidation files of
 * `../shared/data`, from `from` on, written to files of their own (the same layouts, header
 * kept) so a test ingests a slice of the year instead of all of it.
 */
export function sliceMultiVenue(sharedData: string, slice: RealSlice): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'liqmap-dash-'));
  const names = ['funding-multivenue-2025-03-to-2026-03.csv', 'candles-1h-multivenue-2025-03-to-2026-03.csv', 'liquidations-okx-hyperliquid.csv'];
  return names.map((name) => {
    const [header, ...lines] = readFileSync(path.join(sharedData, name), 'utf8').trim().split('\n');
    const keep = lines.filter((l) => {
      const c = l.split(',');
      return c[1] === slice.venue && c[2] === slice.coin && c[0]! >= slice.from && (slice.to === undefined || c[0]! < slice.to);
    });
    const f = path.join(dir, `${slice.venue}-${slice.coin}-${name}`);
    writeFileSync(f, [header, ...keep].join('\n') + '\n');
    return f;
  });
}

/** Ingests the slices, computes every market they made, and returns the market ids. */
export async function ingestSlices(store: Store, jobs: JobRunner, files: string[]): Promise<void> {
  await ingestPaths(store, files, { onBatch: (b) => jobs.onIngested(b) });
  await jobs.idle!();
}
