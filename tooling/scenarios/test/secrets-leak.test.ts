import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@webtasks/core';
import { createAnthropicLanguageModel } from '@webtasks/llm-anthropic';
import { createFsSecretStore } from '@webtasks/store-fs';
import {
  type FakeAnthropicServer,
  type FakeRequestView,
  type FixtureSites,
  fakeReply,
  fixtureOrders,
  startFakeAnthropicServer,
  startFixtureSites,
} from '@webtasks/test-suite';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRealEngine } from './real-harness.js';

// A unique password (with characters that URL- and form-encode differently) and a TOTP seed.
const PASSWORD = `Pw ${randomUUID()}&+`;
const SEED = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const KEY = Buffer.alloc(32, 42).toString('base64');
const WS = `ws_secrets_${randomUUID().slice(0, 8)}`;
const OTHER_WS = `ws_other_${randomUUID().slice(0, 8)}`;

let sites: FixtureSites;
let fake: FakeAnthropicServer;

beforeAll(async () => {
  sites = await startFixtureSites();
  sites.addAccount({ username: 'ada', password: PASSWORD, totpSeed: SEED });
  fake = await startFakeAnthropicServer();
});
afterAll(async () => {
  await fake?.close();
  await sites?.close();
});

const loginCode = (base: string) => `import type { TaskContext } from 'webtasks:runtime';

export default async function run(ctx: TaskContext) {
  const page = ctx.page;
  await page.goto('${base}/account/login');
  await page.getByLabel('Username').fill(String(ctx.params.username));
  await page.getByLabel('Password').fill(ctx.secrets.password);
  ctx.log.info('signing in with', ctx.secrets.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\\/account(\\/otp)?$/);
  if ((await page.url()).endsWith('/otp')) {
    await page.getByLabel('Code from your authenticator app').fill(await ctx.secrets.totp('otp'));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(/\\/account$/);
  }
  const errors = page.locator('.error');
  if ((await errors.count()) > 0) throw new Error('sign-in failed: ' + (await errors.first().innerText()));
  const orders = await page.locator('.order-id').allTextContents();
  // Whatever the page sends back is cleaned: this title holds the password in the browser.
  await page.evaluate((pw) => { document.title = pw; }, ctx.secrets.password);
  return { orders, echoed: await page.title() };
}
`;

const schema = {
  type: 'object',
  properties: { orders: { type: 'array', items: { type: 'string' } }, echoed: { type: 'string' } },
  required: ['orders', 'echoed'],
};

/** Explore like a careful agent: fill the password by placeholder, look, try, submit. */
function exploreScript(source: string) {
  return (view: FakeRequestView) => {
    const step = view.messages.filter((m) => m.role === 'assistant').length;
    if (step === 0)
      return fakeReply.toolCall('act', { action: 'fill', selector: '#password', value: '«secret:password»' });
    if (step === 1) return fakeReply.toolCall('observe', {});
    if (step === 2) return fakeReply.toolCall('try_code', { source });
    return fakeReply.toolCall('submit', { source, outputSchema: schema });
  };
}

function capturingLogger(lines: string[]): Logger {
  const write = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    lines.push(JSON.stringify({ level, message, fields }));
  const logger: Logger = {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: () => logger,
  };
  return logger;
}

/** Every text a stored byte could hide the value in: files as they are, zip entries unpacked. */
function storedTexts(directory: string): Array<{ where: string; bytes: Uint8Array }> {
  const out: Array<{ where: string; bytes: Uint8Array }> = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const bytes = new Uint8Array(readFileSync(path));
        out.push({ where: path, bytes });
        // A zip (the trace) behind the blob file's small header: its entries are compressed.
        const zipAt = Buffer.from(bytes.subarray(0, 4096)).indexOf(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
        if (zipAt >= 0) {
          for (const [entry, inner] of Object.entries(unzipSync(bytes.subarray(zipAt))))
            out.push({ where: `${path}!${entry}`, bytes: inner });
        }
      }
    }
  };
  walk(directory);
  return out;
}

