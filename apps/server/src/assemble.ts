import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type {
  BlobStore,
  BrowserProvider,
  BundleStore,
  CodeCompiler,
  EngineLimits,
  LanguageModel,
  LockManager,
  Logger,
  PriceTable,
  RunEventChannel,
  Sandbox,
  SecretStore,
  SettingNames,
  SignedUrlVerifier,
  TaskQueue,
  TaskStore,
  WebhookOptions,
  WebTasksEngine,
} from '@webtasks/core';
import type { ServerConfig } from './config.js';

/**
 * ─── Adapter assembly ───────────────────────────────────────────────────────────────────
 * The one place that turns configuration into adapters. Every adapter package is imported
 * lazily (`await import(...)`), so a deployment only loads the store, queue and model
 * packages it is configured for (no pg without Postgres, no AWS SDK without S3). To add an
 * adapter: a value in `config.ts`, a branch here, a line in the README's variable table.
 * ────────────────────────────────────────────────────────────────────────────────────────
 */

/** What `main.ts` gets: the engine, the blob store it serves files from, and extra cleanup. */
export interface Assembly {
  engine: WebTasksEngine;
  blobs: BlobStore & Partial<SignedUrlVerifier>;
  /** Close what the engine does not (database pools, the S3 client). */
  close(): Promise<void>;
}

type Closer = () => Promise<void>;

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
  queue?: { lockDurationMs?: number; stalledIntervalMs?: number; retryDelayMs?: number };
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
 * BullMQ deliveries per task. The engine counts the deliveries that *started* the task and
 * fails it on the next one once `maxDeliveries` is reached; BullMQ must therefore always
 * grant that next delivery, or a task whose worker died on its last delivery would stay
 * `started` forever. Deliveries that fail before starting (the database or Redis briefly
 * unreachable) also count for BullMQ, so it gets a margin for those: with the default 1 s
 * doubling back-off, ten retries span about 8 minutes of outage.
 */
export function queueAttempts(maxDeliveries: number): number {
  return maxDeliveries + 10;
}

/** The HMAC secret of signed file URLs: configured, or generated once and kept in the data dir. */
export async function fileSecret(config: ServerConfig): Promise<string> {
  if (config.fileSecret !== undefined) return config.fileSecret;
  const file = path.join(config.dataDir, 'file-secret');
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (stored.length >= 16) return stored;
  } catch {
    // Not there yet: create it below.
  }
  await mkdir(config.dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'w' });
  return secret;
}

async function stores(
  config: ServerConfig,
  logger: Logger,
  closers: Closer[],
): Promise<{ bundles: BundleStore; tasks: TaskStore }> {
  if (config.store.kind === 'postgres') {
    const { createPostgresStores } = await import('@webtasks/store-postgres');
    const postgres = createPostgresStores({
      connectionString: config.store.connectionString,
      ...(config.store.schema ? { schema: config.store.schema } : {}),
      logger,
    });
    closers.push(() => postgres.close());
    return postgres;
  }
  const { createFsBundleStore, createFsTaskStore } = await import('@webtasks/store-fs');
  return {
    bundles: createFsBundleStore({ directory: config.dataDir }),
    tasks: createFsTaskStore({ directory: config.dataDir }),
  };
}

/** Where workspace secrets and auth sessions are kept (sealed): beside the tasks. */
/** The ts-morph compiler, on its own thread; closing the assembly stops the thread. */
async function ownCompiler(closers: Closer[]): Promise<CodeCompiler> {
  const compiler = (await import('@webtasks/codegen-ts')).createTsMorphCompiler();
  closers.push(() => compiler.close());
  return compiler;
}

async function secretStore(config: ServerConfig, logger: Logger, closers: Closer[]): Promise<SecretStore> {
  if (config.store.kind === 'postgres') {
    const { createPostgresSecretStore } = await import('@webtasks/store-postgres');
    const store = createPostgresSecretStore({
      connectionString: config.store.connectionString,
      ...(config.store.schema ? { schema: config.store.schema } : {}),
      logger,
    });
    closers.push(() => store.close());
    return store;
  }
  const { createFsSecretStore } = await import('@webtasks/store-fs');
  return createFsSecretStore({ directory: config.dataDir });
}

