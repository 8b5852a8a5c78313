import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createPlaywrightBrowserProvider } from '@webtasks/browser-playwright';
import { createTsMorphCompiler } from '@webtasks/codegen-ts';
import { createWebTasks, type LanguageModel, type Logger, type WebTasksEngine } from '@webtasks/core';
import { anthropicPricing, createAnthropicLanguageModel } from '@webtasks/llm-anthropic';
import { createOpenAICompatibleLanguageModel } from '@webtasks/llm-openai';
import { createMemoryLockManager, createMemoryTaskQueue } from '@webtasks/memory';
import { createIsolatedVmSandbox } from '@webtasks/sandbox-isolated-vm';
import { createFsBlobStore, createFsBundleStore, createFsTaskStore } from '@webtasks/store-fs';
import { usageError } from './exit-codes.js';

/** The data directory: `--data-dir`, else `WEBTASKS_DATA_DIR`, else `.webtasks` in the working directory. */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  return path.resolve(cwd, flag ?? env.WEBTASKS_DATA_DIR ?? '.webtasks');
}

/** The model the environment configures, and a line describing it. */
export interface ConfiguredModel {
  model: LanguageModel;
  description: string;
}

/**
 * The language model from the environment: an OpenAI-compatible server when
 * `WEBTASKS_OPENAI_BASE_URL` is set, else Anthropic when `ANTHROPIC_API_KEY` is set, else none
 * (saved code still runs; exploring and repairing need a model).
 */
export function modelFromEnv(env: NodeJS.ProcessEnv, logger?: Logger): ConfiguredModel | undefined {
  const openAiBaseUrl = env.WEBTASKS_OPENAI_BASE_URL;
  if (openAiBaseUrl) {
    const modelId = env.WEBTASKS_OPENAI_MODEL;
    if (!modelId) {
      throw usageError(
        'WEBTASKS_OPENAI_BASE_URL is set but WEBTASKS_OPENAI_MODEL is not: set it to the served model id (e.g. qwen3-coder).',
      );
    }
    return {
      model: createOpenAICompatibleLanguageModel({
        baseURL: openAiBaseUrl,
        models: modelId,
        ...(env.WEBTASKS_OPENAI_API_KEY ? { apiKey: env.WEBTASKS_OPENAI_API_KEY } : {}),
        ...(logger ? { logger } : {}),
      }),
      description: `${modelId} at ${openAiBaseUrl}`,
    };
  }
  const apiKey = env.ANTHROPIC_API_KEY;
  if (!apiKey) return undefined;
  const baseURL = env.WEBTASKS_ANTHROPIC_BASE_URL ?? env.ANTHROPIC_BASE_URL;
  return {
    model: createAnthropicLanguageModel({
      apiKey,
      ...(baseURL ? { baseURL } : {}),
      ...(logger ? { logger } : {}),
    }),
    description: `Anthropic${baseURL ? ` at ${baseURL}` : ''}`,
  };
}

/** A per-data-dir secret for the blob store's signed URLs, created on first use. */
function blobSecret(dataDir: string): string {
  const file = path.join(dataDir, 'secret');
  try {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length >= 16) return secret;
  } catch {
    // created below
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** Options of `createEmbeddedEngine`. */
export interface EmbeddedEngineOptions {
  /** Where bundles, task records and files live. */
  dataDir: string;
  /** Environment to read the model configuration from. */
  env: NodeJS.ProcessEnv;
  /** Hosts the browser may reach even though they are private or loopback (`127.0.0.1:8080`). */
  allowHosts?: string[];
  /** Per-task timeout. Default 10 minutes. */
  taskTimeoutMs?: number;
  /** Engine logs. Silent by default. */
  logger?: Logger;
  /** The model; default `modelFromEnv(env)`. */
  model?: ConfiguredModel | undefined;
}

/** The in-process engine of `webtasks run`, and what it was assembled with. */
export interface EmbeddedEngine {
  engine: WebTasksEngine;
  /** The configured model, when there is one. */
  model: ConfiguredModel | undefined;
}

/**
 * Assemble the engine in this process: filesystem stores under `dataDir`, memory locks and
 * queue, real Chromium, isolated-vm sandboxes, the ts-morph compiler and the model from the
 * environment.
 */
export function createEmbeddedEngine(options: EmbeddedEngineOptions): EmbeddedEngine {
  const { dataDir, logger } = options;
  const model = 'model' in options ? options.model : modelFromEnv(options.env, logger);
  const compiler = createTsMorphCompiler();
  // The first type-check pays a cold start of about a second: pay it while Chromium launches.
  void compiler.warmUp().catch(() => undefined);
  const engine = createWebTasks({
    bundles: createFsBundleStore({ directory: dataDir }),
    tasks: createFsTaskStore({ directory: dataDir }),
    // Nothing serves these URLs locally; the CLI keeps results inline (see the limit below).
    blobs: createFsBlobStore({
      directory: dataDir,
      baseUrl: 'http://localhost',
      secret: blobSecret(dataDir),
    }),
    locks: createMemoryLockManager(),
    queue: createMemoryTaskQueue(),
    browser: createPlaywrightBrowserProvider({
      ...(options.env.WEBTASKS_CHROMIUM_PATH ? { executablePath: options.env.WEBTASKS_CHROMIUM_PATH } : {}),
      ...(logger ? { logger } : {}),
    }),
    sandbox: createIsolatedVmSandbox({ workers: 1, warm: true, ...(logger ? { logger } : {}) }),
    compiler,
    ...(model ? { model: model.model } : {}),
    prices: { ...anthropicPricing },
    egress: { blockPrivateNetworks: true, allowHosts: options.allowHosts ?? [] },
    limits: {
      // The CLI prints the output itself: keep it inline whatever its size.
      inlineResultBytes: 512 * 1024 * 1024,
      ...(options.taskTimeoutMs ? { taskTimeoutMs: options.taskTimeoutMs } : {}),
    },
    worker: { concurrency: 1 },
    ...(logger ? { logger } : {}),
  });
  return { engine, model };
}
