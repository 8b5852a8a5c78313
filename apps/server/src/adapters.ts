import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type {
  BlobStore,
  BundleStore,
  CodeCompiler,
  LanguageModel,
  LockManager,
  Logger,
  PriceTable,
  RunEventChannel,
  SecretStore,
  SignedUrlVerifier,
  TaskQueue,
  TaskStore,
} from '@webtasks/core';
import type { ServerConfig } from './config.js';

/**
 * One adapter per port, picked from the configuration. Every adapter package is imported
 * lazily (`await import(...)`), so a deployment only loads the store, queue and model packages
 * it is configured for (no pg without Postgres, no AWS SDK without S3).
 */

/** Cleanup of what an adapter opened (a pool, a client), run when the assembly closes. */
export type Closer = () => Promise<void>;

/** BullMQ timings (how fast a dead worker's task is delivered again). */
export interface QueueTimings {
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  retryDelayMs?: number;
}

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

/** How the PostgreSQL adapters connect: the configured URL and schema. */
function postgresConnection(
  store: Extract<ServerConfig['store'], { kind: 'postgres' }>,
  logger: Logger,
): { connectionString: string; schema?: string; logger: Logger } {
  return {
    connectionString: store.connectionString,
    ...(store.schema ? { schema: store.schema } : {}),
    logger,
  };
}

/** The bundle and task stores: PostgreSQL, or files in the data dir. */
export async function stores(
  config: ServerConfig,
  logger: Logger,
  closers: Closer[],
): Promise<{ bundles: BundleStore; tasks: TaskStore }> {
  if (config.store.kind === 'postgres') {
    const { createPostgresStores } = await import('@webtasks/store-postgres');
    const postgres = createPostgresStores(postgresConnection(config.store, logger));
    closers.push(() => postgres.close());
    return postgres;
  }
  const { createFsBundleStore, createFsTaskStore } = await import('@webtasks/store-fs');
  return {
    bundles: createFsBundleStore({ directory: config.dataDir }),
    tasks: createFsTaskStore({ directory: config.dataDir }),
  };
}

/** The ts-morph compiler, on its own thread; closing the assembly stops the thread. */
export async function ownCompiler(closers: Closer[]): Promise<CodeCompiler> {
  const compiler = (await import('@webtasks/codegen-ts')).createTsMorphCompiler();
  closers.push(() => compiler.close());
  return compiler;
}

/** Where workspace secrets and auth sessions are kept (sealed): beside the tasks. */
export async function secretStore(
  config: ServerConfig,
  logger: Logger,
  closers: Closer[],
): Promise<SecretStore> {
  if (config.store.kind === 'postgres') {
    const { createPostgresSecretStore } = await import('@webtasks/store-postgres');
    const store = createPostgresSecretStore(postgresConnection(config.store, logger));
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
export async function eventChannel(
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

export async function blobStore(
  config: ServerConfig,
  logger: Logger,
  closers: Closer[],
): Promise<BlobStore & Partial<SignedUrlVerifier>> {
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

export async function locks(config: ServerConfig, logger: Logger): Promise<LockManager> {
  if (config.locks.kind === 'redis') {
    const { createRedisLockManager } = await import('@webtasks/lock-redis');
    return createRedisLockManager({ url: config.locks.url, prefix: config.locks.prefix, logger });
  }
  const { createMemoryLockManager } = await import('@webtasks/memory');
  return createMemoryLockManager();
}

export async function queue(
  config: ServerConfig,
  logger: Logger,
  maxDeliveries: number,
  timings: QueueTimings = {},
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

export async function model(
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
