import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { BrowserProvider, WebTasksEngine } from '@webtasks/core';
import {
  createFakeBrowserProvider,
  createScriptedLanguageModel,
  type ScriptedLanguageModel,
  toolCall,
} from '@webtasks/test-suite';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LIST_URL,
  listCode,
  NAMES_SCHEMA,
  startRealEngineServer,
  submit,
} from '../__fixtures__/real-engine-server.js';

/**
 * The dashboard in real Chromium against a real server and engine (memory stores; the model,
 * browser and sandbox of the engine are the test-suite fakes, with a real PNG as screenshot).
 * Screenshots of every page land in apps/server/test-artifacts/dashboard/ (gitignored).
 */
const WORKSPACE = 'ws_dashboard';
const API_KEY = 'dashboard-key-0123456789';
const SHOTS = fileURLToPath(new URL('../../test-artifacts/dashboard/', import.meta.url));
const LONG = 30_000;

let engine: WebTasksEngine;
let model: ScriptedLanguageModel;
let baseUrl: string;
let server: Awaited<ReturnType<typeof startRealEngineServer>> | undefined;
let browser: Browser;
/** A webhook receiver that answers 503 to its first request, then 204. */
let receiver: Server;
let receiverUrl: string;
const receivedAttempts: string[] = [];
/** Requests the dashboard made anywhere but its own server (there must be none: no CDN). */
const foreignRequests: string[] = [];

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The fake browser, with a real screenshot and a trace, so the run page shows both. */
function browserWithEvidence(screenshot: Uint8Array): BrowserProvider {
  const fake = createFakeBrowserProvider({
    site: {
      pages: { [LIST_URL]: { title: 'Companies', elements: { '.name': ['Acme', 'Globex', 'Initech'] } } },
    },
  });
  return {
    ...fake,
    capabilities: { ...fake.capabilities, traces: true, screenshots: true },
    async openSession(options) {
      const session = await fake.openSession(options);
      const close = session.close.bind(session);
      session.screenshot = async () => screenshot;
      session.close = async (closeOptions) => {
        await close(closeOptions);
        return options?.trace ? { trace: new TextEncoder().encode('PK\u0003\u0004 fake trace') } : {};
      };
      return session;
    },
  };
}

async function call(method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${baseUrl}/${WORKSPACE}${path}`, {
    method,
    headers: { 'x-api-key': API_KEY, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return response.json();
}

async function runToEnd(request: Record<string, unknown>): Promise<string> {
  const { webTaskId } = await call('POST', '/web-tasks/start', { outputSchema: NAMES_SCHEMA, ...request });
  const result = await call('GET', `/web-tasks/${webTaskId}/result?waitSeconds=30`);
  expect(result.status).toBe('completed');
  return webTaskId as string;
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SHOTS}${name}-desktop.png`, fullPage: true });
  const size = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${SHOTS}${name}-phone.png`, fullPage: true });
  if (size) await page.setViewportSize(size);
}

/** A fresh browser context (its own sessionStorage) at desktop size; steps fail before the test's timeout. */
async function openPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.setDefaultTimeout(15_000);
  page.on('request', (request) => {
    if (!request.url().startsWith(`${baseUrl}/`) && !request.url().startsWith('blob:')) {
      foreignRequests.push(request.url());
    }
  });
  return page;
}

async function signIn(page: Page, apiKey = API_KEY): Promise<void> {
  await page.goto(`${baseUrl}/ui`);
  await page.getByLabel('Workspace id').fill(WORKSPACE);
  await page.getByLabel('API key').fill(apiKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  receiver = createHttpServer((request, response) => {
    request.resume();
    request.on('end', () => {
      receivedAttempts.push(String(request.headers['webtasks-delivery-attempt']));
      response.writeHead(receivedAttempts.length === 1 ? 503 : 204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverPort = (receiver.address() as { port: number }).port;
  receiverUrl = `http://127.0.0.1:${receiverPort}/hooks`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  // A real PNG for the failure screenshots: a page rendered by the same Chromium.
  const shotPage = await browser.newPage({ viewport: { width: 800, height: 500 } });
  await shotPage.setContent(
    '<body style="font:16px sans-serif;margin:32px"><h1>Companies</h1><ul><li class="name">Acme</li><li class="name">Globex</li><li class="name">Initech</li></ul></body>',
  );
  const screenshot = await shotPage.screenshot();
  await shotPage.close();

  model = createScriptedLanguageModel(() => submit(listCode()), { modelId: 'claude-sonnet-4-5' });
  server = await startRealEngineServer(
    { [WORKSPACE]: API_KEY },
    {
      model,
      browser: browserWithEvidence(screenshot),
      port: await freePort(),
      engine: {
        // The receiver is on loopback: allowed by name, as a deployment would allow an internal host.
        egress: { allowHosts: [`127.0.0.1:${receiverPort}`] },
        webhooks: {
          secret: 'dashboard-webhook-secret-0123456789',
          retry: { initialDelayMs: 300, maxDelayMs: 300 },
          pollIntervalMs: 200,
        },
      },
    },
  );
  ({ engine, baseUrl } = server);

  // History: a bundle with two versions, an exploration that failed once then saved, and a
  // failed run.
  await engine.bundles.import({
    workspaceId: WORKSPACE,
    reuseKey: 'shop-names',
    source: listCode(),
    outputSchema: NAMES_SCHEMA,
    task: 'Read the company names',
  });
  await engine.bundles.import({
    workspaceId: WORKSPACE,
    reuseKey: 'shop-names',
    source: listCode(
      "  ctx.log.info('v2 waits for the list');\n  await ctx.page.locator('.name').first().waitFor();",
    ),
    outputSchema: NAMES_SCHEMA,
    task: 'Read the company names',
  });
  await runToEnd({ task: 'Read the company names', reuseKey: 'shop-names' });
  model.setScript([
    { content: [toolCall('navigate', { url: LIST_URL })] },
    submit(listCode("  throw new Error('the list is not loaded yet');")),
    submit(listCode()),
  ]);
  await runToEnd({ task: 'List every company on the page', reuseKey: 'companies', debug: { trace: true } });
  model.setScript(() => submit(listCode("  throw new Error('no table on this page');")));
  await runToEnd({ task: 'Read the price table', reuseKey: 'prices' });
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => receiver?.close(resolve));
  await browser?.close();
  await server?.close();
});

