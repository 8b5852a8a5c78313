import { WebTasksError } from '../errors.js';
import type { TaskRecord } from '../ports/task-store.js';
import {
  browserWithStorageState,
  type OpenedAuthSession,
  type SessionTracker,
} from '../secrets/auth-sessions.js';
import { createSecretRedactor } from '../secrets/redaction.js';
import type { ExecutorDeps } from './executor-deps.js';
import { ensureSignedIn } from './session-login.js';
import { retryStoreCall } from './store-retry.js';
import { openTaskSecrets, withSecrets } from './task-secrets.js';

// ─── The start of a run ──────────────────────────────────────────────────────────────────
// Before any code runs, a task gets the deps it runs with: its proxy, its secrets (request
// and workspace), and for `auth.session` a browser that starts from the stored session,
// signed in again when it has lapsed.

/**
 * The deps a task runs with: its upstream proxy, the password taken from this engine's
 * memory. A password held by another process (the task was accepted there) cannot be used:
 * the browser session then fails with `proxy-error` saying so.
 */
export function withProxy(deps: ExecutorDeps, task: TaskRecord): ExecutorDeps {
  const proxy = task.request.proxy;
  if (!proxy) return deps;
  const password = deps.proxyPasswords?.get(task.webTaskId);
  if (proxy.hasPassword && password === undefined) {
    const error = new WebTasksError({
      code: 'proxy-error',
      message: `The proxy password of ${proxy.server} is held only in memory by the process that accepted the task, which is gone or is not this worker; start the task again (or set the proxy as the server default, WEBTASKS_PROXY).`,
    });
    return {
      ...deps,
      browser: {
        specificationVersion: 'v1',
        capabilities: deps.browser.capabilities,
        openSession: () => Promise.reject(error),
        close: (options) => deps.browser.close(options),
      },
    };
  }
  return {
    ...deps,
    proxy: {
      server: proxy.server,
      ...(proxy.username !== undefined ? { username: proxy.username } : {}),
      ...(password !== undefined ? { password } : {}),
    },
  };
}

/** The deps a run starts with, and what it needs to save a refreshed auth session after. */
export interface OpenedRun {
  /** `plainDeps` with the task's secrets and, for `auth.session`, its signed-in browser. */
  deps: ExecutorDeps;
  /** The storage state the run's browser sessions last left (saved back after a success). */
  tracker: SessionTracker;
  /** The auth session the run started from, when the request names one. */
  signedIn: OpenedAuthSession | undefined;
}

/**
 * Open the task's secrets and its auth session (signing in again when it has lapsed). Any
 * failure rejects: the caller fails the task with it, unless the delivery was lost.
 */
export async function openRun(
  plainDeps: ExecutorDeps,
  task: TaskRecord,
  signal: AbortSignal,
): Promise<OpenedRun> {
  const { workspaceId } = task;
  const request = task.request;
  const tracker: SessionTracker = { latest: undefined };
  let signedIn: OpenedAuthSession | undefined;
  // Store reads before the run wait out a database restart, as the bundle load does.
  const storeRetry = { logger: plainDeps.logger, signal };
  let secrets = await retryStoreCall(() => openTaskSecrets(plainDeps, task, signal), {
    ...storeRetry,
    what: 'open the task secrets',
  });
  let withAuth = plainDeps;
  if (request.auth) {
    const name = request.auth.session;
    const stored = await retryStoreCall(
      async () => plainDeps.authSessions?.open({ workspaceId, name, signal }),
      { ...storeRetry, what: 'open the auth session' },
    );
    if (!stored || !plainDeps.authSessions)
      throw new WebTasksError({
        code: 'rejected',
        message: `No auth session "${name}" in this workspace: import one first (webtasks auth import ${name} state.json, or PUT /${workspaceId}/auth-sessions/${name}).`,
      });
    // The session's cookie and localStorage values leave the engine only as «session:name».
    secrets ??= createSecretRedactor({});
    secrets.addSessionValues(name, stored.state);
    signedIn = await ensureSignedIn({
      deps: plainDeps,
      sessions: plainDeps.authSessions,
      secrets,
      task,
      name,
      session: stored,
      signal,
    });
    secrets.addSessionValues(name, signedIn.state);
    withAuth = {
      ...plainDeps,
      browser: browserWithStorageState(plainDeps.browser, signedIn.state, tracker),
    };
  }
  return { deps: withSecrets(withAuth, secrets), tracker, signedIn };
}
