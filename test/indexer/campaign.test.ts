import { describe, expect, it } from 'vitest';
import { formatCampaign, runIngestCampaign } from '../campaign/ingest-campaign.js';

describe('the ingest campaign (reduced: malformed inputs over every damage kind and several layouts)', () => {
  it('handles every input: nothing crashes, no valid row is lost', async () => {
    const r = await runIngestCampaign(Number(process.env.LIQMAP_CAMPAIGN_INPUTS ?? 48));
    process.stdout.write(`${formatCampaign(r)}\n`);
    expect(r.crashes).toEqual([]);
    expect([r.tried, r.handled, r.crashed, r.rowsLost]).toEqual([r.tried, r.tried, 0, 0]);
    expect(r.tried).toBeGreaterThanOrEqual(48);
    // Bounded memory: bombs and 1 MiB lines add little to what the open database holds.
    expect(r.peakRssMb - r.baselineRssMb).toBeLessThan(400);
  }, 60_000);
});
