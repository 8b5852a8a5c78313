import { z } from 'zod';

/**
 * ─── The environment of webtasks ─────────────────────────────────────────────────────────
 * One zod schema of every variable `webtasks serve`, the server binary and `webtasks run`
 * (and `mcp`, `bundles import`) read. `loadConfig` (config.ts) turns the parsed values into a
 * `ServerConfig`, `assemble` (assemble.ts) turns that into the engine. docs/configuration.md
 * is this table rendered (`renderVariableTable`); a test keeps them equal.
 * ──────────────────────────────────────────────────────────────────────────────────────────
 */

/** One documented variable. */
export interface EnvVariable {
  /** Parses the trimmed value (undefined when unset or blank). */
  schema: z.ZodType;
  /** The default as the table shows it. */
  default: string;
  /** What it does, for the table. */
  meaning: string;
}

const bool = z
  .string()
  .optional()
  .transform((value) => ['1', 'true', 'yes'].includes((value ?? '').toLowerCase()));

function oneOf<const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) {
  return z.enum(values, { error: `is not one of ${values.join(', ')}` }).default(fallback);
}

function int(fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) {
  return z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return fallback;
      const parsed = Number(value);
      if (Number.isInteger(parsed) && parsed >= min && parsed <= max) return parsed;
      ctx.addIssue({ code: 'custom', message: `must be a whole number between ${min} and ${max}` });
      return z.NEVER;
    });
}

const text = z.string().optional();
const list = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );

const v = <S extends z.ZodType>(schema: S, fallback: string, meaning: string) => ({
  schema,
  default: fallback,
  meaning,
});

