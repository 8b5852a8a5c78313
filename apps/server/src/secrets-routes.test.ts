import { randomUUID } from 'node:crypto';
import { WebTasksClient } from '@webtasks/client';
import { createWebTasks, type WebTasksEngine } from '@webtasks/core';
import {
  createMemoryBlobStore,
  createMemoryBundleStore,
  createMemoryLockManager,
  createMemorySecretStore,
  createMemoryTaskQueue,
  createMemoryTaskStore,
} from '@webtasks/memory';
import { createFakeBrowserProvider, createFakeCompiler, createFakeSandbox } from '@webtasks/test-suite';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeyAuth, hashApiKey } from './api-keys.js';
import { createServer } from './create-server.js';

const keys = { ws_sec_a: 'sec-key-a', ws_sec_b: 'sec-key-b' } as const;
type Ws = keyof typeof keys;
const VALUE = `v-${randomUUID()}`;

function engineWith(key?: string): WebTasksEngine {
  return createWebTasks({
    bundles: createMemoryBundleStore(),
    tasks: createMemoryTaskStore(),
    blobs: createMemoryBlobStore({ baseUrl: 'http://files.test', secret: 'sec-secret-0123456789' }),
    locks: createMemoryLockManager(),
    queue: createMemoryTaskQueue(),
    browser: createFakeBrowserProvider({ site: { pages: {} } }),
    sandbox: createFakeSandbox(),
    compiler: createFakeCompiler(),
    worker: false,
    secrets: { store: createMemorySecretStore(), ...(key ? { key } : {}) },
    settingNames: { allowHost: (host) => host, model: 'model', secretsKey: 'WEBTASKS_SECRETS_KEY' },
  });
}

const servers: Array<{ app: FastifyInstance; engine: WebTasksEngine; baseUrl: string }> = [];
async function serve(engine: WebTasksEngine) {
  const app = await createServer({
    engine,
    auth: createApiKeyAuth(
      Object.entries(keys).map(([workspaceId, key]) => ({ workspaceId, keyHash: hashApiKey(key) })),
    ),
  });
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  servers.push({ app, engine, baseUrl });
  return { engine, baseUrl };
}

let keyed: { engine: WebTasksEngine; baseUrl: string };
let unkeyed: { engine: WebTasksEngine; baseUrl: string };

beforeAll(async () => {
  keyed = await serve(engineWith(Buffer.alloc(32, 3).toString('base64')));
  unkeyed = await serve(engineWith());
});
afterAll(async () => {
  for (const { app, engine } of servers) {
    await app.close();
    await engine.close();
  }
});

