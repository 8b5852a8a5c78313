import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type {
  BlobStore,
  BundleStore,
  LanguageModel,
  LockManager,
  Logger,
  PriceTable,
  SignedUrlVerifier,
  TaskQueue,
  TaskStore,
  WebTasksEngine,
} from '@webtasks/core';
import type { ServerConfig } from './config.js';

/**
 * ─── Adapter assembly ───────────────────────────────────────────────────────────────────
 * The one place that turns configuration into adapters. Every adapter package is imported
 * lazily (`await import(...)`), so a deployment only loads what it uses (no Chromium or
 * isolated-vm code in a pure API process that never runs tasks, no pg without Postgres).
 * Packages not published yet are looked up by factory name (`loadFactory`); when one lands,
 * replace the lookup with a typed import like the others.
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

/** Look a factory up in a package that may not export it yet. */
async function loadFactory<T>(
  pkg: string,
  names: string[],
): Promise<(options: Record<string, unknown>) => T> {
  const module = (await import(pkg)) as Record<string, unknown>;
  for (const name of names) {
    const factory = module[name];
    if (typeof factory === 'function') return factory as (options: Record<string, unknown>) => T;
  }
  throw new Error(
    `${pkg} does not export ${names.join(' or ')} yet: pick another adapter in the configuration.`,
  );
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

async function blobStore(
  config: ServerConfig,
  logger: Logger,
  closers: Closer[],
): Promise<Assembly['blobs']> {
  if (config.blobs.kind === 's3') {
    const { kind: _kind, ...s3 } = config.blobs;
    const store = await (
      await loadFactory<BlobStore & { close?: Closer }>('@webtasks/store-s3', ['createS3BlobStore'])
    )({ ...s3, logger });
    if (store.close) closers.push(() => store.close!());
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
    return createRedisLockManager({ url: config.locks.url, logger });
  }
  const { createMemoryLockManager } = await import('@webtasks/memory');
  return createMemoryLockManager();
}

async function queue(config: ServerConfig, logger: Logger): Promise<TaskQueue> {
  if (config.queue.kind === 'bullmq') {
    const create = await loadFactory<TaskQueue>('@webtasks/queue-bullmq', [
      'createBullMQTaskQueue',
      'createBullmqTaskQueue',
    ]);
    return create({ url: config.queue.url, logger });
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
    const prices = toPriceTable(anthropicPricing as unknown as Record<string, Record<string, number>>);
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

/** The adapter's price list in the engine's shape (accepts `{input, …}` or `{inputPerMTok, …}` rates). */
function toPriceTable(table: Record<string, Record<string, number>>): PriceTable {
  return Object.fromEntries(
    Object.entries(table).map(([id, rates]) => [
      id,
      {
        inputPerMTok: rates.inputPerMTok ?? rates.input ?? 0,
        outputPerMTok: rates.outputPerMTok ?? rates.output ?? 0,
        cacheReadPerMTok: rates.cacheReadPerMTok ?? rates.cacheRead ?? 0,
        cacheWritePerMTok: rates.cacheWritePerMTok ?? rates.cacheWrite ?? 0,
      },
    ]),
  );
}

/** Build the engine and its adapters from the configuration. */
export async function assemble(config: ServerConfig, logger: Logger): Promise<Assembly> {
  const closers: Closer[] = [];
  const [
    { createWebTasks },
    { createPlaywrightBrowserProvider },
    { createIsolatedVmSandbox },
    { createTsMorphCompiler },
  ] = await Promise.all([
    import('@webtasks/core'),
    import('@webtasks/browser-playwright'),
    import('@webtasks/sandbox-isolated-vm'),
    import('@webtasks/codegen-ts'),
  ]);
  const egress = { blockPrivateNetworks: true, allowHosts: config.egressAllowHosts };
  const { bundles, tasks } = await stores(config, logger.child({ adapter: 'store' }), closers);
  const blobs = await blobStore(config, logger.child({ adapter: 'blobs' }), closers);
  const { model: languageModel, prices } = await model(config, logger.child({ adapter: 'model' }));
  const engine = createWebTasks({
    bundles,
    tasks,
    blobs,
    locks: await locks(config, logger.child({ adapter: 'locks' })),
    queue: await queue(config, logger.child({ adapter: 'queue' })),
    // Browser and sandbox start their processes on first use, so API-only processes pay nothing.
    browser: createPlaywrightBrowserProvider({
      executablePath: config.chromiumPath,
      egress,
      logger: logger.child({ adapter: 'browser' }),
    }),
    sandbox: createIsolatedVmSandbox({
      workers: config.sandboxWorkers,
      logger: logger.child({ adapter: 'sandbox' }),
    }),
    compiler: createTsMorphCompiler(),
    ...(languageModel ? { model: languageModel } : {}),
    prices,
    egress,
    limits: {
      maxQueuedPerWorkspace: config.maxQueuedPerWorkspace,
      maxConcurrentPerWorkspace: config.maxConcurrentPerWorkspace,
      taskTimeoutMs: config.taskTimeoutMs,
    },
    worker: config.role === 'api' ? false : { concurrency: config.workerConcurrency },
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