/** Every variable, in the order of the table. */
export const ENV_VARIABLES = {
  WEBTASKS_ROLE: v(
    oneOf(['api', 'worker', 'both'], 'both'),
    '`both`',
    '`api` (HTTP only), `worker` (runs tasks; serves only health and files), `both`. `webtasks run` is always `both`',
  ),
  WEBTASKS_HOST: v(text, '`127.0.0.1`', 'where the server listens (`webtasks serve --host`)'),
  WEBTASKS_PORT: v(int(8080, 0, 65_535), '`8080`', 'its port (`webtasks serve --port`)'),
  WEBTASKS_PUBLIC_URL: v(
    text,
    '`http://HOST:PORT`',
    'how users reach the server; base of signed file URLs, listed in the OpenAPI document',
  ),
  WEBTASKS_DATA_DIR: v(
    text,
    '`./.webtasks`',
    'filesystem stores and the generated file secret (`--data-dir`)',
  ),
  WEBTASKS_STORE: v(oneOf(['fs', 'postgres'], 'fs'), '`fs`', '`fs` or `postgres` (bundles and task records)'),
  WEBTASKS_POSTGRES_URL: v(
    text,
    '—',
    'for `postgres` (`DATABASE_URL` is read when it is unset); migrations run on first use',
  ),
  WEBTASKS_POSTGRES_SCHEMA: v(text, '`webtasks`', 'the PostgreSQL schema'),
  WEBTASKS_BLOBS: v(
    oneOf(['fs', 's3'], 'fs'),
    '`fs`',
    '`fs` (served by the server under `/files/`) or `s3` (presigned URLs): result files and downloaded files',
  ),
  WEBTASKS_S3_BUCKET: v(text, '—', 'for `s3`; credentials come from the standard AWS environment'),
  WEBTASKS_S3_REGION: v(text, '`AWS_REGION`', "the bucket's region"),
  WEBTASKS_S3_ENDPOINT: v(text, '—', 'an S3-compatible server instead of AWS'),
  WEBTASKS_S3_FORCE_PATH_STYLE: v(bool, 'false', 'path-style URLs (most S3-compatible servers)'),
  WEBTASKS_S3_PREFIX: v(text, '—', 'prefix of every object key'),
  WEBTASKS_LOCKS: v(oneOf(['memory', 'redis'], 'memory'), '`memory`', '`memory` or `redis`'),
  WEBTASKS_QUEUE: v(
    oneOf(['memory', 'bullmq'], 'memory'),
    '`memory`',
    '`memory` or `bullmq` (`api`/`worker` roles need `redis` + `bullmq`)',
  ),
  WEBTASKS_REDIS_URL: v(text, '`redis://127.0.0.1:6379`', 'for `redis` and `bullmq`'),
  WEBTASKS_REDIS_PREFIX: v(text, '`webtasks`', 'prefix of every Redis key'),
  WEBTASKS_MODEL_PROVIDER: v(
    oneOf(['anthropic', 'openai'], 'anthropic'),
    '`anthropic`',
    '`anthropic` or `openai` (any OpenAI-compatible server)',
  ),
  ANTHROPIC_API_KEY: v(
    text,
    '—',
    'enables exploring and repairing; without a model only saved code runs, and a task that needs the agent fails at once, `rejected`, naming this variable',
  ),
  ANTHROPIC_BASE_URL: v(text, '—', 'another Messages API origin (a gateway, or a fake in tests)'),
  OPENAI_BASE_URL: v(text, '—', 'for `openai`: the server root, ending in `/v1`'),
  OPENAI_API_KEY: v(text, '—', 'for `openai`, if the server wants one'),
  WEBTASKS_MODELS: v(
    text,
    'provider defaults',
    'one model id for every alias, or `{"haiku":"…","sonnet":"…","opus":"…"}` (required for `openai`)',
  ),
  WEBTASKS_API_KEYS: v(
    text,
    '—',
    'server, development: comma-separated `workspaceId:apiKey` pairs (hashed at startup)',
  ),
  WEBTASKS_API_KEYS_FILE: v(text, '—', 'server, production: the hashed keys file (both may be set)'),
  WEBTASKS_FILE_SECRET: v(
    z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
    'generated',
    'HMAC secret of signed file URLs (≥ 16 chars); when unset, one is generated and kept in `DATA_DIR/file-secret`',
  ),
  WEBTASKS_SECRETS_KEY: v(
    z
      .string()
      .refine((key) => /^[0-9a-fA-F]{64}$/.test(key) || Buffer.from(key, 'base64').byteLength === 32, {
        error: 'must be 32 random bytes as base64 or 64 hex digits (make one with: openssl rand -base64 32)',
      })
      .optional(),
    '—',
    'key that seals workspace secrets and auth sessions at rest (AES-256-GCM); 32 bytes as base64 or 64 hex digits. Without it, stored secrets cannot be set or read (request `secrets` still work)',
  ),
  WEBTASKS_BODY_LIMIT_BYTES: v(
    int(1024 * 1024, 1024, 64 * 1024 * 1024),
    '1048576',
    'largest request body (413 above)',
  ),
  WEBTASKS_MAX_QUEUED_PER_WORKSPACE: v(int(1000, 1), '1000', 'pending tasks per workspace before 429'),
  WEBTASKS_MAX_CONCURRENT_PER_WORKSPACE: v(int(10, 1), '10', 'tasks running at once per workspace'),
  WEBTASKS_MAX_WAIT_SECONDS: v(int(60, 1, 600), '60', 'longest long-poll honoured'),
  WEBTASKS_TASK_TIMEOUT_MS: v(
    int(10 * 60 * 1000, 1000),
    '600000',
    'per-task timeout (`webtasks run --timeout SECONDS`)',
  ),
  WEBTASKS_WORKER_CONCURRENCY: v(int(10, 1, 1000), '10 (`run`: 1)', 'tasks one worker process runs at once'),
  WEBTASKS_SANDBOX_WORKERS: v(int(2, 1, 64), '2 (`run`: 1)', 'isolate child processes'),
  WEBTASKS_CHROMIUM_PATH: v(
    text,
    'found',
    "the browser; unset: `/usr/bin/chromium`, else Playwright's browser cache",
  ),
  WEBTASKS_EGRESS_ALLOW_HOSTS: v(
    list,
    '—',
    'comma-separated private hosts the browser may reach anyway, e.g. `127.0.0.1:8080` (`--allow-host`, added to these)',
  ),
  WEBTASKS_PROXY: v(
    text,
    '—',
    'upstream proxy of every task that sets no `proxy` field: `http://user:pass@host:port`, `https://…` or `socks5://…` (the password is never logged)',
  ),
  WEBTASKS_MAX_DOWNLOAD_BYTES: v(
    int(512 * 1024 ** 2, 1024),
    '536870912 (512 MiB)',
    "largest file one download may be; the worker holds a file in memory until it is stored, so this bounds a download's memory (a larger `Content-Length` or file is refused before it is read)",
  ),
  WEBTASKS_MAX_TRANSFER_BYTES: v(
    int(4 * 1024 ** 3, 1024 * 1024),
    '4294967296 (4 GiB)',
    'bytes one browser session may move through its egress proxy, counted while they stream; past it every connection of the session is cut',
  ),
  WEBTASKS_MAX_CONCURRENT_CALLS: v(
    int(64, 1, 100_000),
    '64',
    'bridged calls (page, locator, files, ai) one run may have waiting at once; the next ends the run with `too-many-calls`',
  ),
  WEBTASKS_MAX_REPLY_BYTES: v(
    int(8 * 1024 * 1024, 1024),
    '8388608 (8 MiB)',
    'largest reply of one bridged call; an `evaluate`/`$eval`/`$$eval` result is measured and refused in the page (`budget-exhausted`)',
  ),
  WEBTASKS_MAX_OUTPUT_BYTES: v(int(32 * 1024 * 1024, 1024), '33554432 (32 MiB)', 'largest output of one run'),
  WEBTASKS_MAX_PAGES_PER_SESSION: v(
    int(20, 1, 10_000),
    '20',
    'pages one browser session may have open; extra popups are closed (`budget-exhausted`)',
  ),
  WEBTASKS_MAX_FRAMES_PER_PAGE: v(
    int(200, 1, 100_000),
    '200',
    'frames one page may have (nested too); past it the session is closed (`budget-exhausted`)',
  ),
  WEBTASKS_TRUST_PROXY: v(bool, 'false', 'trust `x-forwarded-*`'),
  WEBTASKS_LOG_LEVEL: v(
    oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    '`info`',
    'pino level; logs are JSON lines on stdout',
  ),
  WEBTASKS_SHUTDOWN_TIMEOUT_MS: v(
    int(30_000, 0),
    '30000',
    'time running tasks get to finish on SIGTERM/SIGINT',
  ),
  WEBTASKS_TRACE: v(
    bool,
    'false',
    'keep a Playwright trace of every run whose request does not set `debug.trace`',
  ),
  WEBTASKS_RETENTION_DAYS: v(
    int(30, 1, 3650),
    '30',
    'days completed tasks, run records and their artifacts are kept (workers sweep hourly)',
  ),
  WEBTASKS_RETENTION_BY_WORKSPACE: v(text, '—', 'days per workspace, e.g. `ws_a:7,ws_b:90`'),
  WEBTASKS_RECONCILE_INTERVAL_MS: v(
    int(30_000, 100),
    '30000',
    'how often workers re-enqueue tasks the queue lost (see docs/deployment.md)',
  ),
  WEBTASKS_RUN_FLUSH_MS: v(
    int(250, 10, 60_000),
    '250',
    "how long a running task's events gather before its run record is written (what another process's event stream replays, and reads when a pushed event is missing)",
  ),
  WEBTASKS_EVENT_POLL_MS: v(
    int(500, 20, 60_000),
    '500',
    'how often an event stream (`GET …/events`) reads the run record of a task another process runs. With `WEBTASKS_STORE=postgres` the worker also pushes each event at once (LISTEN/NOTIFY) and this read is the fallback; without the push, this plus the flush above is the live-event delay of a split deployment (docs/deployment.md)',
  ),
  WEBTASKS_WEBHOOK_SECRET: v(
    text,
    '—',
    "secret (≥ 16 characters) that signs webhooks (docs/webhooks.md); without it a request's `webhook` is refused",
  ),
  WEBTASKS_WEBHOOK_SECRETS: v(
    text,
    '—',
    'per-workspace secrets, `ws_a:secret,ws_b:secret`, used before `WEBTASKS_WEBHOOK_SECRET`',
  ),
  WEBTASKS_WEBHOOK_URL: v(text, '—', 'webhook of every task whose request names none (needs a secret)'),
} as const satisfies Record<string, EnvVariable>;

