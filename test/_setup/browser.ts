import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (or CHROMIUM_PATH), or null: browser tests then skip, saying so. */
export const CHROMIUM: string | null = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p): p is string => !!p && existsSync(p)) ?? null;

/** Where browser tests save screenshots (gitignored; kept after the run as artefacts). */
export const ARTEFACTS = path.resolve(process.cwd(), 'test-artifacts');

/** Launches headless Chromium the way every browser test does. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM!, args: ['--no-sandbox', '--disable-gpu'] });
}

/** A page that records its uncaught errors (a test expects none). */
export async function openPage(browser: Browser, url: string, viewport = { width: 1500, height: 900 }): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport, acceptDownloads: true });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  return { page, errors };
}

/** Saves a screenshot of the page as a test artefact, returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTEFACTS, { recursive: true });
  const file = path.join(ARTEFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Waits until the dashboard has loaded a market (or failed), returns its status state. */
export async function dashboardReady(page: Page, timeout = 90_000): Promise<string | null> {
  await page.waitForSelector('#status[data-state="ready"], #status[data-state="error"]', { timeout });
  return page.getAttribute('#status', 'data-state');
}

/** Opens the dashboard of `server` on `market` and waits until it is loaded; throws when it shows an error. */
export async function openDashboard(browser: Browser, server: string, market: string): Promise<{ page: Page; errors: string[] }> {
  const opened = await openPage(browser, `${server}/?market=${encodeURIComponent(market)}`);
  const state = await dashboardReady(opened.page);
  if (state !== 'ready') throw new Error(`the dashboard on ${market} shows ${state}: ${await opened.page.textContent('#status')}`);
  return opened;
}
