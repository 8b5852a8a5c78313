import {
  AUTH_SESSION_NAME_PATTERN,
  MODEL_ALIASES,
  maskProxyUrl,
  ProxySettingsSchema,
  proxySettingsFromUrl,
  REUSE_KEY_PATTERN,
  SECRET_NAME_PATTERN,
  type StartRequest,
  StartRequestSchema,
} from '@webtasks/protocol';
import { usageError } from './exit-codes.js';
import { type FlagSpec, type ParsedFlags, parseParameters, readSchema } from './flags.js';

/** Flags describing a task, shared by `run` and `start`. */
export const TASK_FLAGS = {
  'start-url': { type: 'string' },
  params: { type: 'string' },
  param: { type: 'string', multiple: true },
  schema: { type: 'string' },
  'reuse-key': { type: 'string' },
  model: { type: 'string' },
  proxy: { type: 'string' },
  trace: { type: 'boolean' },
  secret: { type: 'string', multiple: true },
  'auth-session': { type: 'string' },
} as const satisfies FlagSpec;

/**
 * `--secret NAME=VALUE` and `--secret NAME` (the value read from the environment variable
 * NAME, so it stays out of the shell history). Errors name the flag and the secret, never a value.
 */
export function parseSecretFlags(
  pairs: string[],
  env: Readonly<Record<string, string | undefined>>,
  command: string,
): Record<string, string> | undefined {
  if (pairs.length === 0) return undefined;
  const secrets: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    if (name === '')
      throw usageError(
        '--secret needs a name: --secret NAME=VALUE, or --secret NAME to read the value from the environment variable NAME.',
        command,
      );
    if (!SECRET_NAME_PATTERN.test(name))
      throw usageError(
        `--secret ${JSON.stringify(name.slice(0, 80))}: a secret name is a letter or "_" then up to 63 letters, digits or "_" (code reads it as ctx.secrets.NAME).`,
        command,
      );
    if (Object.hasOwn(secrets, name)) throw usageError(`--secret ${name} is given twice.`, command);
    const value = eq < 0 ? env[name] : pair.slice(eq + 1);
    if (value === undefined)
      throw usageError(
        `--secret ${name} reads the environment variable ${name}, which is not set: export ${name}=… first, or pass --secret ${name}=VALUE.`,
        command,
      );
    secrets[name] = value;
  }
  return secrets;
}

/** Build and validate a start request from the task argument and the flags. */
export function buildStartRequest(
  flags: ParsedFlags,
  cwd: string,
  command: string,
  env: Readonly<Record<string, string | undefined>>,
): StartRequest {
  const task = flags.positionals[0];
  if (task === undefined || task.trim() === '') {
    throw usageError(
      `Missing the task: webtasks ${command} "Collect every company in the directory" …`,
      command,
    );
  }
  const model = flags.string('model');
  if (model !== undefined && !(MODEL_ALIASES as readonly string[]).includes(model)) {
    throw usageError(
      `--model must be one of ${MODEL_ALIASES.join(', ')}, got ${JSON.stringify(model)}.`,
      command,
    );
  }
  const reuseKey = flags.string('reuse-key');
  if (reuseKey !== undefined && !REUSE_KEY_PATTERN.test(reuseKey)) {
    throw usageError(
      `--reuse-key must be 1..128 characters of letters, digits, ".", "_", ":" or "-", got ${JSON.stringify(reuseKey)}.`,
      command,
    );
  }
  const parameters = parseParameters(flags.string('params'), flags.list('param'));
  const schema = flags.string('schema');
  const startUrl = flags.string('start-url');
  const proxyText = flags.string('proxy');
  const proxy = proxyText === undefined ? undefined : proxySettingsFromUrl(proxyText);
  if (proxy) {
    const checked = ProxySettingsSchema.safeParse(proxy);
    if (!checked.success)
      throw usageError(
        `--proxy ${maskProxyUrl(proxy)}: ${checked.error.issues.map((issue) => issue.message).join('; ')} (write it as http://user:pass@host:port, https://… or socks5://…).`,
        command,
      );
  }
  const secrets = parseSecretFlags(flags.list('secret'), env, command);
  const authSession = flags.string('auth-session');
  if (authSession !== undefined && !AUTH_SESSION_NAME_PATTERN.test(authSession))
    throw usageError(
      `--auth-session ${JSON.stringify(authSession.slice(0, 80))}: a session name is a letter or "_" then up to 63 letters, digits or "_" (import one with webtasks auth import NAME state.json).`,
      command,
    );
  const request: StartRequest = {
    task,
    ...(startUrl !== undefined ? { startUrl } : {}),
    ...(parameters !== undefined ? { parameters } : {}),
    ...(schema !== undefined ? { outputSchema: readSchema(schema, cwd) } : {}),
    ...(reuseKey !== undefined ? { reuseKey } : {}),
    ...(model !== undefined ? { model: model as StartRequest['model'] } : {}),
    ...(proxy ? { proxy } : {}),
    ...(flags.boolean('trace') ? { debug: { trace: true } } : {}),
    ...(secrets ? { secrets } : {}),
    ...(authSession !== undefined ? { auth: { session: authSession } } : {}),
  };
  const checked = StartRequestSchema.safeParse(request);
  if (!checked.success) {
    // Messages never quote values, so a proxy password or a secret cannot appear here.
    const issues = checked.error.issues.map((issue) => issue.message).join('; ');
    throw usageError(`The task request is invalid: ${issues}.`, command);
  }
  return request;
}
