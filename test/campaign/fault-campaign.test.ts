import { describe, expect, it } from 'vitest';
import { PG_BIN } from '../_setup/throwaway-postgres.js';
import { FAULTS, formatFaultCampaign, runFaultCampaign } from './fault-campaign.js';

/**
 * The reduced fault campaign: one file per fault (kill -9 of ingest, worker and API; Postgres
 * and Redis restarts; concurrent ingests of the same file) under a bounded uncached query load.
 * The full form is `npm run campaign:faults`.
 */
describe.skipIf(!PG_BIN)('the fault campaign, reduced', () => {
  it('loses and duplicates no row through every fault, and the API keeps answering', async () => {
    const r = await runFaultCampaign({ files: FAULTS.length, rows: 10_000, concurrency: 2 });
    console.log(formatFaultCampaign(r));
    expect(Object.values(r.faults).every((n) => n === 1)).toBe(true);
    expect(r.rowsLost).toBe(0);
    expect(r.rowsDuplicated).toBe(0);
    expect(r.filesUnfinished).toBe(0);
    expect(r.problems).toEqual([]);
    expect(r.queries.ok).toBeGreaterThan(0);
    expect(r.queries.p99Ms).not.toBeNull();
  }, 600_000);
});
