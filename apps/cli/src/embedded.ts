import path from 'node:path';
import { createTsMorphCompiler, type TsMorphCodeCompiler } from '@webtasks/codegen-ts';
import { type BlobStore, type Logger, silentLogger, type WebTasksEngine } from '@webtasks/core';
import type { ServerConfig } from '@webtasks/server/environment';
import { usageError } from './exit-codes.js';
import type { Writer } from './progress.js';

/** The data directory: `--data-dir`, else `WEBTASKS_DATA_DIR`, else `.webtasks` in the working directory. */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  return path.resolve(cwd, flag ?? env.WEBTASKS_DATA_DIR ?? '.webtasks');
}

/** Command-line flags that stand for variables of the one configuration (docs/configuration.md). */
export interface ConfigFlags {
  /** `--data-dir` → `WEBTASKS_DATA_DIR` (relative to the working directory). */
  dataDir?: string | undefined;
  /** `--allow-host` (repeatable) → added to `WEBTASKS_EGRESS_ALLOW_HOSTS`. */
  allowHosts?: string[];
  /** `--timeout SECONDS` → `WEBTASKS_TASK_TIMEOUT_MS`. */
  timeoutSeconds?: number | undefined;
}

/** The environment with the flags written in as the variables they stand for. */
export function environmentWithFlags(
  env: NodeJS.ProcessEnv,
  cwd: string,
  flags: ConfigFlags,
): Record<string, string | undefined> {
  const allow = [env.WEBTASKS_EGRESS_ALLOW_HOSTS ?? '', ...(flags.allowHosts ?? [])]
    .flatMap((hosts) => hosts.split(','))
    .map((host) => host.trim())
    .filter(Boolean);
  return {
    ...env,
    WEBTASKS_DATA_DIR: resolveDataDir(flags.dataDir, env, cwd),
    ...(allow.length ? { WEBTASKS_EGRESS_ALLOW_HOSTS: allow.join(',') } : {}),
    ...(flags.timeoutSeconds
      ? { WEBTASKS_TASK_TIMEOUT_MS: String(Math.round(flags.timeoutSeconds * 1000)) }
      : {}),
  };
}

/**
 * The configuration of an in-process engine (`run`, `mcp`, `bundles import`): the environment
 * and the flags through the server's one schema. Problems are a usage error listing each
 * variable; renamed variables print their one-line warning on `stderr`.
 */
export async function loadEmbeddedConfig(options: {
  env: NodeJS.ProcessEnv;
  cwd: string;
  flags?: ConfigFlags;
  stderr?: Writer;
}): Promise<ServerConfig> {
  const { ConfigError, loadConfig } = await import('@webtasks/server/environment');
  try {
    const config = loadConfig(environmentWithFlags(options.env, options.cwd, options.flags ?? {}), {
      mode: 'embedded',
    });
    for (const warning of config.warnings) options.stderr?.write(`warning: ${warning}\n`);
    return config;
  } catch (error) {
    if (error instanceof ConfigError)
      throw usageError(`${error.message}\nSee docs/configuration.md for every variable.`);
    throw error;
  }
}

/** Options of `createEmbeddedEngine`. */
export interface EmbeddedEngineOptions {
  /** The configuration (`loadEmbeddedConfig`). */
  config: ServerConfig;
  /** `false`: no model even if one is configured (verifying an import runs saved code only). */
  model?: boolean;
  /** Engine logs. Silent by default. */
  logger?: Logger;
}

/** The in-process engine of `webtasks run`, and what it was assembled with. */
export interface EmbeddedEngine {
  engine: WebTasksEngine;
  /** The model line (`anthropic`, `openai … at …`, or none). */
  modelDescription: string;
  /** Whether a model is configured (exploring and repairing need one). */
  hasModel: boolean;
  /** The compiler (ts-morph loads on its first compile or `warmUp`). */
  compiler: TsMorphCodeCompiler;
  /** The blob store (downloaded files, result files). */
  blobs: BlobStore;
  /** Close the engine and what it holds (database pools, the S3 client). */
  close(): Promise<void>;
}

/**
 * Assemble the engine in this process with the server's own assembly (`assemble`): the stores,
 * blobs, locks, queue, browser, model, limits, egress, proxy, retention and trace the
 * configuration names; one task at a time, results kept inline (the CLI prints them), error
 * hints naming the CLI's flags.
 */
export async function createEmbeddedEngine(options: EmbeddedEngineOptions): Promise<EmbeddedEngine> {
  const { assemble, describeModel, hasModel } = await import('@webtasks/server/environment');
  const { config } = options;
  // Not warmed up here: saved code with stored JavaScript runs without it (see `run`).
  const compiler = createTsMorphCompiler();
  const withModel = options.model !== false && hasModel(config);
  const assembly = await assemble(config, options.logger ?? silentLogger, {
    compiler,
    warmSandbox: true,
    ...(withModel ? {} : { model: null }),
    // The CLI prints the output itself: keep it inline whatever its size.
    limits: { inlineResultBytes: 512 * 1024 * 1024 },
    settingNames: {
      secretsKey: 'WEBTASKS_SECRETS_KEY',
      allowHost: (host) => `--allow-host ${host}`,
      model:
        'set ANTHROPIC_API_KEY (or WEBTASKS_MODEL_PROVIDER=openai with OPENAI_BASE_URL and WEBTASKS_MODELS for an OpenAI-compatible server)',
    },
  });
  return {
    engine: assembly.engine,
    modelDescription: withModel ? describeModel(config) : 'none (saved code only)',
    hasModel: withModel,
    compiler,
    blobs: assembly.blobs,
    async close() {
      await assembly.engine.close({ graceful: false, timeoutMs: 5_000 }).catch(() => undefined);
      await assembly.close();
      await compiler.close();
    },
  };
}
