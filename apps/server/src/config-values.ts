// The variables whose values have a structure of their own (lists of pairs, JSON), each parsed
// into the configuration with every problem collected for one error at start-up.
import { WebhookSettingsSchema } from '@webtasks/protocol';

/** The webhook part of the server configuration. */
export interface WebhookConfig {
  /** WEBTASKS_WEBHOOK_URL: the webhook of every task whose request names none. */
  defaultUrl?: string;
  /** WEBTASKS_WEBHOOK_SECRET: signs the webhooks of every workspace without its own. */
  secret?: string;
  /** WEBTASKS_WEBHOOK_SECRETS (`workspace:secret,…`): per-workspace secrets. */
  secretsByWorkspace: Record<string, string>;
}

const MIN_WEBHOOK_SECRET = 16;

/** WEBTASKS_WEBHOOK_URL, WEBTASKS_WEBHOOK_SECRET and WEBTASKS_WEBHOOK_SECRETS. */
export function parseWebhooks(
  e: {
    WEBTASKS_WEBHOOK_URL?: string | undefined;
    WEBTASKS_WEBHOOK_SECRET?: string | undefined;
    WEBTASKS_WEBHOOK_SECRETS?: string | undefined;
  },
  problems: string[],
): WebhookConfig {
  const defaultUrl = e.WEBTASKS_WEBHOOK_URL;
  if (defaultUrl !== undefined) {
    const checked = WebhookSettingsSchema.safeParse({ url: defaultUrl });
    if (!checked.success) problems.push(`WEBTASKS_WEBHOOK_URL: ${checked.error.issues[0]?.message}`);
  }
  const secret = e.WEBTASKS_WEBHOOK_SECRET;
  if (secret !== undefined && secret.length < MIN_WEBHOOK_SECRET)
    problems.push(`WEBTASKS_WEBHOOK_SECRET must be at least ${MIN_WEBHOOK_SECRET} characters`);
  const secretsByWorkspace: Record<string, string> = {};
  for (const pair of (e.WEBTASKS_WEBHOOK_SECRETS ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const colon = pair.indexOf(':');
    const workspaceId = pair.slice(0, Math.max(0, colon));
    const value = pair.slice(colon + 1);
    if (colon <= 0 || value.length < MIN_WEBHOOK_SECRET) {
      problems.push(
        `WEBTASKS_WEBHOOK_SECRETS: "${workspaceId || pair.slice(0, 20)}:…" must be workspace:secret with a secret of at least ${MIN_WEBHOOK_SECRET} characters`,
      );
      continue;
    }
    secretsByWorkspace[workspaceId] = value;
  }
  if (defaultUrl !== undefined && secret === undefined && Object.keys(secretsByWorkspace).length === 0)
    problems.push('WEBTASKS_WEBHOOK_URL needs WEBTASKS_WEBHOOK_SECRET (webhooks are always signed)');
  return {
    ...(defaultUrl !== undefined ? { defaultUrl } : {}),
    ...(secret !== undefined ? { secret } : {}),
    secretsByWorkspace,
  };
}

/** `WEBTASKS_RETENTION_BY_WORKSPACE`: `ws_a:7,ws_b:90` (days per workspace). */
export function parseRetention(value: string | undefined, problems: string[]): Record<string, number> {
  const days: Record<string, number> = {};
  for (const pair of (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const match = /^([A-Za-z0-9_][A-Za-z0-9._-]*):(\d{1,4})$/.exec(pair);
    if (!match || Number(match[2]) < 1) {
      problems.push(
        `WEBTASKS_RETENTION_BY_WORKSPACE: ${JSON.stringify(pair)} must be workspace:days with days ≥ 1, e.g. ws_a:7,ws_b:90`,
      );
      continue;
    }
    days[match[1] as string] = Number(match[2]);
  }
  return days;
}

/** `WEBTASKS_MODELS`: one model id for every alias, or JSON `{"haiku": "...", ...}`. */
export function parseModels(value: string | undefined, problems: string[]): Record<string, string> {
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
