import { type OneConnectionSite, startOneConnectionSite } from '@webtasks/test-suite';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlaywrightBrowserProvider, DEFAULT_LAUNCH_ARGS } from './index.js';

// REAL-WORLD.md #1: a server that answers one connection at a time with `Connection: close`.
// Chromium keeps a preconnected socket idle on it; a second connection opened on the page's
// behalf waits behind it until the server's idle timeout (here 30 s, as the real one).
let site: OneConnectionSite;
const PATHS = ['/', '/page/1', '/page/2', '/page/3'];
const QUICK_MS = 8_000;

beforeAll(async () => {
  site = await startOneConnectionSite();
});
afterAll(async () => {
  await site?.close();
});

describe('a one-connection-at-a-time server', () => {
  it('a plain Playwright script loads every page quickly', async () => {
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [...DEFAULT_LAUNCH_ARGS],
    });
    try {
      const page = await browser.newPage();
      const started = Date.now();
      const titles: string[] = [];
      for (const path of PATHS) {
        await page.goto(`${site.baseUrl}${path}`);
        titles.push(await page.title());
      }
      expect(titles).toEqual(['One worker', 'Page 1', 'Page 2', 'Page 3']);
      expect(Date.now() - started).toBeLessThan(QUICK_MS);
    } finally {
      await browser.close();
    }
  }, 60_000);

  it("the engine's browser session loads the same pages as quickly, through its egress proxy", async () => {
    const provider = createPlaywrightBrowserProvider({ egress: { allowHosts: [`127.0.0.1:${site.port}`] } });
    const session = await provider.openSession();
    try {
      const started = Date.now();
      const titles: unknown[] = [];
      for (const path of PATHS) {
        await session.execute({ command: { target: 'page', op: 'goto', args: [`${site.baseUrl}${path}`] } });
        titles.push(await session.execute({ command: { target: 'page', op: 'title', args: [] } }));
      }
      expect(titles).toEqual(['One worker', 'Page 1', 'Page 2', 'Page 3']);
      expect(
        await session.execute({
          command: { target: 'page', op: 'evaluate', args: [{ fn: '() => document.body.dataset.ready' }] },
        }),
      ).toBe('yes');
      expect(Date.now() - started).toBeLessThan(QUICK_MS);
    } finally {
      await session.close();
      await provider.close();
    }
  }, 60_000);
});