/**
 * Live events pushed from workers to API processes: over PostgreSQL's LISTEN/NOTIFY when the
 * tasks are there (one connection per process). With the filesystem store, the processes of
 * a deployment are one process: the engine hands events over in memory.
 */
async function eventChannel(
  config: ServerConfig,
  logger: Logger,
  closers: Closer[],
): Promise<RunEventChannel | undefined> {
  if (config.store.kind !== 'postgres') return undefined;
  const { createPostgresRunEventChannel } = await import('@webtasks/store-postgres');
  const channel = createPostgresRunEventChannel({ connectionString: config.store.connectionString, logger });
  // The engine closes it too (close is idempotent); this covers an engine never closed.
  closers.push(() => channel.close());
  return channel;
}

async function blobStore(
  config: ServerConfig,
  logger: Logger,
  closers: Closer[],
): Promise<Assembly['blobs']> {
  if (config.blobs.kind === 's3') {
    const { createS3BlobStore } = await import('@webtasks/store-s3');
    const { kind: _kind, ...s3 } = config.blobs;
    const store = createS3BlobStore({ ...s3, logger });
    closers.push(() => store.close());
    return store;
  }
  const { createFsBlobStore } = await import('@webtasks/store-fs');
  return createFsBlobStore({
    directory: config.dataDir,
    baseUrl: config.publicUrl,
    secret: await fileSecret(config),
  });
}

async function locks(config: ServerConfig, logger: Logger): Promise<LockManager> {
  if (config.locks.kind === 'redis') {
    const { createRedisLockManager } = await import('@webtasks/lock-redis');
    return createRedisLockManager({ url: config.locks.url, prefix: config.locks.prefix, logger });
  }
  const { createMemoryLockManager } = await import('@webtasks/memory');
  return createMemoryLockManager();
}

async function queue(
  config: ServerConfig,
  logger: Logger,
  maxDeliveries: number,
  timings: AssemblyOverrides['queue'] = {},
): Promise<TaskQueue> {
  if (config.queue.kind === 'bullmq') {
    const { createBullMQTaskQueue } = await import('@webtasks/queue-bullmq');
    return createBullMQTaskQueue({
      url: config.queue.url,
      prefix: config.queue.prefix,
      maxAttempts: queueAttempts(maxDeliveries),
      ...timings,
      logger,
    });
  }
  const { createMemoryTaskQueue } = await import('@webtasks/memory');
  return createMemoryTaskQueue();
}

async function model(
  config: ServerConfig,
  logger: Logger,
): Promise<{ model?: LanguageModel; prices: PriceTable }> {
  const { model: settings } = config;
  if (settings.provider === 'anthropic') {
    if (settings.apiKey === undefined) return { prices: {} };
    const { createAnthropicLanguageModel, anthropicPricing } = await import('@webtasks/llm-anthropic');
    const prices: PriceTable = { ...anthropicPricing };
    const created = createAnthropicLanguageModel({
      apiKey: settings.apiKey,
      models: settings.models,
      logger,
      ...(settings.baseUrl ? { baseURL: settings.baseUrl } : {}),
    });
    return { model: created, prices };
  }
  if (settings.baseUrl === undefined) return { prices: {} };
  const { createOpenAICompatibleLanguageModel } = await import('@webtasks/llm-openai');
  const { haiku, sonnet, opus } = settings.models;
  const created = createOpenAICompatibleLanguageModel({
    baseURL: settings.baseUrl,
    models: { haiku: haiku ?? '', sonnet: sonnet ?? haiku ?? '', opus: opus ?? sonnet ?? haiku ?? '' },
    logger,
    ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
  });
  // Local models: no price table, so `cost.aiUsd` is 0.
  return { model: created, prices: {} };
}

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
