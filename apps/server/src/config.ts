import { readFileSync } from 'node:fs';
import path from 'node:path';
import { maskProxyUrl, ProxySettingsSchema, proxySettingsFromUrl } from '@webtasks/protocol';
import { type ApiKeyEntry, parseApiKeyPairs, parseApiKeysFile } from './api-keys.js';
import { parseModels, parseRetention, parseWebhooks, type WebhookConfig } from './config-values.js';
import { parseEnvironment } from './env-schema.js';

/** Which parts this process runs. */
export type ServerRole = 'api' | 'worker' | 'both';

/** Everything the server and `webtasks run` need, read from environment variables (docs/configuration.md). */
export interface ServerConfig {
  role: ServerRole;
  host: string;
  port: number;
  dataDir: string;
  publicUrl: string;
  store: { kind: 'fs' } | { kind: 'postgres'; connectionString: string; schema?: string };
  blobs:
    | { kind: 'fs' }
    | {
        kind: 's3';
        bucket: string;
        region?: string;
        endpoint?: string;
        forcePathStyle: boolean;
        prefix?: string;
      };
  locks: { kind: 'memory' } | { kind: 'redis'; url: string; prefix: string };
  queue: { kind: 'memory' } | { kind: 'bullmq'; url: string; prefix: string };
  model:
    | { provider: 'anthropic'; apiKey?: string; baseUrl?: string; models: Record<string, string> }
    | { provider: 'openai'; apiKey?: string; baseUrl?: string; models: Record<string, string> };
  /** Hashed keys (from WEBTASKS_API_KEYS and WEBTASKS_API_KEYS_FILE together). */
  apiKeys: ApiKeyEntry[];
  /** HMAC secret of signed file URLs; undefined → generated once and kept in the data dir. */
  fileSecret: string | undefined;
  bodyLimitBytes: number;
  maxQueuedPerWorkspace: number;
  maxConcurrentPerWorkspace: number;
  maxWaitSeconds: number;
  taskTimeoutMs: number;
  workerConcurrency: number;
  /** Chromium; undefined: `/usr/bin/chromium`, else Playwright's browser cache (the browser adapter looks). */
  chromiumPath?: string;
  sandboxWorkers: number;
  /** Caps that keep one run from starving the worker's other tenants (see the README). */
  runCaps: {
    maxConcurrentCalls: number;
    maxReplyBytes: number;
    maxOutputBytes: number;
    maxPagesPerSession: number;
    maxFramesPerPage: number;
  };
  /** Hosts the browser may reach even though they are private (development). */
  egressAllowHosts: string[];
  /** Key sealing secrets and auth sessions at rest (WEBTASKS_SECRETS_KEY, 32 bytes base64 or hex). */
  secretsKey?: string;
  /** Upstream proxy of every task that sets none (WEBTASKS_PROXY). */
  proxy?: { server: string; username?: string; password?: string };
  /** Largest file one download may be; a worker holds it in memory (WEBTASKS_MAX_DOWNLOAD_BYTES). */
  maxDownloadBytes: number;
  /** Bytes one browser session may move through its egress proxy (WEBTASKS_MAX_TRANSFER_BYTES). */
  maxTransferBytes: number;
  trustProxy: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  shutdownTimeoutMs: number;
  /** Keep a Playwright trace of every run that does not say `debug.trace` (WEBTASKS_TRACE). */
  traceByDefault: boolean;
  /** Days completed tasks and run records are kept (WEBTASKS_RETENTION_DAYS, default 30). */
  retentionDays: number;
  /** Days per workspace (WEBTASKS_RETENTION_BY_WORKSPACE=ws_a:7,ws_b:90). */
  retentionByWorkspace: Record<string, number>;
  /** How often a worker reconciles the queue with the task store. */
  reconcileIntervalMs: number;
  /** Run-record writes and event-stream reads across processes (WEBTASKS_RUN_FLUSH_MS, WEBTASKS_EVENT_POLL_MS). */
  runs: { flushIntervalMs: number; eventPollMs: number };
  /** One line per renamed variable still in use, naming the new spelling (print them). */
  warnings: string[];
  /** Webhooks (docs/webhooks.md): default URL (WEBTASKS_WEBHOOK_URL), signing secrets. */
  webhooks: WebhookConfig;
}

/** The configuration is unusable; `problems` lists every variable to fix. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid webtasks configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Env = Record<string, string | undefined>;

/** Options of `loadConfig`. */
export interface LoadConfigOptions {
  /**
   * `server` (default): `webtasks serve` and the server binary, which need API keys.
   * `embedded`: `webtasks run`, `mcp` and `bundles import`: one process, no HTTP API.
   */
  mode?: 'server' | 'embedded';
  /** Reads `WEBTASKS_API_KEYS_FILE` (tests pass their own). */
  readTextFile?: (file: string) => string;
}

