import type { RunWebhook } from '@webtasks/protocol';
import type { EgressGuard } from '../egress/egress-guard.js';
import type { SettingNames } from '../engine/setting-names.js';
import { WebTasksError } from '../errors.js';
import { perWorkspace, type WebhookOptions } from './webhook-options.js';

function refused(message: string): WebTasksError {
  return new WebTasksError({
    code: 'invalid-request',
    message,
    details: [{ path: ['webhook', 'url'], message }],
  });
}

/**
 * The webhook a new task gets (from its request, else the workspace default), checked at
 * start: a secret must be configured and the egress policy must allow the URL's host (every
 * address it resolves to). Undefined when the task has no webhook.
 */
export async function webhookForStart(options: {
  workspaceId: string;
  requested: { url: string } | undefined;
  settings: WebhookOptions | undefined;
  guard: EgressGuard;
  names: SettingNames;
}): Promise<RunWebhook | undefined> {
  const { workspaceId, settings } = options;
  const url = options.requested?.url ?? perWorkspace(settings?.defaultUrl, workspaceId);
  if (url === undefined) return undefined;
  if (perWorkspace(settings?.secret, workspaceId) === undefined) {
    throw refused(
      `No webhook secret is configured for workspace ${workspaceId}, so webhooks cannot be signed: ${options.names.webhookSecret ?? 'pass webhooks.secret to createWebTasks'}.`,
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw refused(`The webhook URL "${url}" is not an absolute http:// or https:// URL.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw refused(`The webhook URL uses ${parsed.protocol}; use http:// or https://.`);
  }
  const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
  const verdict = await options.guard.resolve(parsed.hostname, port);
  if (!verdict.allowed) {
    const hostPort = `${parsed.hostname}:${port}`;
    const hint =
      verdict.kind === 'private-address' ? `; to allow it, ${options.names.allowHost(hostPort)}` : '';
    const reason = verdict.reason.replace(/; to allow it, add .*$/, '');
    throw refused(`The webhook URL ${url} is refused by the egress policy: ${reason}${hint}.`);
  }
  return { url, deliveries: [], delivered: false };
}
