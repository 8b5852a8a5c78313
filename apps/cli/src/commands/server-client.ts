import { WebTasksClient } from '@webtasks/client';
import type { CliContext } from '../context.js';
import { usageError } from '../exit-codes.js';
import type { ParsedFlags } from '../flags.js';

/**
 * The SDK client for a command talking to a server: `--base-url`, `--api-key`, `--workspace`,
 * each falling back to `WEBTASKS_BASE_URL`, `WEBTASKS_API_KEY`, `WEBTASKS_WORKSPACE_ID`.
 */
export function createServerClient(flags: ParsedFlags, ctx: CliContext, command: string): WebTasksClient {
  const baseUrl = flags.string('base-url') ?? ctx.env.WEBTASKS_BASE_URL;
  const apiKey = flags.string('api-key') ?? ctx.env.WEBTASKS_API_KEY;
  const workspaceId = flags.string('workspace') ?? ctx.env.WEBTASKS_WORKSPACE_ID;
  const missing = [
    baseUrl ? undefined : '--base-url (or WEBTASKS_BASE_URL)',
    apiKey ? undefined : '--api-key (or WEBTASKS_API_KEY)',
    workspaceId ? undefined : '--workspace (or WEBTASKS_WORKSPACE_ID)',
  ].filter(Boolean);
  if (missing.length > 0)
    throw usageError(`Missing ${missing.join(', ')}: which server, key and workspace to use.`, command);
  if (!/^https?:\/\//i.test(baseUrl as string)) {
    throw usageError(
      `--base-url must be an http(s) URL like http://127.0.0.1:8080, got ${JSON.stringify(baseUrl)}.`,
      command,
    );
  }
  return new WebTasksClient({
    baseUrl: baseUrl as string,
    apiKey: apiKey as string,
    workspaceId: workspaceId as string,
  });
}

/** Same, loaded lazily by commands that only sometimes talk to a server. */
export async function serverClient(
  flags: ParsedFlags,
  ctx: CliContext,
  command: string,
): Promise<WebTasksClient> {
  return createServerClient(flags, ctx, command);
}
