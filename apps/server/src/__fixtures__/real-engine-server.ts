import {
  type BrowserProvider,
  createWebTasks,
  type WebTasksEngine,
  type WebTasksOptions,
} from '@webtasks/core';
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
import { type CreateServerOptions, createServer } from '../create-server.js';

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

/** Options of `startRealEngineServer`, over its defaults. */
export interface RealEngineServerOptions {
  /** Names on the fake list page. Default Acme and Globex. */
  names?: string[];
  /** Default: a model that submits `listCode()`. */
  model?: ScriptedLanguageModel;
  /** Default: the fake browser serving the list page. */
  browser?: BrowserProvider;
  /** Engine options over the defaults (`limits` replaces the default `{ maxExploreAttempts: 2 }`). */
  engine?: Partial<WebTasksOptions>;
  /** Server options over the defaults. */
  server?: Partial<CreateServerOptions>;
  /** Listen on this port (default: any free one); signed blob URLs then point at the server. */
  port?: number;
}

/** The real engine on memory adapters and fakes (or the browser and model given), behind a listening server. */
export async function startRealEngineServer(
  keys: Record<string, string>,
  options: RealEngineServerOptions = {},
): Promise<{
  engine: WebTasksEngine;
  model: ScriptedLanguageModel;
  app: FastifyInstance;
  baseUrl: string;
  close(): Promise<void>;
}> {
  const model = options.model ?? createScriptedLanguageModel(() => submit(listCode()));
  const blobs = createMemoryBlobStore({
    baseUrl: options.port ? `http://127.0.0.1:${options.port}` : 'http://files.test',
    secret: 'runs-secret-0123456789',
  });
  const engine = createWebTasks({
    bundles: createMemoryBundleStore(),
    tasks: createMemoryTaskStore(),
    blobs,
    locks: createMemoryLockManager(),
    queue: createMemoryTaskQueue(),
    browser:
      options.browser ??
      createFakeBrowserProvider({
        site: {
          pages: {
            [LIST_URL]: { title: 'Companies', elements: { '.name': options.names ?? ['Acme', 'Globex'] } },
          },
        },
      }),
    sandbox: createFakeSandbox(),
    compiler: createFakeCompiler(),
    model,
    limits: { maxExploreAttempts: 2 },
    ...options.engine,
  });
  const app = await createServer({
    engine,
    auth: createApiKeyAuth(
      Object.entries(keys).map(([workspaceId, key]) => ({ workspaceId, keyHash: hashApiKey(key) })),
    ),
    blobs,
    ...options.server,
  });
  const baseUrl = await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
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
