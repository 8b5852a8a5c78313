import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlaywrightBrowserProvider } from '@webtasks/browser-playwright';
import { createTsMorphCompiler } from '@webtasks/codegen-ts';
import {
  type CreditLedger,
  createWebTasks,
  type EngineLimits,
  type JsonObject,
  type LanguageModel,
  type PriceTable,
  type TaskEvent,
} from '@webtasks/core';
import { createMemoryLockManager, createMemoryTaskQueue } from '@webtasks/memory';
import { createIsolatedVmSandbox } from '@webtasks/sandbox-isolated-vm';
import { createFsBlobStore, createFsBundleStore, createFsTaskStore } from '@webtasks/store-fs';
import {
  createScriptedLanguageModel,
  type FixtureSites,
  type ModelScript,
  toolCall,
} from '@webtasks/test-suite';

/**
 * The embedded engine with real parts: filesystem stores, real Chromium (egress allowed only
 * to the fixture host), isolated-vm isolates, the ts-morph compiler; a scripted model.
 */
export function createRealEngine(options: {
  sites: FixtureSites;
  script?: ModelScript;
  limits?: Partial<EngineLimits>;
  /** A real model adapter instead of the scripted model. */
  model?: LanguageModel;
  prices?: PriceTable;
  credits?: CreditLedger;
}) {
  const directory = mkdtempSync(join(tmpdir(), 'webtasks-scenario-'));
  const model = createScriptedLanguageModel(options.script ?? []);
  const blobs = createFsBlobStore({
    directory,
    baseUrl: 'http://127.0.0.1:9',
    secret: 'scenario-secret-0123456789',
  });
  const bundles = createFsBundleStore({ directory });
  const events: TaskEvent[] = [];
  const engine = createWebTasks({
    bundles,
    tasks: createFsTaskStore({ directory }),
    blobs,
    locks: createMemoryLockManager(),
    queue: createMemoryTaskQueue(),
    browser: createPlaywrightBrowserProvider({
      egress: { allowHosts: [new URL(options.sites.baseUrl).host] },
    }),
    sandbox: createIsolatedVmSandbox({ workers: 2 }),
    compiler: createTsMorphCompiler(),
    model: options.model ?? model,
    prices: options.prices ?? {
      'scripted-model': { inputPerMTok: 1, outputPerMTok: 5, cacheReadPerMTok: 0.1, cacheWritePerMTok: 1.25 },
    },
    ...(options.credits ? { credits: options.credits } : {}),
    limits: { maxExploreAttempts: 2, maxRepairAttempts: 1, ...options.limits },
  });
  engine.subscribe((event) => events.push(event));
  return {
    engine,
    model,
    blobs,
    bundles,
    events,
    async close() {
      await engine.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** A model reply that submits `source`. */
export function submitReply(source: string, outputSchema?: JsonObject) {
  return { content: [toolCall('submit', outputSchema ? { source, outputSchema } : { source })] };
}
