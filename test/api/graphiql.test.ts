import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteTestStore } from '../_setup/store.js';
import { startTestApi, type TestApi } from '../_setup/api.js';
import type { Store } from '../../db/index.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', process.env.CHROMIUM_PATH].find((p): p is string => !!p && existsSync(p)) ?? null;

describe('GraphiQL works offline', () => {
  let store: Store;
  let api: TestApi;
  beforeAll(async () => {
    store = await createPgliteTestStore();
    api = await startTestApi(store);
  });
  afterAll(async () => {
    await api?.close();
    await store?.close();
  });

  it('serves a page whose scripts, styles and icon are all inlined (no CDN)', async () => {
    const r = await fetch(`${api.server.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain('renderYogaGraphiQL');
    // Every resource a browser would fetch: <script src>, <link href>, <img src>.
    const external = [...html.matchAll(/<(?:script|link|img)\b[^>]*\b(?:src|href)\s*=\s*["']?(https?:)?\/\//gi)].map((m) => m[0]);
    expect(external).toEqual([]);
  });

  describe.skipIf(!CHROMIUM)('in Chromium with every non-local request blocked', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await chromium.launch({ executablePath: CHROMIUM!, args: ['--no-sandbox'] });
    });
    afterAll(async () => browser?.close());

    it('renders the editor and runs a query', async () => {
      const page = await browser.newPage();
      const blocked: string[] = [];
      await page.route('**/*', (route) => {
        const url = new URL(route.request().url());
        if (url.protocol === 'data:' || url.protocol === 'blob:' || url.hostname === '127.0.0.1') return route.continue();
        blocked.push(url.href);
        return route.abort();
      });
      await page.goto(`${api.server.url}/graphql?query=${encodeURIComponent('{ markets { id } }')}`);
      await page.waitForSelector('.graphiql-container', { timeout: 30_000 });
      await page.click('.graphiql-execute-button');
      await page.waitForFunction(() => document.querySelector('.graphiql-response')?.textContent?.includes('"markets"'), undefined, { timeout: 30_000 });
      expect(blocked).toEqual([]);
    }, 60_000);
  });
});