async function call(server: { baseUrl: string }, ws: Ws, method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.baseUrl}/${ws}${path}`, {
    method,
    headers: { 'x-api-key': keys[ws], ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, text, json: text ? JSON.parse(text) : undefined };
}

describe('secrets over HTTP', () => {
  it('stores, lists by name only, keeps workspaces apart and deletes', async () => {
    const put = await call(keyed, 'ws_sec_a', 'PUT', '/secrets/shop_password', { value: VALUE });
    expect(put.status).toBe(200);
    expect(put.json).toEqual({ name: 'shop_password', updatedAt: expect.any(String) });
    const listed = await call(keyed, 'ws_sec_a', 'GET', '/secrets');
    expect(listed.json).toEqual({ secrets: [{ name: 'shop_password', updatedAt: put.json.updatedAt }] });
    expect(listed.text).not.toContain(VALUE);
    expect((await call(keyed, 'ws_sec_b', 'GET', '/secrets')).json).toEqual({ secrets: [] });
    expect((await call(keyed, 'ws_sec_b', 'DELETE', '/secrets/shop_password')).status).toBe(404);
    expect((await call(keyed, 'ws_sec_a', 'DELETE', '/secrets/shop_password')).status).toBe(204);
    expect((await call(keyed, 'ws_sec_a', 'GET', '/secrets')).json).toEqual({ secrets: [] });
  });

  it('refuses bad names and values without echoing the value', async () => {
    const badName = await call(keyed, 'ws_sec_a', 'PUT', '/secrets/not-a-name', { value: VALUE });
    expect(badName.status).toBe(400);
    const short = await call(keyed, 'ws_sec_a', 'PUT', '/secrets/pin', { value: 'abc' });
    expect(short.status).toBe(400);
    expect(short.text).not.toContain('"abc"');
  });

  it('answers 403 naming WEBTASKS_SECRETS_KEY when the server has no key', async () => {
    const put = await call(unkeyed, 'ws_sec_a', 'PUT', '/secrets/token', { value: VALUE });
    expect(put.status).toBe(403);
    expect(put.json.error.message).toContain('WEBTASKS_SECRETS_KEY');
  });

  it('takes request secrets: sealed in the task record with a key, in memory without, never in clear', async () => {
    for (const server of [keyed, unkeyed]) {
      const started = await call(server, 'ws_sec_a', 'POST', '/web-tasks/start', {
        task: `Sign in (the password is ${VALUE})`,
        startUrl: 'https://shop.test/login',
        parameters: { note: VALUE },
        secrets: { password: VALUE },
      });
      expect(started.status).toBe(202);
      const record = await server.engine.getTask({
        workspaceId: 'ws_sec_a',
        webTaskId: started.json.webTaskId,
      });
      const stored = JSON.stringify(record);
      expect(stored).not.toContain(VALUE);
      expect(record?.request.secretNames).toEqual(['password']);
      expect(record?.request.task).toBe('Sign in (the password is «secret:password»)');
      expect(record?.request.parameters).toEqual({ note: '«secret:password»' });
      expect(record?.request.sealedSecrets !== undefined).toBe(server === keyed);
    }
  });

  it('imports auth sessions: 400 with the JSON path for a malformed state, cookies never listed', async () => {
    const cookie = {
      name: 'sid',
      value: VALUE,
      domain: 'shop.test',
      path: '/',
      expires: -1,
      httpOnly: true,
      secure: true,
    };
    const bad = await call(keyed, 'ws_sec_a', 'PUT', '/auth-sessions/shop', {
      cookies: [{ ...cookie, sameSite: 'lax' }],
      origins: [],
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toContain('at cookies.0.sameSite');
    expect(bad.json.error.details[0].path).toEqual(['cookies', '0', 'sameSite']);
    const good = await call(keyed, 'ws_sec_a', 'PUT', '/auth-sessions/shop', {
      cookies: [{ ...cookie, sameSite: 'Lax' }],
      origins: [{ origin: 'https://shop.test', localStorage: [{ name: 'k', value: 'v' }] }],
    });
    expect(good.status).toBe(200);
    expect(good.json).toMatchObject({ name: 'shop', cookieCount: 1, origins: ['https://shop.test'] });
    const listed = await call(keyed, 'ws_sec_a', 'GET', '/auth-sessions');
    expect(listed.json.sessions).toHaveLength(1);
    expect(listed.text).not.toContain(VALUE);
    expect((await call(keyed, 'ws_sec_b', 'GET', '/auth-sessions')).json).toEqual({ sessions: [] });
    expect(
      (await call(unkeyed, 'ws_sec_a', 'PUT', '/auth-sessions/shop', { cookies: [], origins: [] })).status,
    ).toBe(403);
    const login = await call(keyed, 'ws_sec_a', 'PUT', '/auth-sessions/crm', {
      login: { reuseKey: 'login:crm', check: { url: 'https://crm.test/home', selector: '#inbox' } },
    });
    expect(login.json).toMatchObject({
      name: 'crm',
      cookieCount: 0,
      login: { reuseKey: 'login:crm', checkUrl: 'https://crm.test/home' },
    });
    const badLogin = await call(keyed, 'ws_sec_a', 'PUT', '/auth-sessions/crm', {
      login: { reuseKey: 'x', check: { url: 'ftp://x' } },
    });
    expect(badLogin.status).toBe(400);
    const byBundle = await call(keyed, 'ws_sec_a', 'PUT', '/auth-sessions/erp', {
      login: { reuseKey: 'login:erp', check: { reuseKey: 'check:erp' } },
    });
    expect(byBundle.status, byBundle.text).toBe(200);
    expect(byBundle.json.login).toEqual({ reuseKey: 'login:erp', checkKey: 'check:erp' });
    const both = await call(keyed, 'ws_sec_a', 'PUT', '/auth-sessions/erp', {
      login: { reuseKey: 'login:erp', check: { reuseKey: 'check:erp', url: 'https://erp.test/' } },
    });
    expect(both.status).toBe(400);
    expect(both.json.error.message).toContain('either { url, selector? } or { reuseKey }');
    const badKey = await call(keyed, 'ws_sec_a', 'PUT', '/auth-sessions/erp', {
      login: { reuseKey: 'login:erp', check: { reuseKey: 'no spaces allowed' } },
    });
    expect(badKey.status).toBe(400);
    expect(badKey.json.error.message).toContain('login.check.reuseKey');
    const erp = (await call(keyed, 'ws_sec_a', 'GET', '/auth-sessions')).json.sessions.find(
      (session: { name: string }) => session.name === 'erp',
    );
    expect(erp.login).toEqual({ reuseKey: 'login:erp', checkKey: 'check:erp' });
    expect((await call(keyed, 'ws_sec_a', 'DELETE', '/auth-sessions/shop')).status).toBe(204);
  });

  it('works through the SDK: client.secrets and client.authSessions', async () => {
    const client = new WebTasksClient({
      apiKey: keys.ws_sec_b,
      workspaceId: 'ws_sec_b',
      baseUrl: keyed.baseUrl,
    });
    await client.secrets.set('api_token', VALUE);
    expect((await client.secrets.list()).map((s) => s.name)).toEqual(['api_token']);
    await client.secrets.delete('api_token');
    expect(await client.secrets.list()).toEqual([]);
    const imported = await client.authSessions.import('crm', { cookies: [], origins: [] });
    expect(imported).toMatchObject({ name: 'crm', cookieCount: 0 });
    await expect(client.authSessions.import('crm', { cookies: 'nope', origins: [] })).rejects.toMatchObject({
      status: 400,
    });
    expect((await client.authSessions.list()).map((s) => s.name)).toEqual(['crm']);
    const checked = await client.authSessions.import('crm', {
      storageState: { cookies: [], origins: [] },
      login: { reuseKey: 'login:crm', check: { reuseKey: 'check:crm' } },
    });
    expect(checked.login).toEqual({ reuseKey: 'login:crm', checkKey: 'check:crm' });
    await client.authSessions.delete('crm');
  });

  it('refuses malformed request secrets with the path, not the value', async () => {
    const response = await call(keyed, 'ws_sec_a', 'POST', '/web-tasks/start', {
      task: 'x',
      secrets: { password: 42, 'bad name': VALUE },
    });
    expect(response.status).toBe(400);
    expect(response.text).toContain('secrets');
    expect(response.text).not.toContain(VALUE);
  });
});
