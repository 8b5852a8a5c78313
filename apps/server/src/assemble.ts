import type {
  BlobStore,
  BrowserProvider,
  CodeCompiler,
  EngineLimits,
  LanguageModel,
  Logger,
  PriceTable,
  Sandbox,
  SettingNames,
  SignedUrlVerifier,
  WebhookOptions,
  WebTasksEngine,
} from '@webtasks/core';
import {
  blobStore,
  type Closer,
  eventChannel,
  locks,
  model,
  ownCompiler,
  type QueueTimings,
  queue,
  secretStore,
  stores,
} from './adapters.js';
import type { ServerConfig } from './config.js';

export { fileSecret, queueAttempts } from './adapters.js';

/**
 * ─── Adapter assembly ───────────────────────────────────────────────────────────────────
 * The one place that turns configuration into an engine: `adapters.ts` picks one adapter per
 * port (each package imported lazily), `assemble` wires them with the limits and settings.
 * To add an adapter: a value in `config.ts`, a branch in `adapters.ts`, a line in the
 * README's variable table.
 * ────────────────────────────────────────────────────────────────────────────────────────
 */

/** What `main.ts` gets: the engine, the blob store it serves files from, and extra cleanup. */
export interface Assembly {
  engine: WebTasksEngine;
  blobs: BlobStore & Partial<SignedUrlVerifier>;
  /** Close what the engine does not (database pools, the S3 client). */
  close(): Promise<void>;
}

/**
 * What a caller may put in place of the configured parts: tests run the real stores, locks
 * and queue with fake browser, sandbox, compiler and model, and shorter lease times.
 */
export interface AssemblyOverrides {
  browser?: BrowserProvider;
  sandbox?: Sandbox;
  /** Start the isolate processes at once (`webtasks run`: the run is about to need one). */
  warmSandbox?: boolean;
  compiler?: CodeCompiler;
  /** A model in place of the configured one; `null`: none at all (saved code only). */
  model?: LanguageModel | null;
  prices?: PriceTable;
  /** Engine limits on top of the configured ones. */
  limits?: Partial<EngineLimits>;
  /** BullMQ timings (how fast a dead worker's task is delivered again). */
  queue?: QueueTimings;
  /** How error hints name settings; default the environment variables (the CLI names its flags). */
  settingNames?: SettingNames;
  /** Webhook timings (retry backoff, sweep interval) on top of the configured secret and URL. */
  webhooks?: Omit<WebhookOptions, 'secret' | 'defaultUrl'>;
}

/** Whether the configuration has a model (else only saved code runs). */
export function hasModel(config: ServerConfig): boolean {
  return config.model.provider === 'openai'
    ? config.model.baseUrl !== undefined
    : config.model.apiKey !== undefined;
}

/** The model line of start-up messages: `anthropic`, `openai qwen3 at URL`, or none. */
export function describeModel(config: ServerConfig): string {
  const { model } = config;
  if (hasModel(config) && model.provider === 'openai')
    return `openai ${model.models.haiku ?? ''} at ${model.baseUrl}`.replace('  ', ' ');
  if (hasModel(config)) return `anthropic${model.baseUrl ? ` at ${model.baseUrl}` : ''}`;
  return 'none (saved code only: tasks that need the agent are rejected)';
}

/** Error hints of the server: its environment variables. */
export const SERVER_SETTING_NAMES: SettingNames = {
  allowHost: (host) => `add ${host} to WEBTASKS_EGRESS_ALLOW_HOSTS`,
  secretsKey: 'WEBTASKS_SECRETS_KEY',
  webhookSecret: 'set WEBTASKS_WEBHOOK_SECRET (or the workspace in WEBTASKS_WEBHOOK_SECRETS)',
  model:
    'set ANTHROPIC_API_KEY on the workers (or WEBTASKS_MODEL_PROVIDER=openai with OPENAI_BASE_URL and WEBTASKS_MODELS)',
};

/**
 * Build the engine and its adapters from the configuration (`overrides` replace parts of it):
 * the one assembly of `webtasks serve`, the server binary, and `webtasks run`/`mcp`.
 */
