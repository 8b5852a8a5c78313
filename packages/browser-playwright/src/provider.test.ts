import { execFileSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { WebTasksError } from '@webtasks/core';
import { type FixtureSites, startFixtureSites } from '@webtasks/test-suite';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPlaywrightBrowserProvider,
  DEFAULT_LAUNCH_ARGS,
  type PlaywrightBrowserProvider,
} from './index.js';

/** Chromium processes started by this test process (Playwright launches them as direct children). */
function chromiumChildren(): number[] {
  const out = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, comm]) => comm !== undefined && /chrom/i.test(comm))
    .map(([pid]) => Number(pid));
}

let sites: FixtureSites;
beforeAll(async () => {
  sites = await startFixtureSites();
});
afterAll(async () => {
  await sites.close();
});

describe('createPlaywrightBrowserProvider', () => {
  it('reports browser-crashed when Chromium dies, and relaunches on the next openSession', async () => {
    const provider = createPlaywrightBrowserProvider({ egress: { allowHosts: [`127.0.0.1:${sites.port}`] } });
    try {
      const before = await provider.openSession();
      await before.execute({ command: { target: 'page', op: 'goto', args: [`${sites.baseUrl}/tables`] } });
      const pids = chromiumChildren();
      expect(pids.length).toBeGreaterThan(0);
      const browser = await provider.getInstance();
      const disconnected = new Promise((resolve) => browser.once('disconnected', resolve));
      for (const pid of pids) process.kill(pid, 'SIGKILL');
      await disconnected;
      const error = await before
        .execute({ command: { target: 'page', op: 'title', args: [] } })
        .catch((e: unknown) => e);
      expect(WebTasksError.hasCode(error, 'browser-crashed')).toBe(true);
      expect((error as WebTasksError).retryable).toBe(true);

      const after = await provider.openSession();
      await after.execute({ command: { target: 'page', op: 'goto', args: [`${sites.baseUrl}/tables`] } });
      expect(await after.execute({ command: { target: 'page', op: 'title', args: [] } })).toBe('Tables');
      expect(chromiumChildren().some((pid) => !pids.includes(pid))).toBe(true);
      expect(await before.close()).toEqual({});
    } finally {
      await provider.close();
    }
  });

  it('uses a Browser the caller owns and leaves it open', async () => {
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [...DEFAULT_LAUNCH_ARGS],
    });
    try {
      const provider = createPlaywrightBrowserProvider({
        browser,
        egress: { allowHosts: [`127.0.0.1:${sites.port}`] },
      });
      const session = await provider.openSession();
      await session.execute({
        command: { target: 'page', op: 'goto', args: [`${sites.baseUrl}/tables/simple`] },
      });
      expect(browser.contexts()).toHaveLength(1);
      await provider.close();
      expect(browser.isConnected()).toBe(true);
      expect(browser.contexts()).toHaveLength(0);
      expect(await provider.getInstance()).toBe(browser);
    } finally {
      await browser.close();
    }
  });

  describe('with one shared provider', () => {
    let shared: PlaywrightBrowserProvider;
    beforeAll(() => {
      shared = createPlaywrightBrowserProvider();
    });
    afterAll(async () => {
      await shared.close();
    });

    it('denies a hostname that resolves to a loopback address (real DNS)', async (ctx) => {
      const name = hostname();
      const addresses = await lookup(name, { all: true }).catch(() => []);
      if (!addresses.some((a) => a.address.startsWith('127.') || a.address === '::1')) {
        ctx.skip(`${name} does not resolve to a loopback address on this machine`);
      }
      {
        const session = await shared.openSession();
        const error = await session
          .execute({ command: { target: 'page', op: 'goto', args: [`http://${name}:${sites.port}/`] } })
          .catch((e: unknown) => e as WebTasksError);
        expect(error).toMatchObject({ code: 'policy-denied' });
        expect((error as WebTasksError).message).toContain(`${name.toLowerCase()} resolves to`);
        expect(sites.requests.some((r) => r.host.startsWith(name))).toBe(false);
        await session.close();
      }
    });

    it('aborts a command when its signal fires', async () => {
      const session = await shared.openSession({ egress: { allowHosts: [`127.0.0.1:${sites.port}`] } });
      try {
        const controller = new AbortController();
        const pending = session.execute({
          command: { target: 'page', op: 'goto', args: [`${sites.baseUrl}/testing/slow?ms=5000`] },
          signal: controller.signal,
        });
        setTimeout(() => controller.abort(), 100);
        await expect(pending).rejects.toMatchObject({ code: 'aborted' });
      } finally {
        await session.close();
      }
    });
    it('notes the blocked navigation a click caused', async () => {
      const session = await shared.openSession({ egress: { allowHosts: [`127.0.0.1:${sites.port}`] } });
      try {
        const target = `http://localhost:${sites.port}/tables`;
        await session.execute({
          command: { target: 'page', op: 'goto', args: [`${sites.baseUrl}/testing/embed`] },
        });
        await session.execute({
          command: {
            target: 'page',
            op: 'evaluate',
            args: [
              {
                fn: '(href) => { const a = document.createElement("a"); a.href = href; a.textContent = "away"; document.body.append(a); }',
              },
              target,
            ],
          },
        });
        await session.execute({
          command: {
            target: 'locator',
            op: 'click',
            locator: [{ kind: 'getByText', text: 'away' }],
            args: [],
          },
        });
        // The egress proxy answers the refused navigation itself (403, the reason as the page).
        await session.getPage().waitForURL(target);
        expect(await session.getPage().textContent('body')).toContain(
          'Blocked by the webtasks egress policy',
        );
        const snapshot = await session.observe();
        expect(snapshot.text).toContain(`the egress policy blocked a navigation to ${target}`);
        expect((await session.observe()).text).not.toContain('egress policy blocked');
      } finally {
        await session.close();
      }
    });

    it('notes a refused HTTPS navigation the page made itself (a tunnel the proxy refused)', async () => {
      const session = await shared.openSession({ egress: { allowHosts: [`127.0.0.1:${sites.port}`] } });
      try {
        const target = 'https://127.0.0.1:8443/account';
        await session.execute({
          command: { target: 'page', op: 'goto', args: [`${sites.baseUrl}/testing/embed`] },
        });
        const failed = session.getPage().waitForEvent('requestfailed');
        await session.execute({
          command: {
            target: 'page',
            op: 'evaluate',
            args: [{ fn: '(href) => { location.href = href; }' }, target],
          },
        });
        expect((await failed).failure()?.errorText).toContain('ERR_TUNNEL_CONNECTION_FAILED');
        await session.getPage().waitForURL(/^chrome-error:/);
        const snapshot = await session.observe();
        expect(snapshot.text).toContain(`the egress policy blocked a navigation to ${target}`);
      } finally {
        await session.close();
      }
    });
  });
});