export type EnvVariableName = keyof typeof ENV_VARIABLES;

/**
 * Older spellings, still read with a one-line warning naming the new one (`set` also sets
 * further variables the old spelling implied). Read only when the new variable is unset.
 */
export const RENAMED_VARIABLES: Record<
  string,
  { use: EnvVariableName; set?: Partial<Record<EnvVariableName, string>> }
> = {
  WEBTASKS_OPENAI_BASE_URL: { use: 'OPENAI_BASE_URL', set: { WEBTASKS_MODEL_PROVIDER: 'openai' } },
  WEBTASKS_OPENAI_MODEL: { use: 'WEBTASKS_MODELS' },
  WEBTASKS_OPENAI_API_KEY: { use: 'OPENAI_API_KEY' },
  WEBTASKS_ANTHROPIC_BASE_URL: { use: 'ANTHROPIC_BASE_URL' },
};

/** Conventional names read, without a warning, when the webtasks variable is unset. */
export const FALLBACK_VARIABLES: Record<string, EnvVariableName> = {
  DATABASE_URL: 'WEBTASKS_POSTGRES_URL',
  AWS_REGION: 'WEBTASKS_S3_REGION',
};

/** Variables that are gone, and what to do instead (an error, so nothing is silently ignored). */
export const REMOVED_VARIABLES: Record<string, string> = {
  WEBTASKS_RETAIN_COMPLETED_DAYS:
    'is replaced by WEBTASKS_RETENTION_DAYS (days completed tasks, their run records and artifacts are kept; default 30): rename the variable.',
};

