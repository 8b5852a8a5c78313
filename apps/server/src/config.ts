import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type ApiKeyEntry, parseApiKeyPairs, parseApiKeysFile } from './api-keys.js';

/** Which parts this process runs. */
export type ServerRole = 'api' | 'worker' | 'both';

/** Everything `main.ts` needs, read from environment variables (see README for each one). */
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
  chromiumPath: string;
  sandboxWorkers: number;
  /** Hosts the browser may reach even though they are private (development). */
  egressAllowHosts: string[];
  trustProxy: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  shutdownTimeoutMs: number;
}

/** The configuration is unusable; `problems` lists every variable to fix. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid webtasks server configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Env = Record<string, string | undefined>;

/**
 * Read the configuration from environment variables. Collects every problem before failing,
 * so one start tells the operator everything that is wrong.
 */
export function loadConfig(
  env: Env,
  readTextFile: (file: string) => string = (f) => readFileSync(f, 'utf8'),
): ServerConfig {
  const problems: string[] = [];
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = get(name) ?? fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push(`${name}=${value} is not one of ${allowed.join(', ')}`);
    return fallback;
  };
  const int = (name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const value = get(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (Number.isInteger(parsed) && parsed >= min && parsed <= max) return parsed;
    problems.push(`${name}=${value} must be a whole number between ${min} and ${max}`);
    return fallback;
  };
  const bool = (name: string): boolean => ['1', 'true', 'yes'].includes((get(name) ?? '').toLowerCase());

  const role = oneOf('WEBTASKS_ROLE', ['api', 'worker', 'both'] as const, 'both');
  const host = get('WEBTASKS_HOST') ?? '127.0.0.1';
  const port = int('WEBTASKS_PORT', 8080, 0, 65_535);
  const dataDir = path.resolve(get('WEBTASKS_DATA_DIR') ?? '.webtasks');
  const publicUrl = (
    get('WEBTASKS_PUBLIC_URL') ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  ).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]/.test(publicUrl))
    problems.push(`WEBTASKS_PUBLIC_URL=${publicUrl} must be an absolute http(s) URL`);

  const storeKind = oneOf('WEBTASKS_STORE', ['fs', 'postgres'] as const, 'fs');
  let store: ServerConfig['store'] = { kind: 'fs' };
  if (storeKind === 'postgres') {
    const connectionString = get('WEBTASKS_POSTGRES_URL') ?? get('DATABASE_URL');
    if (connectionString === undefined)
      problems.push('WEBTASKS_STORE=postgres needs WEBTASKS_POSTGRES_URL (or DATABASE_URL)');
    const schema = get('WEBTASKS_POSTGRES_SCHEMA');
    store = { kind: 'postgres', connectionString: connectionString ?? '', ...(schema ? { schema } : {}) };
  }

  const blobsKind = oneOf('WEBTASKS_BLOBS', ['fs', 's3'] as const, 'fs');
  let blobs: ServerConfig['blobs'] = { kind: 'fs' };
  if (blobsKind === 's3') {
    const bucket = get('WEBTASKS_S3_BUCKET');
    if (bucket === undefined) problems.push('WEBTASKS_BLOBS=s3 needs WEBTASKS_S3_BUCKET');
    const region = get('WEBTASKS_S3_REGION') ?? get('AWS_REGION');
    const endpoint = get('WEBTASKS_S3_ENDPOINT');
    const prefix = get('WEBTASKS_S3_PREFIX');
    blobs = {
      kind: 's3',
      bucket: bucket ?? '',
      forcePathStyle: bool('WEBTASKS_S3_FORCE_PATH_STYLE'),
      ...(region ? { region } : {}),
      ...(endpoint ? { endpoint } : {}),
      ...(prefix ? { prefix } : {}),
    };
  }

  const redisUrl = get('WEBTASKS_REDIS_URL') ?? 'redis://127.0.0.1:6379';
  const redisPrefix = get('WEBTASKS_REDIS_PREFIX') ?? 'webtasks';
  const locksKind = oneOf('WEBTASKS_LOCKS', ['memory', 'redis'] as const, 'memory');
  const queueKind = oneOf('WEBTASKS_QUEUE', ['memory', 'bullmq'] as const, 'memory');
  if (role !== 'both' && (locksKind === 'memory' || queueKind === 'memory')) {
    problems.push(
      `WEBTASKS_ROLE=${role} runs the API and the workers in separate processes, which cannot share in-memory locks or queues: set WEBTASKS_LOCKS=redis and WEBTASKS_QUEUE=bullmq, or WEBTASKS_ROLE=both`,
    );
  }

  const provider = oneOf('WEBTASKS_MODEL_PROVIDER', ['anthropic', 'openai'] as const, 'anthropic');
  const models = parseModels(get('WEBTASKS_MODELS'), problems);
  let model: ServerConfig['model'];
  if (provider === 'anthropic') {
    const apiKey = get('ANTHROPIC_API_KEY');
    const baseUrl = get('ANTHROPIC_BASE_URL');
    if (apiKey === undefined && role !== 'api') {
      problems.push(
        'WEBTASKS_MODEL_PROVIDER=anthropic needs ANTHROPIC_API_KEY on workers (the agent calls the model)',
      );
    }
    model = { provider, models, ...(apiKey ? { apiKey } : {}), ...(baseUrl ? { baseUrl } : {}) };
  } else {
    const apiKey = get('OPENAI_API_KEY');
    const baseUrl = get('OPENAI_BASE_URL');
    if (baseUrl === undefined && role !== 'api') {
      problems.push('WEBTASKS_MODEL_PROVIDER=openai needs OPENAI_BASE_URL (the server root ending in /v1)');
    }
    if (Object.keys(models).length === 0 && role !== 'api') {
      problems.push(
        'WEBTASKS_MODEL_PROVIDER=openai needs WEBTASKS_MODELS: the served model id, or {"haiku":…,"sonnet":…,"opus":…}',
      );
    }
    model = { provider, models, ...(apiKey ? { apiKey } : {}), ...(baseUrl ? { baseUrl } : {}) };
  }

  const apiKeys: ApiKeyEntry[] = [];
  const pairs = get('WEBTASKS_API_KEYS');
  if (pairs !== undefined) {
    try {
      apiKeys.push(...parseApiKeyPairs(pairs));
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  const keysFile = get('WEBTASKS_API_KEYS_FILE');
  if (keysFile !== undefined) {
    try {
      apiKeys.push(...parseApiKeysFile(readTextFile(keysFile), keysFile));
    } catch (error) {
      problems.push(`WEBTASKS_API_KEYS_FILE: ${(error as Error).message}`);
    }
  }
  if (role !== 'worker' && apiKeys.length === 0 && !problems.some((p) => p.includes('API_KEYS'))) {
    problems.push(
      'No API keys: set WEBTASKS_API_KEYS=workspace:key (development) or WEBTASKS_API_KEYS_FILE (production)',
    );
  }

  const fileSecret = get('WEBTASKS_FILE_SECRET');
  if (fileSecret !== undefined && fileSecret.length < 16)
    problems.push('WEBTASKS_FILE_SECRET must be at least 16 characters');

  const allow = get('WEBTASKS_EGRESS_ALLOW_HOSTS');
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
    fileSecret,
    bodyLimitBytes: int('WEBTASKS_BODY_LIMIT_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    maxQueuedPerWorkspace: int('WEBTASKS_MAX_QUEUED_PER_WORKSPACE', 1000, 1),
    maxConcurrentPerWorkspace: int('WEBTASKS_MAX_CONCURRENT_PER_WORKSPACE', 10, 1),
    maxWaitSeconds: int('WEBTASKS_MAX_WAIT_SECONDS', 60, 1, 600),
    taskTimeoutMs: int('WEBTASKS_TASK_TIMEOUT_MS', 10 * 60 * 1000, 1000),
    workerConcurrency: int('WEBTASKS_WORKER_CONCURRENCY', 10, 1, 1000),
    chromiumPath: get('WEBTASKS_CHROMIUM_PATH') ?? '/usr/bin/chromium',
    sandboxWorkers: int('WEBTASKS_SANDBOX_WORKERS', 2, 1, 64),
    egressAllowHosts:
      allow === undefined
        ? []
        : allow
            .split(',')
            .map((h) => h.trim())
            .filter(Boolean),
    trustProxy: bool('WEBTASKS_TRUST_PROXY'),
    logLevel: oneOf(
      'WEBTASKS_LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
      'info',
    ),
    shutdownTimeoutMs: int('WEBTASKS_SHUTDOWN_TIMEOUT_MS', 30_000, 0),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** `WEBTASKS_MODELS`: one model id for every alias, or JSON `{"haiku": "...", ...}`. */
function parseModels(value: string | undefined, problems: string[]): Record<string, string> {
  if (value === undefined) return {};
  if (!value.startsWith('{')) return { haiku: value, sonnet: value, opus: value };
  try {
    const parsed = JSON.parse(value) as Record<string, unknown>;
    const entries = Object.entries(parsed).filter(([alias]) => ['haiku', 'sonnet', 'opus'].includes(alias));
    if (entries.some(([, id]) => typeof id !== 'string') || entries.length !== Object.keys(parsed).length)
      throw new Error();
    return Object.fromEntries(entries) as Record<string, string>;
  } catch {
    problems.push('WEBTASKS_MODELS must be a model id or JSON like {"haiku":"id","sonnet":"id","opus":"id"}');
    return {};
  }
}
