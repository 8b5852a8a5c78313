import {
  createWebTasks,
  type EngineLimits,
  type JsonObject,
  type TaskEvent,
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
  type FakeSite,
  type ModelScript,
  toolCall,
} from '@webtasks/test-suite';

export const LIST_URL = 'https://fake.test/list';

/** A one-page site whose company names sit under `selector`. */
export function listSite(names: string[], selector = '.name'): FakeSite {
  return { pages: { [LIST_URL]: { title: 'Companies', elements: { [selector]: names } } } };
}

/** JavaScript bundle source reading names under `selector`; `guard` adds a first line. */
export function listCode(selector: string, guard = ''): string {
  return [
    "import type { TaskContext } from 'webtasks:runtime';",
    'export default async function run(ctx) {',
    guard,
    `  await ctx.page.goto(${JSON.stringify(LIST_URL)});`,
    `  const names = await ctx.page.locator(${JSON.stringify(selector)}).allTextContents();`,
    "  ctx.log.info('found ' + names.length + ' names');",
    '  return names.map((name) => ({ name }));',
    '}',
  ].join('\n');
}

export const NAMES_SCHEMA = {
  type: 'array',
  items: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 } } },
};

/** A model reply that submits `source`. */
export function submit(source: string, outputSchema?: JsonObject) {
  return { content: [toolCall('submit', outputSchema ? { source, outputSchema } : { source })] };
}

export function createHarness(options: {
  site: FakeSite;
  script?: ModelScript;
  limits?: Partial<EngineLimits>;
  extra?: Partial<WebTasksOptions>;
}) {
  const browser = createFakeBrowserProvider({ site: options.site });
  const sandbox = createFakeSandbox();
  const compiler = createFakeCompiler();
  const model = createScriptedLanguageModel(options.script ?? []);
  const bundles = createMemoryBundleStore();
  const tasks = createMemoryTaskStore();
  const blobs = createMemoryBlobStore({ baseUrl: 'http://files.test', secret: 'test-secret' });
  const events: TaskEvent[] = [];
  const engine: WebTasksEngine = createWebTasks({
    bundles,
    tasks,
    blobs,
    locks: createMemoryLockManager(),
    queue: createMemoryTaskQueue(),
    browser,
    sandbox,
    compiler,
    model,
    prices: {
      'scripted-model': { inputPerMTok: 1, outputPerMTok: 5, cacheReadPerMTok: 0.1, cacheWritePerMTok: 1.25 },
    },
    limits: { maxExploreAttempts: 2, maxRepairAttempts: 2, ...options.limits },
    ...options.extra,
  });
  engine.subscribe((event) => events.push(event));
  return { engine, browser, sandbox, compiler, model, bundles, tasks, blobs, events };
}