/** The schema: every variable optional, parsed from its trimmed text. */
export const EnvironmentSchema = z.object(
  Object.fromEntries(Object.entries(ENV_VARIABLES).map(([name, variable]) => [name, variable.schema])) as {
    [K in EnvVariableName]: (typeof ENV_VARIABLES)[K]['schema'];
  },
);
export type Environment = z.output<typeof EnvironmentSchema>;

/** Variables whose values never appear in messages. */
const SECRET_VARIABLES = new Set([
  'ANTHROPIC_API_KEY',
  'OPENAI_API_KEY',
  'WEBTASKS_OPENAI_API_KEY',
  'WEBTASKS_FILE_SECRET',
  'WEBTASKS_SECRETS_KEY',
  'WEBTASKS_WEBHOOK_SECRET',
  'WEBTASKS_WEBHOOK_SECRETS',
  'WEBTASKS_API_KEYS',
]);

/** `NAME=value` for a message, or only `NAME` when the value may hold a secret. */
export function shown(name: string, value: string | undefined): string {
  return value === undefined || SECRET_VARIABLES.has(name) || value.includes('@') ? name : `${name}=${value}`;
}

/** What `parseEnvironment` found: the values, and problems and warnings naming variables as typed. */
export interface ParsedEnvironment {
  values: Environment | undefined;
  problems: string[];
  warnings: string[];
}

/**
 * Parse an environment: renamed spellings are read (with a warning) when the new one is
 * unset, blanks count as unset, and every problem names its variable and value.
 */
export function parseEnvironment(env: Record<string, string | undefined>): ParsedEnvironment {
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const input: Record<string, string | undefined> = {};
  for (const name of Object.keys(ENV_VARIABLES)) input[name] = get(name);
  const warnings: string[] = [];
  const problems: string[] = [];
  // Messages name a variable as the user typed it (the old spelling, when that was read).
  const typedAs: Record<string, string> = {};
  for (const [old, { use, set }] of Object.entries(RENAMED_VARIABLES)) {
    const value = get(old);
    if (value === undefined) continue;
    const implied = Object.entries(set ?? {}).filter(([name]) => input[name] === undefined);
    warnings.push(
      `${old} is deprecated: use ${[`${use}`, ...implied.map(([name, to]) => `${name}=${to}`)].join(' and ')}${input[use] !== undefined ? ` (${use} is set and wins)` : ''}.`,
    );
    if (input[use] !== undefined) continue;
    input[use] = value;
    typedAs[use] = old;
    for (const [name, to] of implied) input[name] = to;
  }
  for (const [conventional, name] of Object.entries(FALLBACK_VARIABLES)) {
    if (input[name] !== undefined || get(conventional) === undefined) continue;
    input[name] = get(conventional);
    typedAs[name] = conventional;
  }
  for (const [name, instead] of Object.entries(REMOVED_VARIABLES))
    if (get(name) !== undefined) problems.push(`${name} ${instead}`);
  const parsed = EnvironmentSchema.safeParse(input);
  if (parsed.success) return { values: parsed.data, problems, warnings };
  // Report these, then read the rest with the bad ones at their defaults, so the checks
  // between variables still run and one start lists every problem.
  const fallback = { ...input };
  for (const issue of parsed.error.issues) {
    const name = String(issue.path[0]);
    problems.push(`${shown(typedAs[name] ?? name, input[name])} ${issue.message}`);
    fallback[name] = undefined;
  }
  const rest = EnvironmentSchema.safeParse(fallback);
  return { values: rest.success ? rest.data : undefined, problems, warnings };
}

/** The markdown table of every variable (docs/configuration.md holds it verbatim). */
export function renderVariableTable(): string {
  const rows = Object.entries(ENV_VARIABLES).map(
    ([name, variable]) => `| \`${name}\` | ${variable.default} | ${variable.meaning} |`,
  );
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

/** The markdown table of older and conventional spellings. */
export function renderAliasTable(): string {
  const rows = [
    ...Object.entries(RENAMED_VARIABLES).map(
      ([old, { use, set }]) =>
        `| \`${old}\` | \`${use}\`${Object.entries(set ?? {})
          .map(([name, to]) => ` and \`${name}=${to}\``)
          .join('')} | deprecated: read with a warning |`,
    ),
    ...Object.entries(FALLBACK_VARIABLES).map(
      ([conventional, name]) => `| \`${conventional}\` | \`${name}\` | read when \`${name}\` is unset |`,
    ),
    ...Object.keys(REMOVED_VARIABLES).map(
      (name) => `| \`${name}\` | \`WEBTASKS_RETENTION_DAYS\` | removed: an error |`,
    ),
  ];
  return ['| spelling | instead | how it is read |', '| --- | --- | --- |', ...rows].join('\n');
}