const forms = (value: string) => [
  value,
  encodeURIComponent(value),
  new URLSearchParams({ v: value }).toString().slice(2),
  JSON.stringify(value).slice(1, -1),
];

function hits(texts: Array<{ where: string; bytes: Uint8Array }>, values: string[]): string[] {
  const needles = values.flatMap(forms).map((needle) => Buffer.from(needle, 'utf8'));
  return texts
    .filter((text) => needles.some((needle) => Buffer.from(text.bytes).includes(needle)))
    .map((text) => text.where);
}

describe('secrets never leak (real Chromium, isolates, fs stores, fake Anthropic over the wire)', () => {
  it('explore, reuse and a failing traced run: zero stored bytes, log lines, events or model requests hold the values', async () => {
    const logs: string[] = [];
    const model = createAnthropicLanguageModel({
      apiKey: fake.apiKey,
      baseURL: fake.baseUrl,
      retry: { initialDelayMs: 10 },
    });
    // Everything the engine stores (tasks, runs, bundles, blobs, the sealed workspace secrets) lives here.
    const directory = mkdtempSync(join(tmpdir(), 'webtasks-secrets-'));
    const harness = createRealEngine({
      sites,
      model,
      directory,
      secrets: { key: KEY, store: createFsSecretStore({ directory }) },
      logger: capturingLogger(logs),
      limits: { maxRepairAttempts: 1 },
    });
    const wt = harness.engine;
    try {
      await wt.secrets.set({ workspaceId: WS, name: 'otp', value: SEED });
      expect(await wt.secrets.list({ workspaceId: WS })).toEqual([
        { name: 'otp', updatedAt: expect.any(String) },
      ]);
      expect(await wt.secrets.list({ workspaceId: OTHER_WS })).toEqual([]);

      const base = sites.baseUrl;
      const request = {
        task: 'List the ids of my orders.',
        startUrl: `${base}/account/login`,
        parameters: { username: 'ada' },
        reuseKey: 'orders',
        secrets: { password: PASSWORD },
      };
      fake.script(exploreScript(loginCode(base)));
      const explored = await wt.run({ workspaceId: WS, request, timeoutMs: 240_000 });
      const ids = fixtureOrders('ada').map((o) => o.id);
      expect(explored, JSON.stringify(explored)).toMatchObject({
        outcome: 'success',
        reuse: { created: true },
        result: { data: { orders: ids, echoed: '«secret:password»' } },
      });
      const afterExplore = fake.requestCount;
      // The agent saw placeholders: the secrets block and its own fill.
      expect(JSON.stringify(fake.requests.map((r) => r.body))).toContain('«secret:password»');

      const reused = await wt.run({ workspaceId: WS, request, timeoutMs: 120_000 });
      expect(reused, JSON.stringify(reused)).toMatchObject({ outcome: 'success', reuse: { used: true } });
      expect(fake.requestCount).toBe(afterExplore);

      // A missing secret: refused before anything runs, naming it, no model call.
      const { secrets: _dropped, ...withoutSecrets } = request;
      const missing = await wt.run({ workspaceId: WS, request: withoutSecrets, timeoutMs: 120_000 });
      expect(missing).toMatchObject({
        outcome: 'failed',
        error: { code: 'rejected', message: expect.stringContaining('"password" is not set') },
      });
      expect(fake.requestCount).toBe(afterExplore);

      // The site stops taking the password: the saved code fails with a trace on, the repair gives up.
      sites.addAccount({ username: 'ada', password: 'changed-elsewhere', totpSeed: SEED });
      fake.script(fakeReply.toolCall('give_up', { reason: 'the site rejects the credentials' }));
      const failed = await wt.run({
        workspaceId: WS,
        request: { ...request, debug: { trace: true } },
        timeoutMs: 240_000,
      });
      expect(failed, JSON.stringify(failed)).toMatchObject({ outcome: 'failed' });
      const record = await wt.record({ workspaceId: WS, webTaskId: failed.webTaskId });
      expect(JSON.stringify(record), JSON.stringify(record)).toContain('"kind":"trace"');
      expect(fake.requestCount).toBeGreaterThan(afterExplore);

      // Bundles of another workspace do not see this workspace's secrets.
      await wt.bundles.import({
        workspaceId: OTHER_WS,
        reuseKey: 'orders',
        source: loginCode(base),
        outputSchema: schema,
        verify: false,
      });
      const crossed = await wt.run({ workspaceId: OTHER_WS, request, timeoutMs: 120_000 });
      expect(crossed).toMatchObject({
        outcome: 'failed',
        error: { code: 'rejected', message: expect.stringContaining('"otp" is not set') },
      });

      // A program carrying a secret value is refused at save, by name.
      const refused = await wt.bundles
        .import({
          workspaceId: WS,
          reuseKey: 'leaky',
          source: loginCode(base).replace("await ctx.secrets.totp('otp')", `'${SEED}'`),
          outputSchema: schema,
          verify: false,
        })
        .catch((error: Error) => error);
      expect(refused).toBeInstanceOf(Error);
      expect((refused as Error).message).toContain('secret "otp"');
      expect((refused as Error).message).not.toContain(SEED);

      const stored = storedTexts(harness.directory);
      // The trace was kept and unpacked for the scan.
      expect(
        stored.some((text) => text.where.includes('zip.blob!')),
        stored.map((t) => t.where).join('\n'),
      ).toBe(true);
      expect(hits(stored, [PASSWORD, SEED])).toEqual([]);
      const modelRequests = fake.requests.map((r, i) => ({
        where: `model request ${i}`,
        bytes: Buffer.from(JSON.stringify(r.body)),
      }));
      expect(hits(modelRequests, [PASSWORD, SEED])).toEqual([]);
      const logLines = logs.map((line, i) => ({ where: `log ${i}`, bytes: Buffer.from(line) }));
      expect(logLines.length).toBeGreaterThan(0);
      expect(hits(logLines, [PASSWORD, SEED])).toEqual([]);
      const events = harness.events.map((event, i) => ({
        where: `event ${i}`,
        bytes: Buffer.from(JSON.stringify(event)),
      }));
      expect(hits(events, [PASSWORD, SEED])).toEqual([]);
      // The site did get the real password (the login worked), and a TOTP code.
      expect(sites.account.logins.length).toBeGreaterThanOrEqual(2);
    } finally {
      await harness.close();
      rmSync(directory, { recursive: true, force: true });
    }
  }, 900_000);
  it('an auth session: its cookie and localStorage values reach no stored byte, log line, event or model request', async () => {
    const logs: string[] = [];
    const model = createAnthropicLanguageModel({
      apiKey: fake.apiKey,
      baseURL: fake.baseUrl,
      retry: { initialDelayMs: 10 },
    });
    const directory = mkdtempSync(join(tmpdir(), 'webtasks-session-leak-'));
    const harness = createRealEngine({
      sites,
      model,
      directory,
      secrets: { key: KEY, store: createFsSecretStore({ directory }) },
      logger: capturingLogger(logs),
      limits: { maxRepairAttempts: 1 },
    });
    const wt = harness.engine;
    // Unique planted values: a script-readable cookie, an HttpOnly one and a localStorage item.
    const PREF = `ck-${randomUUID()}`;
    const SID = `sid-${randomUUID()}`;
    const STORED = `ls-${randomUUID()}`;
    const ws = `ws_session_${randomUUID().slice(0, 8)}`;
    const base = sites.baseUrl;
    const cookie = { domain: '127.0.0.1', expires: -1, secure: false, sameSite: 'Lax' as const };
    try {
      await wt.authSessions.import({
        workspaceId: ws,
        name: 'shop',
        state: {
          cookies: [
            { ...cookie, name: 'wt_pref', value: PREF, path: '/', httpOnly: false },
            { ...cookie, name: 'wt_sid', value: SID, path: '/', httpOnly: true },
          ],
          origins: [{ origin: new URL(base).origin, localStorage: [{ name: 'token', value: STORED }] }],
        },
      });
      // Code that reads the browser's state, logs it, and (when asked) writes it into the page
      // and fails, so the failure keeps the page's HTML with the values in it.
      const source = `import type { TaskContext } from 'webtasks:runtime';

export default async function run(ctx: TaskContext) {
  await ctx.page.goto('${base}/account/login');
  const seen = await ctx.page.evaluate(() => document.cookie + ' | ' + localStorage.getItem('token'));
  ctx.log.info('browser state', seen);
  if (ctx.params.fail === true) {
    await ctx.page.evaluate(() => { document.body.textContent = document.cookie + ' ' + localStorage.getItem('token'); });
    throw new Error('failing on purpose after reading ' + seen);
  }
  return { seen };
}
`;
      const sessionSchema = {
        type: 'object',
        properties: { seen: { type: 'string' } },
        required: ['seen'],
      };
      fake.script((view: FakeRequestView) => {
        const step = view.messages.filter((m) => m.role === 'assistant').length;
        if (step === 0) return fakeReply.toolCall('try_code', { source });
        return fakeReply.toolCall('submit', { source, outputSchema: sessionSchema });
      });
      const first = fake.requestCount;
      const request = {
        task: 'Show what the browser holds.',
        startUrl: `${base}/account/login`,
        reuseKey: 'session-state',
        parameters: { fail: false },
        auth: { session: 'shop' },
      };
      const explored = await wt.run({ workspaceId: ws, request, timeoutMs: 240_000 });
      expect(explored, JSON.stringify(explored)).toMatchObject({
        outcome: 'success',
        result: { data: { seen: expect.stringContaining('wt_pref=«session:shop»') } },
      });
      // localStorage too, and the CSRF cookie the login page set during the run (learned at the evaluate).
      expect(JSON.stringify(explored)).toContain('| «session:shop»');
      expect(JSON.stringify(explored)).toContain('wt_csrf=«session:shop»');
      // The model saw the try_code output: placeholders only, also for the cookie set during the run.
      const sentToModel = JSON.stringify(fake.requests.slice(first).map((r) => r.body));
      expect(sentToModel).toContain('«session:shop»');
      expect(sentToModel).not.toMatch(/wt_csrf=[0-9a-f]{8}/);

      // A traced run that fails after writing the values into the page (HTML and trace kept).
      fake.script(fakeReply.toolCall('give_up', { reason: 'it fails on purpose' }));
      const failed = await wt.run({
        workspaceId: ws,
        request: { ...request, parameters: { fail: true }, debug: { trace: true } },
        timeoutMs: 240_000,
      });
      expect(failed, JSON.stringify(failed)).toMatchObject({ outcome: 'failed' });
      const record = await wt.record({ workspaceId: ws, webTaskId: failed.webTaskId });
      expect(JSON.stringify(record)).toContain('"kind":"trace"');

      const stored = storedTexts(harness.directory);
      expect(stored.some((text) => text.where.includes('zip.blob!trace.network'))).toBe(true);
      // The trace really recorded the request that carried the cookies (masked).
      const network = stored.filter((text) => text.where.endsWith('trace.network'));
      expect(network.some((text) => Buffer.from(text.bytes).includes('wt_sid=«session:shop»'))).toBe(true);
      const values = [PREF, SID, STORED];
      expect(hits(stored, values)).toEqual([]);
      const modelRequests = fake.requests.map((r, i) => ({
        where: `model request ${i}`,
        bytes: Buffer.from(JSON.stringify(r.body)),
      }));
      expect(hits(modelRequests, values)).toEqual([]);
      const logLines = logs.map((line, i) => ({ where: `log ${i}`, bytes: Buffer.from(line) }));
      expect(hits(logLines, values)).toEqual([]);
      const events = harness.events.map((event, i) => ({
        where: `event ${i}`,
        bytes: Buffer.from(JSON.stringify(event)),
      }));
      expect(events.some((event) => Buffer.from(event.bytes).includes('«session:shop»'))).toBe(true);
      expect(hits(events, values)).toEqual([]);
    } finally {
      await harness.close();
      rmSync(directory, { recursive: true, force: true });
    }
  }, 900_000);
});