export async function assemble(
  config: ServerConfig,
  logger: Logger,
  overrides: AssemblyOverrides = {},
): Promise<Assembly> {
  const closers: Closer[] = [];
  const { createWebTasks, DEFAULT_LIMITS } = await import('@webtasks/core');
  const egress = { blockPrivateNetworks: true, allowHosts: config.egressAllowHosts };
  const { bundles, tasks } = await stores(config, logger.child({ adapter: 'store' }), closers);
  const blobs = await blobStore(config, logger.child({ adapter: 'blobs' }), closers);
  const configured =
    overrides.model === null
      ? { prices: {} }
      : overrides.model
        ? { model: overrides.model, prices: overrides.prices ?? {} }
        : await model(config, logger.child({ adapter: 'model' }));
  const maxDeliveries = overrides.limits?.maxDeliveries ?? DEFAULT_LIMITS.maxDeliveries;
  const events = await eventChannel(config, logger.child({ adapter: 'events' }), closers);
  const engine = createWebTasks({
    bundles,
    tasks,
    blobs,
    locks: await locks(config, logger.child({ adapter: 'locks' })),
    queue: await queue(config, logger.child({ adapter: 'queue' }), maxDeliveries, overrides.queue),
    // Browser and sandbox start their processes on first use, so API-only processes pay nothing.
    browser:
      overrides.browser ??
      (await import('@webtasks/browser-playwright')).createPlaywrightBrowserProvider({
        ...(config.chromiumPath ? { executablePath: config.chromiumPath } : {}),
        egress,
        maxResultBytes: config.runCaps.maxReplyBytes,
        maxPagesPerSession: config.runCaps.maxPagesPerSession,
        maxFramesPerPage: config.runCaps.maxFramesPerPage,
        ...(config.proxy ? { proxy: config.proxy } : {}),
        maxDownloadBytes: config.maxDownloadBytes,
        maxTransferBytes: config.maxTransferBytes,
        logger: logger.child({ adapter: 'browser' }),
      }),
    sandbox:
      overrides.sandbox ??
      (await import('@webtasks/sandbox-isolated-vm')).createIsolatedVmSandbox({
        workers: config.sandboxWorkers,
        ...(overrides.warmSandbox ? { warm: true } : {}),
        defaultLimits: {
          maxConcurrentCalls: config.runCaps.maxConcurrentCalls,
          maxReplyBytes: config.runCaps.maxReplyBytes,
          maxOutputBytes: config.runCaps.maxOutputBytes,
        },
        logger: logger.child({ adapter: 'sandbox' }),
      }),
    compiler: overrides.compiler ?? (await ownCompiler(closers)),
    ...('model' in configured && configured.model ? { model: configured.model } : {}),
    prices: configured.prices,
    egress,
    limits: {
      maxQueuedPerWorkspace: config.maxQueuedPerWorkspace,
      maxConcurrentPerWorkspace: config.maxConcurrentPerWorkspace,
      taskTimeoutMs: config.taskTimeoutMs,
      reconcileIntervalMs: config.reconcileIntervalMs,
      ...overrides.limits,
      maxDeliveries,
    },
    worker: config.role === 'api' ? false : { concurrency: config.workerConcurrency },
    traceByDefault: config.traceByDefault,
    secrets: {
      store: await secretStore(config, logger.child({ adapter: 'secrets' }), closers),
      ...(config.secretsKey ? { key: config.secretsKey } : {}),
    },
    ...(config.webhooks.secret !== undefined || Object.keys(config.webhooks.secretsByWorkspace).length > 0
      ? {
          webhooks: {
            secret: (workspaceId: string) =>
              config.webhooks.secretsByWorkspace[workspaceId] ?? config.webhooks.secret,
            ...(config.webhooks.defaultUrl !== undefined ? { defaultUrl: config.webhooks.defaultUrl } : {}),
            ...overrides.webhooks,
          },
        }
      : {}),
    retention: { days: config.retentionDays, workspaces: config.retentionByWorkspace },
    runs: config.runs,
    ...(events ? { eventChannel: events } : {}),
    settingNames: overrides.settingNames ?? SERVER_SETTING_NAMES,
    logger,
  });
  return {
    engine,
    blobs,
    async close() {
      await Promise.allSettled(closers.map((close) => close()));
    },
  };
}
