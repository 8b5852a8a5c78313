import { z } from 'zod';
import { RequestAuthSchema } from './auth-sessions.js';
import { jsonValueDepth, MAX_JSON_DEPTH } from './json-depth.js';
import { checkJsonSchema } from './json-schema.js';
import { RequestSecretsSchema } from './secrets.js';

/** Largest task text accepted, in characters. */
export const MAX_TASK_LENGTH = 10_000;
/** A reuse key: 1..128 characters of letters, digits and `._:-`. */
export const REUSE_KEY_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
/** Model aliases a caller may ask for. */
export const MODEL_ALIASES = ['haiku', 'sonnet', 'opus'] as const;
export type ModelAlias = (typeof MODEL_ALIASES)[number];

const httpUrl = z
  .string()
  .max(4096, 'startUrl is longer than 4096 characters')
  .refine(
    (value) => {
      try {
        const url = new URL(value);
        return url.protocol === 'http:' || url.protocol === 'https:';
      } catch {
        return false;
      }
    },
    { message: 'startUrl must be an absolute http:// or https:// URL' },
  );

/** Schemes an upstream proxy may use. */
export const PROXY_SCHEMES = ['http:', 'https:', 'socks5:'] as const;

function proxyServerProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'proxy.server must be a URL such as http://proxy.example:3128 or socks5://proxy.example:1080';
  }
  if (!(PROXY_SCHEMES as readonly string[]).includes(url.protocol))
    return `proxy.server uses ${url.protocol}; use http://, https:// or socks5://`;
  if (url.username || url.password)
    return 'proxy.server must not carry credentials: pass them as proxy.username and proxy.password';
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash)
    return 'proxy.server must be only scheme, host and port (no path or query)';
  return undefined;
}

/** An upstream proxy for the task's browser traffic. */
export const ProxySettingsSchema = z
  .object({
    server: z
      .string({ error: 'proxy.server is required: the proxy URL, e.g. http://proxy.example:3128' })
      .max(2048, 'proxy.server is longer than 2048 characters')
      .superRefine((value, ctx) => {
        const problem = proxyServerProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    username: z.string().min(1, 'proxy.username must not be empty').max(256).optional(),
    password: z.string().max(1024, 'proxy.password is longer than 1024 characters').optional(),
  })
  .strict()
  .refine((proxy) => proxy.password === undefined || proxy.username !== undefined, {
    message: 'proxy.password needs proxy.username',
    path: ['username'],
  });
export type ProxySettingsInput = z.input<typeof ProxySettingsSchema>;

/**
 * A proxy written as one URL (`http://user:pass@host:port`, as in `--proxy` or
 * `WEBTASKS_PROXY`) split into the request's `proxy` object; credentials are percent-decoded.
 * Text that is not a URL comes back as `server` (the schema then says what is wrong).
 */
export function proxySettingsFromUrl(text: string): ProxySettingsInput {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { server: text };
  }
  const username = url.username ? decodeURIComponent(url.username) : undefined;
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  url.username = '';
  url.password = '';
  const server =
    (url.pathname === '/' || url.pathname === '') && !url.search && !url.hash
      ? url.href.replace(/\/$/, '')
      : url.href;
  return {
    server,
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
  };
}

/** The proxy as it may be shown (logs, errors): its password replaced by `***`. */
export function maskProxyUrl(proxy: { server: string; username?: string }): string {
  return proxy.username ? proxy.server.replace('://', `://${proxy.username}:***@`) : proxy.server;
}

/** Where the final result is POSTed when the task completes. */
export const WebhookSettingsSchema = z
  .object(
    {
      url: z
        .string({ error: 'webhook.url is required: the https:// URL that receives the result' })
        .max(2048, 'webhook.url is longer than 2048 characters')
        .refine(
          (value) => {
            try {
              const url = new URL(value);
              return (
                (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password
              );
            } catch {
              return false;
            }
          },
          { message: 'webhook.url must be an absolute http:// or https:// URL without credentials' },
        ),
    },
    { error: 'webhook must be an object such as {"url": "https://example.com/hook"}' },
  )
  .strict();

/** Schema of `POST /{workspaceId}/web-tasks/start` bodies and of embedded `start()` calls. */
export const StartRequestSchema = z
  .object({
    task: z
      .string({ error: 'task is required: describe the job in plain language' })
      .min(1, 'task must not be empty')
      .max(MAX_TASK_LENGTH, `task is longer than ${MAX_TASK_LENGTH} characters`),
    startUrl: httpUrl.optional(),
    parameters: z
      .record(z.string(), z.unknown(), { error: 'parameters must be a JSON object' })
      .superRefine((parameters, ctx) => {
        if (jsonValueDepth(parameters, MAX_JSON_DEPTH) > MAX_JSON_DEPTH)
          ctx.addIssue({
            code: 'custom',
            message: `parameters are nested more than ${MAX_JSON_DEPTH} levels deep: flatten them`,
          });
      })
      .optional(),
    outputSchema: z
      .unknown()
      .superRefine((schema, ctx) => {
        if (schema === undefined) return;
        const check = checkJsonSchema(schema);
        if (!check.ok)
          ctx.addIssue({
            code: 'custom',
            message: `outputSchema is not a valid JSON Schema 2020-12: ${check.message}`,
          });
      })
      .optional(),
    reuseKey: z
      .string()
      .regex(REUSE_KEY_PATTERN, 'reuseKey must be 1..128 characters of letters, digits, ".", "_", ":" or "-"')
      .optional(),
    model: z.enum(MODEL_ALIASES, { error: 'model must be one of haiku, sonnet, opus' }).optional(),
    debug: z
      .object(
        {
          trace: z.boolean({ error: 'debug.trace must be true or false' }).optional(),
        },
        { error: 'debug must be an object such as {"trace": true}' },
      )
      .strict()
      .optional(),
    /**
     * Send the task's browser traffic (downloads included) through this proxy. The egress
     * policy still applies to every destination; the password is never stored or returned.
     */
    proxy: ProxySettingsSchema.optional(),
    /**
     * Secrets for this task, read by code as `ctx.secrets.name`: never stored in clear, never
     * shown to the model (it sees `«secret:name»`), redacted from logs, events and results.
     */
    secrets: RequestSecretsSchema.optional(),
    /** Start the task's browser from a stored auth session (cookies and localStorage). */
    auth: RequestAuthSchema.optional(),
    /** true for tasks that change the site: never redelivered after its code started, never replayed by the promotion gate */
    sideEffects: z.boolean().optional(),
    /**
     * POST the final result to this URL when the task completes, signed (header
     * `webtasks-signature`) and retried with backoff for at least 24 h. The egress policy
     * applies: a private or loopback address is refused unless allowed.
     */
    webhook: WebhookSettingsSchema.optional(),
  })
  .strict();

/** A start request as sent on the wire. */
export type StartRequest = z.input<typeof StartRequestSchema>;

/** The `202` answer of start. */
export const StartResponseSchema = z.object({
  webTaskId: z.string(),
  status: z.literal('pending'),
  reuseKey: z.string(),
});
export type StartResponse = z.infer<typeof StartResponseSchema>;
