/**
 * `npm run campaign`: the adversarial campaign in full — the ingest part (malformed files over
 * the layouts) and the API part (hostile requests, HTTP abuse, PNG sizes, subscriptions, a bounded
 * load on uncached queries against `liqmap serve`) — printing each part's figures. Exits 1 when
 * anything crashed or a row was lost. Options: --ingest-inputs N (300), --inputs N (all generated
 * GraphQL requests), --load-seconds S (30), --concurrency C (16), --hours H of demo data (24).
 */
import { formatCampaign, runIngestCampaign } from './ingest-campaign.js';
import { formatApiCampaign, runApiCampaign } from './api-campaign.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

const ingest = await runIngestCampaign(arg('--ingest-inputs', 300));
process.stdout.write(`${formatCampaign(ingest)}\n`);
const api = await runApiCampaign({ graphqlInputs: arg('--inputs', Infinity), slowClients: true, loadSeconds: arg('--load-seconds', 30), loadConcurrency: arg('--concurrency', 16), hours: arg('--hours', 24) });
process.stdout.write(`${formatApiCampaign(api)}\n`);
if (ingest.crashed + ingest.rowsLost + api.crashed + api.rowsLost > 0) process.exitCode = 1;
