import { randomUUID } from 'node:crypto';
import { createMemorySecretStore } from '@webtasks/memory';
import { type FixtureSites, fixtureOrders, startFixtureSites } from '@webtasks/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRealEngine } from './real-harness.js';

const KEY = Buffer.alloc(32, 9).toString('base64');
const WS = `ws_auth_${randomUUID().slice(0, 8)}`;
const OTHER_WS = `ws_auth_other_${randomUUID().slice(0, 8)}`;
const PASSWORD = `pw-${randomUUID()}`;

let sites: FixtureSites;
beforeAll(async () => {
  sites = await startFixtureSites();
  sites.addAccount({ username: 'grace', password: PASSWORD });
});
afterAll(async () => {
  await sites?.close();
});

/** Log in over HTTP (CSRF token included) and return the session as a Playwright storage state. */
async function loggedInState(base: string) {
  const form = await fetch(`${base}/account/login`);
  const csrfCookie = /wt_csrf=([^;]+)/.exec(form.headers.get('set-cookie') ?? '')?.[1] ?? '';
  const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  const login = await fetch(`${base}/account/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `wt_csrf=${csrfCookie}` },
    body: new URLSearchParams({ csrf, username: 'grace', password: PASSWORD }).toString(),
  });
  const session = /wt_session=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')?.[1];
  if (!session) throw new Error(`login failed: ${login.status}`);
  return {
    cookies: [
      {
        name: 'wt_session',
        value: session,
        domain: '127.0.0.1',
        path: '/account',
        expires: Math.floor(Date.now() / 1000) + 600,
        httpOnly: true,
        secure: false,
        sameSite: 'Lax' as const,
      },
    ],
    origins: [],
  };
}

const ordersCode = (base: string) => `import type { TaskContext } from 'webtasks:runtime';

export default async function run(ctx: TaskContext) {
  await ctx.page.goto('${base}/account');
  if (!(await ctx.page.url()).endsWith('/account')) throw new Error('not signed in: ' + (await ctx.page.url()));
  return { orders: await ctx.page.locator('.order-id').allTextContents() };
}
`;
const schema = {
  type: 'object',
  properties: { orders: { type: 'array', items: { type: 'string' } } },
  required: ['orders'],
};

describe('auth sessions (real Chromium, isolates)', () => {
  it('runs from an imported session, saves rolled cookies back, keeps workspaces apart, saves nothing on failure', async () => {
    const h = createRealEngine({
      sites,
      model: null,
      secrets: { key: KEY, store: createMemorySecretStore() },
    });
    const wt = h.engine;
    try {
      const base = sites.baseUrl;
      const summary = await wt.authSessions.import({
        workspaceId: WS,
        name: 'shop',
        state: await loggedInState(base),
      });
      expect(summary).toMatchObject({ name: 'shop', cookieCount: 1, origins: [] });
      for (const ws of [WS, OTHER_WS])
        await wt.bundles.import({
          workspaceId: ws,
          reuseKey: 'orders',
          source: ordersCode(base),
          outputSchema: schema,
          verify: false,
        });
      const request = { task: 'List my orders', reuseKey: 'orders', auth: { session: 'shop' } };
      const expected = { orders: fixtureOrders('grace').map((o) => o.id) };

      // The site swaps the session id on every visit: the second run works only if the first saved it back.
      for (let run = 0; run < 2; run++) {
        const result = await wt.run({ workspaceId: WS, request, timeoutMs: 120_000 });
        expect(result, JSON.stringify(result)).toMatchObject({
          outcome: 'success',
          result: { data: expected },
        });
      }
      const [afterRuns] = await wt.authSessions.list({ workspaceId: WS });
      expect(afterRuns?.updatedAt).not.toBe(summary.updatedAt);

      // Another workspace has no session of that name.
      const crossed = await wt.run({ workspaceId: OTHER_WS, request, timeoutMs: 120_000 });
      expect(crossed).toMatchObject({
        outcome: 'failed',
        error: { code: 'rejected', message: expect.stringContaining('No auth session "shop"') },
      });
      expect(await wt.authSessions.list({ workspaceId: OTHER_WS })).toEqual([]);

      // An expired session: the run fails and the stored session is left as it was.
      sites.expireSessions();
      const expired = await wt.run({ workspaceId: WS, request, timeoutMs: 120_000 });
      expect(expired).toMatchObject({ outcome: 'failed' });
      const [afterFailure] = await wt.authSessions.list({ workspaceId: WS });
      expect(afterFailure?.updatedAt).toBe(afterRuns?.updatedAt);
    } finally {
      await h.close();
    }
  }, 600_000);

  it('signs in again with the login bundle when the check fails, with no model; a failed login saves nothing', async () => {
    const ws = `ws_login_${randomUUID().slice(0, 8)}`;
    const h = createRealEngine({
      sites,
      model: null,
      secrets: { key: KEY, store: createMemorySecretStore() },
    });
    const wt = h.engine;
    try {
      const base = sites.baseUrl;
      const loginSource = `import type { TaskContext } from 'webtasks:runtime';

export default async function run(ctx: TaskContext) {
  await ctx.page.goto('${base}/account/login');
  await ctx.page.getByLabel('Username').fill('grace');
  await ctx.page.getByLabel('Password').fill(ctx.secrets.password);
  await ctx.page.getByRole('button', { name: 'Sign in' }).click();
  await ctx.page.waitForURL(/\\/account$/);
  return { signedIn: true };
}
`;
      await wt.bundles.import({
        workspaceId: ws,
        reuseKey: 'login:shop',
        source: loginSource,
        outputSchema: {},
        verify: false,
      });
      await wt.bundles.import({
        workspaceId: ws,
        reuseKey: 'orders',
        source: ordersCode(base),
        outputSchema: schema,
        verify: false,
      });
      // No state at all: the first task signs in.
      await wt.authSessions.import({
        workspaceId: ws,
        name: 'shop',
        login: { reuseKey: 'login:shop', check: { url: `${base}/account`, selector: '#orders' } },
      });
      const request = {
        task: 'List my orders',
        reuseKey: 'orders',
        auth: { session: 'shop' },
        secrets: { password: PASSWORD },
      };
      const expected = { orders: fixtureOrders('grace').map((o) => o.id) };
      const logins = () => sites.account.logins.filter((u) => u === 'grace').length;

      const before = logins();
      const first = await wt.run({ workspaceId: ws, request, timeoutMs: 180_000 });
      expect(first, JSON.stringify(first)).toMatchObject({ outcome: 'success', result: { data: expected } });
      expect(logins()).toBe(before + 1);
      const second = await wt.run({ workspaceId: ws, request, timeoutMs: 180_000 });
      expect(second).toMatchObject({ outcome: 'success' });
      expect(logins()).toBe(before + 1); // still signed in: no new login

      sites.expireSessions();
      const renewed = await wt.run({ workspaceId: ws, request, timeoutMs: 180_000 });
      expect(renewed, JSON.stringify(renewed)).toMatchObject({
        outcome: 'success',
        result: { data: expected },
      });
      expect(logins()).toBe(before + 2);
      expect(renewed.status === 'completed' && renewed.cost.aiUsd).toBe(0);

      // The password changed elsewhere: the login fails, the task is rejected, the session stays.
      const [kept] = await wt.authSessions.list({ workspaceId: ws });
      sites.expireSessions();
      const failed = await wt.run({
        workspaceId: ws,
        request: { ...request, secrets: { password: 'not-the-password' } },
        timeoutMs: 180_000,
      });
      expect(failed).toMatchObject({
        outcome: 'failed',
        error: {
          code: 'rejected',
          message: expect.stringContaining('signing in again with its login bundle'),
        },
      });
      const [after] = await wt.authSessions.list({ workspaceId: ws });
      expect(after?.updatedAt).toBe(kept?.updatedAt);
    } finally {
      await h.close();
    }
  }, 600_000);

  it('proves a session with a check bundle: false signs in again with no model, a throwing check is its own cause, workspaces never cross', async () => {
    const ws = `ws_check_${randomUUID().slice(0, 8)}`;
    const other = `ws_check_other_${randomUUID().slice(0, 8)}`;
    const h = createRealEngine({
      sites,
      model: null,
      secrets: { key: KEY, store: createMemorySecretStore() },
    });
    const wt = h.engine;
    try {
      const base = sites.baseUrl;
      const loginSource = `import type { TaskContext } from 'webtasks:runtime';

export default async function run(ctx: TaskContext) {
  await ctx.page.goto('${base}/account/login');
  await ctx.page.getByLabel('Username').fill('grace');
  await ctx.page.getByLabel('Password').fill(ctx.secrets.password);
  await ctx.page.getByRole('button', { name: 'Sign in' }).click();
  await ctx.page.waitForURL(/\\/account$/);
  return { signedIn: true };
}
`;
      // Signed in when /account opens without a redirect to the login form.
      const checkSource = `import type { TaskContext } from 'webtasks:runtime';

export default async function run(ctx: TaskContext) {
  await ctx.page.goto('${base}/account');
  return (await ctx.page.url()).replace(/[?#].*$/, '').endsWith('/account');
}
`;
      const throwingCheck = `import type { TaskContext } from 'webtasks:runtime';

export default async function run(ctx: TaskContext) {
  await ctx.page.goto('${base}/account');
  throw new Error('the other workspace check exploded');
}
`;
      const save = (workspaceId: string, reuseKey: string, source: string, outputSchema: object) =>
        wt.bundles.import({ workspaceId, reuseKey, source, outputSchema, verify: false });
      for (const w of [ws, other]) {
        await save(w, 'login:shop', loginSource, {});
        await save(w, 'orders', ordersCode(base), schema);
      }
      await save(ws, 'check:shop', checkSource, { type: 'boolean' });
      await save(other, 'check:shop', throwingCheck, { type: 'boolean' });
      const login = { reuseKey: 'login:shop', check: { reuseKey: 'check:shop' } };
      const summary = await wt.authSessions.import({ workspaceId: ws, name: 'shop', login });
      expect(summary.login).toEqual({ reuseKey: 'login:shop', checkKey: 'check:shop' });
      const request = {
        task: 'List my orders',
        reuseKey: 'orders',
        auth: { session: 'shop' },
        secrets: { password: PASSWORD },
      };
      const expected = { orders: fixtureOrders('grace').map((o) => o.id) };
      const logins = () => sites.account.logins.filter((u) => u === 'grace').length;

      // Empty session: the check bundle says false, the login bundle signs in, the task runs.
      const before = logins();
      const first = await wt.run({ workspaceId: ws, request, timeoutMs: 180_000 });
      expect(first, JSON.stringify(first)).toMatchObject({ outcome: 'success', result: { data: expected } });
      expect(logins()).toBe(before + 1);
      // Still signed in: the check bundle says true, no login.
      const second = await wt.run({ workspaceId: ws, request, timeoutMs: 180_000 });
      expect(second, JSON.stringify(second)).toMatchObject({ outcome: 'success' });
      expect(logins()).toBe(before + 1);

      // The session expires: the check bundle says false, the login bundle runs, no model.
      sites.expireSessions();
      const renewed = await wt.run({ workspaceId: ws, request, timeoutMs: 180_000 });
      expect(renewed, JSON.stringify(renewed)).toMatchObject({
        outcome: 'success',
        result: { data: expected },
      });
      expect(logins()).toBe(before + 2);
      expect(renewed.status === 'completed' && renewed.cost.aiUsd).toBe(0);
      const [kept] = await wt.authSessions.list({ workspaceId: ws });

      // The other workspace has its own session of that name and its own (throwing) check bundle:
      // the task fails naming the check bundle and its cause, and signs nobody in.
      await wt.authSessions.import({ workspaceId: other, name: 'shop', login });
      const crossed = await wt.run({ workspaceId: other, request, timeoutMs: 180_000 });
      expect(crossed, JSON.stringify(crossed)).toMatchObject({
        outcome: 'failed',
        error: {
          code: 'rejected',
          message: expect.stringMatching(
            /check bundle .*"check:shop".* failed: .*the other workspace check exploded/,
          ),
        },
      });
      expect(logins()).toBe(before + 2);
      const [untouched] = await wt.authSessions.list({ workspaceId: ws });
      expect(untouched?.updatedAt).toBe(kept?.updatedAt);

      // A check bundle that is not saved is reported as such, not as an expired session.
      await wt.authSessions.import({
        workspaceId: ws,
        name: 'nocheck',
        login: { reuseKey: 'login:shop', check: { reuseKey: 'check:missing' } },
      });
      const missing = await wt.run({
        workspaceId: ws,
        request: { ...request, auth: { session: 'nocheck' } },
        timeoutMs: 180_000,
      });
      expect(missing).toMatchObject({
        outcome: 'failed',
        error: { code: 'rejected', message: expect.stringContaining('no check bundle is saved') },
      });
      expect(logins()).toBe(before + 2);
    } finally {
      await h.close();
    }
  }, 600_000);

  it('refuses a malformed storage state with the JSON path', async () => {
    const h = createRealEngine({
      sites,
      model: null,
      secrets: { key: KEY, store: createMemorySecretStore() },
    });
    try {
      const error = await h.engine.authSessions
        .import({
          workspaceId: WS,
          name: 'broken',
          state: {
            cookies: [
              {
                name: 'a',
                value: 'b',
                domain: 'x',
                path: '/',
                expires: -1,
                httpOnly: false,
                secure: false,
                sameSite: 'lax',
              },
            ],
            origins: [],
          },
        })
        .catch((e: Error & { code?: string }) => e);
      expect(error).toMatchObject({
        code: 'invalid-request',
        message: expect.stringContaining('at cookies.0.sameSite'),
      });
    } finally {
      await h.close();
    }
  }, 120_000);
});
