import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createPlaywrightBrowserProvider,
  type PlaywrightBrowserProviderOptions,
} from '@webtasks/browser-playwright';
import { createTsMorphCompiler } from '@webtasks/codegen-ts';
import {
  type CodeCompiler,
  type CreditLedger,
  createWebTasks,
  type EgressPolicy,
  type EngineLimits,
  type JsonObject,
  type LanguageModel,
  type Logger,
  type PriceTable,
  type SettingNames,
  type TaskEvent,
  type WebTasksOptions,
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
  sites: Pick<FixtureSites, 'baseUrl'>;
  /** Hosts the browser may reach beside the sites' own. */
  allowHosts?: string[];
  script?: ModelScript;
  limits?: Partial<EngineLimits>;
  /** A real model adapter instead of the scripted model; `null` for an engine with no model at all. */
  model?: LanguageModel | null;
  /** Setting names for error hints (the CLI's, the server's). */
  settingNames?: SettingNames;
  /** An engine-level egress policy (the browser provider's allows the fixture host either way). */
  egress?: EgressPolicy;
  prices?: PriceTable;
  credits?: CreditLedger;
  /** Stores in this directory (kept on close) instead of a fresh temporary one. */
  directory?: string;
  /** Default: a fresh ts-morph compiler. */
  compiler?: CodeCompiler;
  /** Browser options (egress allow-list, a resolver, …); the fixture host is always allowed. */
  browser?: PlaywrightBrowserProviderOptions;
  /** The engine's logger (default silent). */
  logger?: Logger;
  /** Secrets at rest (store and key). */
  secrets?: WebTasksOptions['secrets'];
}) {
  const directory = options.directory ?? mkdtempSync(join(tmpdir(), 'webtasks-scenario-'));
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
      ...options.browser,
      egress: {
        ...options.browser?.egress,
        allowHosts: [
          new URL(options.sites.baseUrl).host,
          ...(options.allowHosts ?? []),
          ...(options.browser?.egress?.allowHosts ?? []),
        ],
      },
    }),
    sandbox: createIsolatedVmSandbox({ workers: 2 }),
    compiler: options.compiler ?? createTsMorphCompiler(),
    ...(options.model === null ? {} : { model: options.model ?? model }),
    ...(options.settingNames ? { settingNames: options.settingNames } : {}),
    ...(options.egress ? { egress: options.egress } : {}),
    prices: options.prices ?? {
      'scripted-model': { inputPerMTok: 1, outputPerMTok: 5, cacheReadPerMTok: 0.1, cacheWritePerMTok: 1.25 },
    },
    ...(options.credits ? { credits: options.credits } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.secrets ? { secrets: options.secrets } : {}),
    limits: { maxExploreAttempts: 2, maxRepairAttempts: 1, ...options.limits },
  });
  engine.subscribe((event) => events.push(event));
  return {
    engine,
    directory,
    model,
    blobs,
    bundles,
    events,
    async close() {
      await engine.close();
      if (!options.directory) rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** A model reply that submits `source`. */
export function submitReply(source: string, outputSchema?: JsonObject) {
  return { content: [toolCall('submit', outputSchema ? { source, outputSchema } : { source })] };
}
