import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, silentLogger } from '../../base/index.js';
import { ingestDemo } from '../../indexer/index.js';
import { createJobRunner, type JobRunner } from '../../jobs/index.js';
import { createTestStore, type TestStore } from '../_setup/store.js';
import { startTestApi, type TestApi } from '../_setup/api.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', process.env.CHROMIUM_PATH].find((p): p is string => !!p && existsSync(p)) ?? null;

describe('a market whose results are not computed yet: NOT_READY with a job id, its progress, then the result', () => {
  let t: TestStore;
  let api: TestApi;
  let jobs: JobRunner;
  let market: string;
  beforeAll(async () => {
    t = await createTestStore();
    market = (await ingestDemo(t.store, { days: 1 })).market;
    // Nothing computed: the first request hands the market to the in-process runner.
    jobs = await createJobRunner({ config: parseConfig({}), store: t.store, logger: silentLogger, mode: 'embedded' });
    api = await startTestApi(t.store, {}, jobs);
  }, 120_000);
  afterAll(async () => {
    await api?.close();
    await jobs?.close();
    await t?.drop();
  });

  it('the `job` query follows the job named by NOT_READY until it completes', async () => {
    const first = await api.gql(`{ heatmap(market: "${market}", timeBucketSeconds: 300) { paramsHash } }`);
    expect(first.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_READY' });
    // A set the server does not serve gets no job; the default does.
    const r = await api.gql(`{ heatmap(market: "${market}") { paramsHash } }`);
    const jobId = (r.errors?.[0]?.extensions as { jobId?: string } | undefined)?.jobId;
    expect(jobId).toMatch(/^in-process-\d+$/);
    const seen = new Set<string>();
    for (let i = 0; i < 1200; i++) {
      const j = await api.gql<{ job: { state: string; progress: number } | null }>('query($id: ID!) { job(id: $id) { id state progress attempts } }', { id: jobId });
      expect(j.errors).toBeUndefined();
      seen.add(j.data!.job!.state);
      if (j.data!.job!.state === 'COMPLETED') {
        expect(j.data!.job!.progress).toBe(100);
        break;
      }
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(seen.has('COMPLETED')).toBe(true);
    expect([...seen].every((s) => ['WAITING', 'ACTIVE', 'COMPLETED'].includes(s))).toBe(true);
    expect((await api.gql(`{ heatmap(market: "${market}") { paramsHash } }`)).errors).toBeUndefined();
    expect((await api.gql('{ job(id: "in-process-999999") { id } }')).data).toEqual({ job: null });
    expect((await api.gql('{ job(id: "no spaces allowed") { id } }')).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  }, 120_000);

  describe.skipIf(!CHROMIUM)('in Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await chromium.launch({ executablePath: CHROMIUM!, args: ['--no-sandbox', '--disable-gpu'] });
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('the dashboard shows the job\'s progress and draws the heatmap once it is done', async () => {
      // A market of its own, not computed yet.
      const target = (await ingestDemo(t.store, { days: 1, market: 'demo:ETHUSDT' })).market;
      const page = await browser.newPage();
      const failures: string[] = [];
      page.on('pageerror', (e) => failures.push(e.message));
      // Every status the page shows, in order.
      await page.addInitScript(() => {
        (window as unknown as { statuses: string[] }).statuses = [];
        new MutationObserver(() => {
          const s = document.getElementById('status');
          if (s) (window as unknown as { statuses: string[] }).statuses.push(`${s.dataset.state}: ${s.textContent}`);
        }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
      });
      await page.goto(`${api.server.url}/?market=${encodeURIComponent(target)}`);
      await page.waitForSelector('#status[data-state="ready"], #status[data-state="error"]', { timeout: 150_000 });
      const statuses = await page.evaluate(() => (window as unknown as { statuses: string[] }).statuses);
      expect(await page.getAttribute('#status', 'data-state'), statuses.join('\n')).toBe('ready');
      expect(statuses.some((s) => /^loading: computing \(job in-process-\d+\)/.test(s)), statuses.join('\n')).toBe(true);
      // The job's own progress, from the `job` query.
      expect(statuses.some((s) => /^loading: computing \(job in-process-\d+\): (waiting|active), \d+%$/.test(s)), statuses.join('\n')).toBe(true);
      expect(await page.textContent('#status')).toMatch(/cells/);
      expect(failures).toEqual([]);
    }, 200_000);
  });
});
