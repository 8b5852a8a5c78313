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
  type ScriptedLanguageModel,
  toolCall,
} from '@webtasks/test-suite';
import type { FastifyInstance } from 'fastify';
import { createApiKeyAuth, hashApiKey } from '../api-keys.js';
import { createServer } from '../create-server.js';

export const LIST_URL = 'https://fake.test/list';
export const NAMES_SCHEMA = { type: 'array', items: { type: 'object', required: ['name'] } };

/** Bundle source reading the names of the list page; `extra` goes after the navigation. */
export function listCode(extra = ''): string {
  return [
    'export default async function run(ctx) {',
    `  await ctx.page.goto(${JSON.stringify(LIST_URL)});`,
    extra,
    "  const names = await ctx.page.locator('.name').allTextContents();",
    "  ctx.log.info('found ' + names.length);",
    '  return names.map((name) => ({ name }));',
    '}',
  ].join('\n');
}

/** A scripted model reply that submits `source`. */
export const submit = (source: string) => ({ content: [toolCall('submit', { source })] });

/** The real engine on memory adapters and fakes, behind a listening server. */
export async function startRealEngineServer(keys: Record<string, string>): Promise<{
  engine: WebTasksEngine;
  model: ScriptedLanguageModel;
  app: FastifyInstance;
  baseUrl: string;
  close(): Promise<void>;
}> {
  const model = createScriptedLanguageModel(() => submit(listCode()));
  const blobs = createMemoryBlobStore({ baseUrl: 'http://files.test', secret: 'runs-secret-0123456789' });
  const engine = createWebTasks({
    bundles: createMemoryBundleStore(),
    tasks: createMemoryTaskStore(),
    blobs,
    locks: createMemoryLockManager(),
    queue: createMemoryTaskQueue(),
    browser: createFakeBrowserProvider({
      site: { pages: { [LIST_URL]: { title: 'Companies', elements: { '.name': ['Acme', 'Globex'] } } } },
    }),
    sandbox: createFakeSandbox(),
    compiler: createFakeCompiler(),
    model,
    limits: { maxExploreAttempts: 2 },
  });
  const app = await createServer({
    engine,
    auth: createApiKeyAuth(
      Object.entries(keys).map(([workspaceId, key]) => ({ workspaceId, keyHash: hashApiKey(key) })),
    ),
    blobs,
  });
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    engine,
    model,
    app,
    baseUrl,
    async close() {
      await app.close();
      await engine.close({ graceful: true });
    },
  };
}
