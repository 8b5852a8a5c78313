import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createWebTasks, type WebTasksEngine } from '@webtasks/core';
import { createMemoryBlobStore, createMemoryLockManager, createMemoryTaskQueue } from '@webtasks/memory';
import { createFsBundleStore, createFsTaskStore } from '@webtasks/store-fs';
import {
  createFakeBrowserProvider,
  createFakeCompiler,
  createFakeSandbox,
  createScriptedLanguageModel,
} from '@webtasks/test-suite';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeyAuth, hashApiKey } from './api-keys.js';
import { createServer } from './create-server.js';

// Bad input never reaches a store: the real engine on the filesystem stores behind the API.
const WS = 'ws_limits';
const KEY = 'limits-key';
let directory: string;
let engine: WebTasksEngine;
let app: FastifyInstance;
const headers = { 'x-api-key': KEY, 'content-type': 'application/json' };

const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'webtasks-limits-'));
  engine = createWebTasks({
    bundles: createFsBundleStore({ directory }),
    tasks: createFsTaskStore({ directory }),
    blobs: createMemoryBlobStore({ baseUrl: 'http://files.test', secret: 'limits-secret-0123456789' }),
    locks: createMemoryLockManager(),
    queue: createMemoryTaskQueue(),
    browser: createFakeBrowserProvider({ site: { pages: {} } }),
    sandbox: createFakeSandbox(),
    compiler: createFakeCompiler(),
    model: createScriptedLanguageModel([]),
    worker: false,
  });
  app = await createServer({
    engine,
    auth: createApiKeyAuth([{ workspaceId: WS, keyHash: hashApiKey(KEY) }]),
    // Large enough that the 10 MB body reaches the depth check rather than the size limit.
    bodyLimitBytes: 16 * 1024 * 1024,
  });
});

afterAll(async () => {
  await app?.close();
  await engine?.close();
  await rm(directory, { recursive: true, force: true });
});

async function start(payload: string) {
  return app.inject({ method: 'POST', url: `/${WS}/web-tasks/start`, headers, payload });
}

async function storedTasks(): Promise<string[]> {
  return readdir(path.join(directory, 'tasks', WS)).catch(() => []);
}

describe('request depth and size limits at the API edge', () => {
  it('parameters nested 10,000 deep (a 60 KB body): 400 naming the nesting, nothing stored', async () => {
    const body = `{"task":"x","parameters":${nested(10_000)}}`;
    const response = await start(body);
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'invalid-request' });
    expect(response.json().error.message).toMatch(
      /^The JSON body is nested more than 64 levels deep: flatten/,
    );
    expect(response.json().error.message).not.toMatch(/disk|writable|store directory/);
    expect(await storedTasks()).toEqual([]);
  });

  it('10 MB of nesting: 400 within a moment, the server stays responsive', async () => {
    const depth = 5 * 1024 * 1024;
    const body = `{"task":"x","parameters":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    expect(body.length).toBeGreaterThan(10_000_000);
    const began = Date.now();
    const response = await start(body);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toMatch(/nested more than 64 levels/);
    expect(Date.now() - began).toBeLessThan(5_000);
    const health = await app.inject({ url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(await storedTasks()).toEqual([]);
  });

  it('nesting inside strings does not count, and 64 levels are accepted', async () => {
    const inString = JSON.stringify({ task: 'x', parameters: { text: '['.repeat(10_000) } });
    expect((await start(inString)).statusCode).toBe(202);
    // The body's own object is level 1, parameters level 2: 62 more fit.
    const deepest = `{"task":"x","parameters":${nested(63)}}`;
    expect((await start(deepest)).statusCode).toBe(202);
    const tooDeep = `{"task":"x","parameters":${nested(64)}}`;
    expect((await start(tooDeep)).statusCode).toBe(400);
    expect((await storedTasks()).filter((name) => name.endsWith('.json'))).toHaveLength(2);
  });

  it('the engine itself refuses deep parameters (embedded use, no HTTP edge)', async () => {
    let parameters: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 10_000; i += 1) parameters = { a: parameters };
    await expect(engine.start({ workspaceId: WS, request: { task: 'x', parameters } })).rejects.toMatchObject(
      {
        code: 'invalid-request',
        message: expect.stringMatching(/parameters are nested more than 64 levels deep/),
      },
    );
  });
});