describe('dashboard at /ui', () => {
  it('refuses a wrong API key with a clear message, then signs in and lists runs', {
    timeout: LONG,
  }, async () => {
    const page = await openPage();
    await signIn(page, 'not-the-key');
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain(`Wrong API key for workspace “${WORKSPACE}”`);
    expect(await page.evaluate(() => sessionStorage.getItem('webtasks.dashboard.session'))).toBeNull();
    await shoot(page, '01-sign-in-wrong-key');

    await page.getByLabel('API key').fill(API_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
    await expect.poll(() => page.locator('#runs-body tr').count()).toBe(3);
    expect(await page.locator('#runs-body').textContent()).toContain('no table on this page');
    await shoot(page, '02-runs');
    await page.close();
  });

  it('filters runs by reuse key and status', { timeout: LONG }, async () => {
    const page = await openPage();
    await signIn(page);
    await page.getByLabel('Reuse key').fill('companies');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.locator('#runs-body tr').count()).toBe(1);
    expect(await page.locator('#runs-body').textContent()).toContain('List every company');
    expect(page.url()).toContain('reuseKey=companies');
    await page.getByRole('link', { name: 'Clear' }).click();
    await page.getByLabel('Status').selectOption('pending');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No run matches these filters.').waitFor();
    await shoot(page, '03-runs-filtered-empty');
    await page.close();
  });

  it('shows a finished run: timeline, model calls, logs, screenshot, output and trace', {
    timeout: LONG,
  }, async () => {
    const { tasks } = await call('GET', '/web-tasks?reuseKey=companies');
    const page = await openPage();
    await signIn(page);
    await page.getByRole('link', { name: 'List every company on the page' }).click();
    await page.getByRole('heading', { name: `Run ${tasks[0].webTaskId}` }).waitFor();
    const timeline = page.getByRole('region', { name: 'Timeline' });
    await expect.poll(() => timeline.textContent()).toContain('the list is not loaded yet');
    expect(await page.getByRole('region', { name: 'Model calls and cost' }).locator('tbody tr').count()).toBe(
      3,
    );
    expect(await page.getByRole('region', { name: 'Output' }).textContent()).toContain('Initech');
    expect(await page.getByRole('region', { name: 'Logs' }).textContent()).toContain('found 3');
    const image = page.getByRole('img', { name: /Screenshot 1/ });
    await expect
      .poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBe(800);
    const trace = page.getByRole('link', { name: /Download trace/ });
    const traceResponse = await fetch((await trace.getAttribute('href')) as string);
    expect(traceResponse.status).toBe(200);
    expect(page.getByRole('button', { name: 'Cancel run' })).toBeDefined();
    expect(await page.getByRole('button', { name: 'Cancel run' }).count()).toBe(0);
    await page.getByText('Run finished: all events shown').waitFor();
    await shoot(page, '04-run-finished');
    await page.close();
  });

  it('streams the events of a running run live, then shows its result', { timeout: 60_000 }, async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    model.setScript(async () => {
      await gate;
      return submit(listCode());
    });
    const { webTaskId } = await call('POST', '/web-tasks/start', {
      task: 'Watch the list',
      reuseKey: 'live-key',
      outputSchema: NAMES_SCHEMA,
    });
    const page = await openPage();
    await signIn(page);
    await page.goto(`${baseUrl}/ui#/runs/${webTaskId}`);
    const events = page.locator('#event-list li');
    await page.locator('#event-list li[data-type="phase"]').first().waitFor();
    await page.getByText('Live: events appear as they happen').waitFor();
    expect(await page.locator('#event-list li[data-type="saved"]').count()).toBe(0);
    await page.getByRole('button', { name: 'Cancel run' }).waitFor();
    const before = await events.count();
    await shoot(page, '05-run-live');

    release();
    await page.locator('#event-list li[data-type="saved"]').waitFor({ timeout: 20_000 });
    expect(await events.count()).toBeGreaterThan(before);
    await page.getByText('Run finished: all events shown').waitFor();
    await expect.poll(() => page.getByRole('region', { name: 'Summary' }).textContent()).toContain('success');
    await expect.poll(() => page.getByRole('button', { name: 'Cancel run' }).count()).toBe(0);
    await page.close();
  });

  it('cancels an unfinished run from its page', { timeout: 60_000 }, async () => {
    model.setScript(
      (options) =>
        new Promise((_resolve, reject) => {
          options.signal?.addEventListener('abort', () => reject(options.signal?.reason));
        }),
    );
    const { webTaskId } = await call('POST', '/web-tasks/start', {
      task: 'Wait forever',
      reuseKey: 'cancel-key',
      outputSchema: NAMES_SCHEMA,
    });
    const page = await openPage();
    await signIn(page);
    await page.goto(`${baseUrl}/ui#/runs/${webTaskId}`);
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await page.getByText('Cancel requested').waitFor();
    await expect
      .poll(() => page.getByRole('region', { name: 'Output' }).textContent(), { timeout: 20_000 })
      .toContain('canceled');
    model.setScript(() => submit(listCode()));
    await page.close();
  });

  it('lists bundles, shows a diff between versions and rolls back', { timeout: LONG }, async () => {
    const page = await openPage();
    await signIn(page);
    await page.getByRole('link', { name: 'Bundles' }).click();
    await page.getByRole('heading', { name: 'Bundles' }).waitFor();
    await page.locator('tr[data-bundle="companies"]').waitFor();
    expect(await page.locator('tr[data-bundle="shop-names"]').textContent()).toContain('v2');
    await shoot(page, '06-bundles');

    await page.getByRole('link', { name: 'shop-names' }).click();
    await page.getByRole('region', { name: 'Version history' }).waitFor();
    // The page opens on the diff of the latest version with the one before.
    const diff = page.getByRole('region', { name: 'Compare versions' });
    await expect
      .poll(async () => (await diff.locator('.diff-add').allTextContents()).map((line) => line.trim()))
      .toContain("+  ctx.log.info('v2 waits for the list');");
    await shoot(page, '07-bundle-diff');

    await page.getByRole('button', { name: 'Roll back to v1' }).click();
    await page.getByText('Roll back “shop-names” to v1?').waitFor();
    await page
      .getByRole('group', { name: 'Confirm rollback' })
      .getByRole('button', { name: 'Roll back to v1' })
      .click();
    await page.getByText('Rolled back: v3 now runs the code of v1.').waitFor();
    expect(await page.locator('tr[data-version]').count()).toBe(3);
    expect(await page.locator('tr[data-version="3"]').textContent()).toContain('rollback');
    const latest = await call('GET', '/bundles/shop-names');
    expect(latest).toMatchObject({ version: 3, origin: 'rollback', source: listCode() });
    // The page now shows what the rollback changed (v2 → v3): the v2 line is gone again.
    await expect
      .poll(async () => (await diff.locator('.diff-del').allTextContents()).map((line) => line.trim()))
      .toContain("-  ctx.log.info('v2 waits for the list');");
    await shoot(page, '08-bundle-rolled-back');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export script' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('shop-names-v3.mjs');
    expect(await readFile(await download.path(), 'utf8')).toContain('playwright-core');
    await page.close();
  });

  it("shows the delivery attempts of a run's webhook: a failure, then the delivery", {
    timeout: LONG,
  }, async () => {
    const webTaskId = await runToEnd({
      task: 'Read the company names and tell me',
      reuseKey: 'companies',
      webhook: { url: receiverUrl },
    });
    const page = await openPage();
    await signIn(page);
    await page.goto(`${baseUrl}/ui#/runs/${webTaskId}`);
    const webhook = page.getByRole('region', { name: 'Webhook' });
    // The page follows the retries by itself: no reload.
    await expect
      .poll(() => webhook.textContent(), { timeout: 15_000 })
      .toContain('delivered after 2 attempts');
    expect(await webhook.textContent()).toContain(receiverUrl);
    const rows = webhook.getByRole('table', { name: 'Delivery attempts' }).locator('tbody tr');
    expect(await rows.allTextContents()).toEqual([
      expect.stringMatching(/^#1.*HTTP 503.*failed$/),
      expect.stringMatching(/^#2.*HTTP 204.*ok$/),
    ]);
    expect(receivedAttempts).toEqual(['1', '2']);
    await shoot(page, '09-run-webhook');
    await page.close();
  });

  it('approves a repaired version waiting for review, which then runs', { timeout: 60_000 }, async () => {
    await engine.bundles.import({
      workspaceId: WORKSPACE,
      reuseKey: 'reviewed',
      source: listCode("  throw new Error('the markup changed');"),
      outputSchema: NAMES_SCHEMA,
      task: 'Read the company names',
      verify: false,
    });
    expect(await call('PATCH', '/bundles/reviewed/settings', { promotion: 'review' })).toMatchObject({
      promotion: 'review',
    });
    model.setScript(() => submit(listCode()));
    await runToEnd({ task: 'Read the company names', reuseKey: 'reviewed' });
    const { versions } = await call('GET', '/bundles/reviewed/history');
    expect(versions.find((version: { version: number }) => version.version === 2)?.status).toBe('proposed');

    const page = await openPage();
    await signIn(page);
    await page.goto(`${baseUrl}/ui#/bundles/reviewed`);
    await page.getByText('v2 is waiting for review: runs keep using v1 until one is approved.').waitFor();
    expect(await page.locator('#live-version').textContent()).toContain(
      'Runs use v1 · promotion policy: review',
    );
    expect(await page.locator('tr[data-version="2"]').textContent()).toContain('awaiting review');
    expect(await page.locator('tr[data-version="1"]').textContent()).toContain('live');
    // It opens on what the repair changed.
    const diff = page.getByRole('region', { name: 'Compare versions' });
    await expect
      .poll(async () => (await diff.locator('.diff-del').allTextContents()).map((line) => line.trim()))
      .toContain("-  throw new Error('the markup changed');");
    await page.getByRole('button', { name: 'Reject v2' }).waitFor();
    await shoot(page, '10-bundle-review');

    await page.getByRole('button', { name: 'Approve v2' }).click();
    await page.getByText('Approved v2.').waitFor();
    await expect.poll(() => page.locator('#live-version').textContent()).toContain('Runs use v2');
    expect(await page.locator('tr[data-version="2"]').textContent()).toContain('live');
    expect(await page.locator('tr[data-version="2"]').textContent()).not.toContain('awaiting review');
    expect(await page.getByRole('button', { name: 'Approve v2' }).count()).toBe(0);
    await shoot(page, '11-bundle-approved');
    // Live for real: the next run uses v2, with no model call.
    const callsBefore = model.calls.length;
    const next = await runToEnd({ task: 'Read the company names', reuseKey: 'reviewed' });
    expect(await call('GET', `/web-tasks/${next}/record`)).toMatchObject({ bundleVersion: 2 });
    expect(await call('GET', `/web-tasks/${next}/result`)).toMatchObject({ outcome: 'success' });
    expect(model.calls.length).toBe(callsBefore);
    await page.close();
  });

  it('loaded nothing from another origin on any page', () => {
    expect(foreignRequests).toEqual([]);
  });

  it('signs out when the key stops working', { timeout: LONG }, async () => {
    const page = await openPage();
    await signIn(page);
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
    await page.evaluate(() =>
      sessionStorage.setItem(
        'webtasks.dashboard.session',
        JSON.stringify({ workspaceId: 'ws_dashboard', apiKey: 'revoked' }),
      ),
    );
    await page.getByRole('link', { name: 'Bundles' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('Signed out: The x-api-key is not a valid key');
    await page.getByLabel('API key').waitFor();
    await page.close();
  });
});
