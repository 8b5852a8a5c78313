import { createWebTasks, type EngineLimits, type JsonObject } from '@webtasks/core';
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
  type ModelScript,
  toolCall,
} from '@webtasks/test-suite';

export const LIST_URL = 'https://fake.test/list';
export const NAMES = ['Acme', 'Globex', 'Initech', 'Umbrella'];

/** Code that reads the names on the list page and keeps the first `params.limit`. */
export const LIST_SOURCE = [
  'export default async function run(ctx) {',
  `  await ctx.page.goto(${JSON.stringify(LIST_URL)});`,
  "  const names = await ctx.page.locator('.name').allTextContents();",
  '  return { companies: names.slice(0, ctx.params.limit).map((name) => ({ name })) };',
  '}',
].join('\n');

export const LIST_SCHEMA: JsonObject = {
  type: 'object',
  required: ['companies'],
  properties: {
    companies: {
      type: 'array',
      items: { $ref: '#/$defs/company' },
    },
  },
  $defs: {
    company: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 } } },
  },
};

/** A model reply that submits `source` with `outputSchema`. */
export function submitReply(source = LIST_SOURCE, outputSchema: JsonObject = LIST_SCHEMA) {
  return { content: [toolCall('submit', { source, outputSchema })] };
}

/** An engine on memory stores and fakes, with a scripted model whose calls are counted. */
export function createFakeEngine(options: { script?: ModelScript; limits?: Partial<EngineLimits> } = {}) {
  const model = createScriptedLanguageModel(options.script ?? (() => submitReply()));
  const bundles = createMemoryBundleStore();
  const blobs = createMemoryBlobStore({ baseUrl: 'http://files.test', secret: 'mcp-test-secret-0123' });
  const engine = createWebTasks({
    bundles,
    tasks: createMemoryTaskStore(),
    blobs,
    locks: createMemoryLockManager(),
    queue: createMemoryTaskQueue(),
    browser: createFakeBrowserProvider({
      site: { pages: { [LIST_URL]: { title: 'Companies', elements: { '.name': NAMES } } } },
    }),
    sandbox: createFakeSandbox(),
    compiler: createFakeCompiler(),
    model,
    ...(options.limits ? { limits: options.limits } : {}),
  });
  return { engine, model, bundles, blobs };
}
