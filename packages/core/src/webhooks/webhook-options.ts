import type { WebhookRetryPolicy } from './webhook-schedule.js';

/** Webhooks of an engine: `webhooks` of `createWebTasks`. */
export interface WebhookOptions {
  /**
   * Secret of the HMAC-SHA256 signature, one for every workspace or one per workspace. A task
   * that asks for a webhook is refused at start when its workspace has none.
   */
  secret?: string | ((workspaceId: string) => string | undefined);
  /** The webhook of tasks whose request names none (one for every workspace, or per workspace). */
  defaultUrl?: string | ((workspaceId: string) => string | undefined);
  /** Backoff of failed deliveries; every field has a default (30 s doubling to 1 h, for 24 h). */
  retry?: Partial<WebhookRetryPolicy>;
  /** How often a worker looks in the task store for deliveries that are due. Default 5 s. */
  pollIntervalMs?: number;
  /** Time one delivery attempt may take. Default 10 s. */
  timeoutMs?: number;
}

/** The value of a per-workspace setting. */
export function perWorkspace(
  setting: string | ((workspaceId: string) => string | undefined) | undefined,
  workspaceId: string,
): string | undefined {
  const value = typeof setting === 'function' ? setting(workspaceId) : setting;
  return value === undefined || value === '' ? undefined : value;
}
