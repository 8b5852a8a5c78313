import {
  MODEL_ALIASES,
  maskProxyUrl,
  ProxySettingsSchema,
  proxySettingsFromUrl,
  REUSE_KEY_PATTERN,
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
} as const satisfies FlagSpec;

/** Build and validate a start request from the task argument and the flags. */
export function buildStartRequest(flags: ParsedFlags, cwd: string, command: string): StartRequest {
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
  const request: StartRequest = {
    task,
    ...(startUrl !== undefined ? { startUrl } : {}),
    ...(parameters !== undefined ? { parameters } : {}),
    ...(schema !== undefined ? { outputSchema: readSchema(schema, cwd) } : {}),
    ...(reuseKey !== undefined ? { reuseKey } : {}),
    ...(model !== undefined ? { model: model as StartRequest['model'] } : {}),
    ...(proxy ? { proxy } : {}),
    ...(flags.boolean('trace') ? { debug: { trace: true } } : {}),
  };
  const checked = StartRequestSchema.safeParse(request);
  if (!checked.success) {
    // Messages never quote values, so a proxy password cannot appear here.
    const issues = checked.error.issues.map((issue) => issue.message).join('; ');
    throw usageError(`The task request is invalid: ${issues}.`, command);
  }
  return request;
}