/**
 * Read the configuration from environment variables (the schema in env-schema.ts). Collects
 * every problem before failing, so one start tells the operator everything that is wrong;
 * renamed variables still work and leave a line in `warnings`.
 */
export function loadConfig(
  env: Env,
  readTextFileOrOptions: LoadConfigOptions['readTextFile'] | LoadConfigOptions = {},
): ServerConfig {
  const options =
    typeof readTextFileOrOptions === 'function'
      ? { readTextFile: readTextFileOrOptions }
      : readTextFileOrOptions;
  const mode = options.mode ?? 'server';
  const readTextFile = options.readTextFile ?? ((f: string) => readFileSync(f, 'utf8'));
  const { values: e, problems, warnings } = parseEnvironment(env);
  if (!e) throw new ConfigError(problems);

  const role = e.WEBTASKS_ROLE;
  if (mode === 'embedded' && role !== 'both')
    problems.push(
      `WEBTASKS_ROLE=${role} is for \`webtasks serve\`: \`webtasks run\` runs every part in one process (unset it)`,
    );
  const host = e.WEBTASKS_HOST ?? '127.0.0.1';
  const port = e.WEBTASKS_PORT;
  const dataDir = path.resolve(e.WEBTASKS_DATA_DIR ?? '.webtasks');
  const publicUrl = (
    e.WEBTASKS_PUBLIC_URL ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  ).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]/.test(publicUrl))
    problems.push(`WEBTASKS_PUBLIC_URL=${publicUrl} must be an absolute http(s) URL`);

  let store: ServerConfig['store'] = { kind: 'fs' };
  if (e.WEBTASKS_STORE === 'postgres') {
    const connectionString = e.WEBTASKS_POSTGRES_URL;
    if (connectionString === undefined)
      problems.push('WEBTASKS_STORE=postgres needs WEBTASKS_POSTGRES_URL (or DATABASE_URL)');
    const schema = e.WEBTASKS_POSTGRES_SCHEMA;
    store = { kind: 'postgres', connectionString: connectionString ?? '', ...(schema ? { schema } : {}) };
  }

  let blobs: ServerConfig['blobs'] = { kind: 'fs' };
  if (e.WEBTASKS_BLOBS === 's3') {
    const bucket = e.WEBTASKS_S3_BUCKET;
    if (bucket === undefined) problems.push('WEBTASKS_BLOBS=s3 needs WEBTASKS_S3_BUCKET');
    const region = e.WEBTASKS_S3_REGION;
    const endpoint = e.WEBTASKS_S3_ENDPOINT;
    const prefix = e.WEBTASKS_S3_PREFIX;
    blobs = {
      kind: 's3',
      bucket: bucket ?? '',
      forcePathStyle: e.WEBTASKS_S3_FORCE_PATH_STYLE,
      ...(region ? { region } : {}),
      ...(endpoint ? { endpoint } : {}),
      ...(prefix ? { prefix } : {}),
    };
  }

  const redisUrl = e.WEBTASKS_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redisPrefix = e.WEBTASKS_REDIS_PREFIX ?? 'webtasks';
  const locksKind = e.WEBTASKS_LOCKS;
  const queueKind = e.WEBTASKS_QUEUE;
  if (role !== 'both' && (locksKind === 'memory' || queueKind === 'memory')) {
    problems.push(
      `WEBTASKS_ROLE=${role} runs the API and the workers in separate processes, which cannot share in-memory locks or queues: set WEBTASKS_LOCKS=redis and WEBTASKS_QUEUE=bullmq, or WEBTASKS_ROLE=both`,
    );
  }

  const provider = e.WEBTASKS_MODEL_PROVIDER;
  const models = parseModels(e.WEBTASKS_MODELS, problems);
  let model: ServerConfig['model'];
  if (provider === 'anthropic') {
    const apiKey = e.ANTHROPIC_API_KEY;
    const baseUrl = e.ANTHROPIC_BASE_URL;
    // Without a key only saved code runs; tasks that need the agent are rejected.
    model = { provider, models, ...(apiKey ? { apiKey } : {}), ...(baseUrl ? { baseUrl } : {}) };
  } else {
    const apiKey = e.OPENAI_API_KEY;
    const baseUrl = e.OPENAI_BASE_URL;
    if (baseUrl === undefined && role !== 'api') {
      problems.push('WEBTASKS_MODEL_PROVIDER=openai needs OPENAI_BASE_URL (the server root ending in /v1)');
    }
    if (Object.keys(models).length === 0 && role !== 'api') {
      problems.push(
        'WEBTASKS_MODEL_PROVIDER=openai needs WEBTASKS_MODELS: the served model id (e.g. qwen3-coder), or {"haiku":…,"sonnet":…,"opus":…}',
      );
    }
    model = { provider, models, ...(apiKey ? { apiKey } : {}), ...(baseUrl ? { baseUrl } : {}) };
  }

  const apiKeys: ApiKeyEntry[] = [];
  const pairs = e.WEBTASKS_API_KEYS;
  if (pairs !== undefined) {
    try {
      apiKeys.push(...parseApiKeyPairs(pairs));
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  const keysFile = e.WEBTASKS_API_KEYS_FILE;
  if (keysFile !== undefined) {
    try {
      apiKeys.push(...parseApiKeysFile(readTextFile(keysFile), keysFile));
    } catch (error) {
      problems.push(`WEBTASKS_API_KEYS_FILE: ${(error as Error).message}`);
    }
  }
  if (
    mode === 'server' &&
    role !== 'worker' &&
    apiKeys.length === 0 &&
    !problems.some((p) => p.includes('API_KEYS'))
  ) {
    problems.push(
      'No API keys: set WEBTASKS_API_KEYS=workspace:key (development) or WEBTASKS_API_KEYS_FILE (production)',
    );
  }

  let proxy: ServerConfig['proxy'];
  const proxyText = e.WEBTASKS_PROXY;
  if (proxyText !== undefined) {
    const settings = proxySettingsFromUrl(proxyText);
    const checked = ProxySettingsSchema.safeParse(settings);
    if (checked.success) proxy = checked.data;
    else
      problems.push(
        `WEBTASKS_PROXY (${maskProxyUrl(settings)}): ${checked.error.issues.map((i) => i.message).join('; ')}`,
      );
  }
  const chromiumPath = e.WEBTASKS_CHROMIUM_PATH;
  const config: ServerConfig = {
    role,
    host,
    port,
    dataDir,
    publicUrl,
    store,
    blobs,
    locks:
      locksKind === 'redis'
        ? { kind: 'redis', url: redisUrl, prefix: `${redisPrefix}:` }
        : { kind: 'memory' },
    queue:
      queueKind === 'bullmq' ? { kind: 'bullmq', url: redisUrl, prefix: redisPrefix } : { kind: 'memory' },
    model,
    apiKeys,
    fileSecret: e.WEBTASKS_FILE_SECRET,
    bodyLimitBytes: e.WEBTASKS_BODY_LIMIT_BYTES,
    maxQueuedPerWorkspace: e.WEBTASKS_MAX_QUEUED_PER_WORKSPACE,
    maxConcurrentPerWorkspace: e.WEBTASKS_MAX_CONCURRENT_PER_WORKSPACE,
    maxWaitSeconds: e.WEBTASKS_MAX_WAIT_SECONDS,
    taskTimeoutMs: e.WEBTASKS_TASK_TIMEOUT_MS,
    // One task at a time in `webtasks run` (its own), unless the variable says otherwise.
    workerConcurrency:
      mode === 'embedded' && !env.WEBTASKS_WORKER_CONCURRENCY?.trim() ? 1 : e.WEBTASKS_WORKER_CONCURRENCY,
    sandboxWorkers:
      mode === 'embedded' && !env.WEBTASKS_SANDBOX_WORKERS?.trim() ? 1 : e.WEBTASKS_SANDBOX_WORKERS,
    ...(chromiumPath ? { chromiumPath } : {}),
    egressAllowHosts: e.WEBTASKS_EGRESS_ALLOW_HOSTS,
    runCaps: {
      maxConcurrentCalls: e.WEBTASKS_MAX_CONCURRENT_CALLS,
      maxReplyBytes: e.WEBTASKS_MAX_REPLY_BYTES,
      maxOutputBytes: e.WEBTASKS_MAX_OUTPUT_BYTES,
      maxPagesPerSession: e.WEBTASKS_MAX_PAGES_PER_SESSION,
      maxFramesPerPage: e.WEBTASKS_MAX_FRAMES_PER_PAGE,
    },
    ...(proxy ? { proxy } : {}),
    maxDownloadBytes: e.WEBTASKS_MAX_DOWNLOAD_BYTES,
    maxTransferBytes: e.WEBTASKS_MAX_TRANSFER_BYTES,
    trustProxy: e.WEBTASKS_TRUST_PROXY,
    logLevel: e.WEBTASKS_LOG_LEVEL,
    shutdownTimeoutMs: e.WEBTASKS_SHUTDOWN_TIMEOUT_MS,
    traceByDefault: e.WEBTASKS_TRACE,
    retentionDays: e.WEBTASKS_RETENTION_DAYS,
    retentionByWorkspace: parseRetention(e.WEBTASKS_RETENTION_BY_WORKSPACE, problems),
    reconcileIntervalMs: e.WEBTASKS_RECONCILE_INTERVAL_MS,
    runs: { flushIntervalMs: e.WEBTASKS_RUN_FLUSH_MS, eventPollMs: e.WEBTASKS_EVENT_POLL_MS },
    ...(e.WEBTASKS_SECRETS_KEY !== undefined ? { secretsKey: e.WEBTASKS_SECRETS_KEY } : {}),
    webhooks: parseWebhooks(e, problems),
    warnings,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
