import { createWebTasks, type WebTasksEngine } from '@webtasks/core';
import {
  createMemoryBlobStore,
  createMemoryBundleStore,
  createMemoryLockManager,
  createMemoryTaskQueue,
  createMemoryTaskStore,
} from '@webtasks/memory';
import {
  createFakeBrowserProvider,
  createFakeCompiler,
  createFakeSandbox,
  createScriptedLanguageModel,
} from '@webtasks/test-suite';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeyAuth, hashApiKey } from './api-keys.js';
import { ConfigError, loadConfig } from './config.js';
import { createServer } from './create-server.js';

const WS = 'ws_hooks';
const KEY = 'hooks-key-0123';
let engine: WebTasksEngine;
let app: FastifyInstance;

beforeAll(async () => {
  engine = createWebTasks({
    bundles: createMemoryBundleStore(),
    tasks: createMemoryTaskStore(),
    blobs: createMemoryBlobStore({ baseUrl: 'http://files.test', secret: 'hooks-secret-0123456789' }),
    locks: createMemoryLockManager(),
    queue: createMemoryTaskQueue(),
    browser: createFakeBrowserProvider({ site: { pages: {} } }),
    sandbox: createFakeSandbox(),
    compiler: createFakeCompiler(),
    model: createScriptedLanguageModel([]),
    worker: false,
    egress: { allowHosts: ['127.0.0.1:4010'] },
    webhooks: { secret: 'whsec-0123456789abcdef' },
    settingNames: {
      allowHost: (host) => `add ${host} to WEBTASKS_EGRESS_ALLOW_HOSTS`,
      model: 'set ANTHROPIC_API_KEY',
    },
  });
  app = await createServer({
    engine,
    auth: createApiKeyAuth([{ workspaceId: WS, keyHash: hashApiKey(KEY) }]),
  });
});

afterAll(async () => {
  await app.close();
  await engine.close();
});

const start = (body: unknown) =>
  app.inject({
    method: 'POST',
    url: `/${WS}/web-tasks/start`,
    headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });

describe('webhook in the start request', () => {
  it('answers 400 for a webhook on a private or loopback address, naming the setting that allows it', async () => {
    for (const url of ['http://127.0.0.1:9999/hook', 'http://192.168.1.20/hook', 'http://localhost/hook']) {
      const response = await start({ task: 'x', webhook: { url } });
      expect(response.statusCode).toBe(400);
      const { error } = response.json();
      expect(error.code).toBe('invalid-request');
      expect(error.message).toMatch(
        /^The webhook URL .* is refused by the egress policy: .*WEBTASKS_EGRESS_ALLOW_HOSTS/,
      );
    }
  });

  it('accepts a webhook the egress allow-list allows, and rejects malformed ones by schema', async () => {
    const accepted = await start({ task: 'x', webhook: { url: 'http://127.0.0.1:4010/hook' } });
    expect(accepted.statusCode).toBe(202);
    const record = await app.inject({
      url: `/${WS}/web-tasks/${accepted.json().webTaskId}/record`,
      headers: { 'x-api-key': KEY },
    });
    expect(record.json().webhook).toEqual({
      url: 'http://127.0.0.1:4010/hook',
      deliveries: [],
      delivered: false,
    });
    for (const webhook of [
      { url: 'ftp://example.com/x' },
      { url: 'https://u:p@example.com/' },
      { url: 'x', extra: 1 },
      'https://a',
    ]) {
      const response = await start({ task: 'x', webhook });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('invalid-request');
    }
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    const schema =
      doc.paths['/{workspaceId}/web-tasks/start'].post.requestBody.content['application/json'].schema;
    expect(schema.properties.webhook.properties.url.type).toBe('string');
  });
});

describe('webhook configuration', () => {
  const minimal = { WEBTASKS_API_KEYS: 'ws_a:key-a', ANTHROPIC_API_KEY: 'sk-test' };
  it('reads the default URL and the secrets, per workspace first', () => {
    const config = loadConfig({
      ...minimal,
      WEBTASKS_WEBHOOK_URL: 'https://hooks.example.com/in',
      WEBTASKS_WEBHOOK_SECRET: 'whsec-0123456789abcdef',
      WEBTASKS_WEBHOOK_SECRETS: 'ws_a:whsec-aaaaaaaaaaaaaaaa',
    });
    expect(config.webhooks).toEqual({
      defaultUrl: 'https://hooks.example.com/in',
      secret: 'whsec-0123456789abcdef',
      secretsByWorkspace: { ws_a: 'whsec-aaaaaaaaaaaaaaaa' },
    });
  });

  it('refuses a short secret, a bad URL, and a default URL without a secret', () => {
    expect(() => loadConfig({ ...minimal, WEBTASKS_WEBHOOK_SECRET: 'short' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...minimal, WEBTASKS_WEBHOOK_SECRETS: 'ws_a:short' })).toThrow(
      /WEBTASKS_WEBHOOK_SECRETS/,
    );
    expect(() =>
      loadConfig({
        ...minimal,
        WEBTASKS_WEBHOOK_URL: 'ftp://x',
        WEBTASKS_WEBHOOK_SECRET: 'whsec-0123456789abcdef',
      }),
    ).toThrow(/WEBTASKS_WEBHOOK_URL/);
    expect(() => loadConfig({ ...minimal, WEBTASKS_WEBHOOK_URL: 'https://hooks.example.com/in' })).toThrow(
      /needs WEBTASKS_WEBHOOK_SECRET/,
    );
  });
});
