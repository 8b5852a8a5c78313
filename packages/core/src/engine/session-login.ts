import { toWebTasksError, WebTasksError } from '../errors.js';
import type { TaskRecord } from '../ports/task-store.js';
import { loadLiveVersion } from '../promotion/live-version.js';
import { createMeteredModel } from '../run/metered-model.js';
import { runCode } from '../run/run-code.js';
import {
  type AuthSessions,
  browserWithStorageState,
  type OpenedAuthSession,
  type SessionTracker,
} from '../secrets/auth-sessions.js';
import type { SecretRedactor } from '../secrets/redaction.js';
import type { ExecutorDeps } from './executor-deps.js';
import { withSecrets } from './task-secrets.js';

const EMPTY_STATE = { cookies: [], origins: [] };

/**
 * Open `check.url` from the session; signed in when the page stays there (or shows
 * `check.selector`). The session comes back with the state the check left (sites that renew
 * the session cookie on every visit invalidate the one the check used).
 */
async function checked(
  deps: ExecutorDeps,
  session: OpenedAuthSession,
  signal?: AbortSignal,
): Promise<{ signedIn: boolean; session: OpenedAuthSession }> {
  const tracker: SessionTracker = { latest: undefined };
  const signedIn = await stillSignedIn(deps, session, tracker, signal);
  return { signedIn, session: { ...session, state: tracker.latest ?? session.state } };
}

async function stillSignedIn(
  deps: ExecutorDeps,
  session: OpenedAuthSession,
  tracker: SessionTracker,
  signal?: AbortSignal,
): Promise<boolean> {
  const check = session.login?.check;
  if (!check) return true;
  const browser = browserWithStorageState(deps.browser, session.state, tracker);
  const page = await browser.openSession({
    ...(deps.egress ? { egress: deps.egress } : {}),
    ...(signal ? { signal } : {}),
  });
  try {
    await page.execute({ command: { target: 'page', op: 'goto', args: [check.url] } });
    if (check.selector !== undefined) {
      const count = await page.execute({
        command: {
          target: 'locator',
          op: 'count',
          locator: [{ kind: 'locator', selector: check.selector }],
          args: [],
        },
      });
      return typeof count === 'number' && count > 0;
    }
    const landed = await page.execute({ command: { target: 'page', op: 'url', args: [] } });
    const strip = (url: string) => url.replace(/[?#].*$/, '').replace(/\/$/, '');
    return typeof landed === 'string' && strip(landed) === strip(check.url);
  } catch {
    return false;
  } finally {
    await page.close().catch(() => undefined);
  }
}

/**
 * Before a task that uses an auth session with a login: check it, and when the check fails,
 * run the saved login bundle (no model: saved code only) in a fresh browser with the task's
 * secrets, and save the state it leaves. A failed login is `rejected` and saves nothing.
 */
export async function ensureSignedIn(options: {
  deps: ExecutorDeps;
  sessions: AuthSessions;
  secrets: SecretRedactor | undefined;
  task: TaskRecord;
  name: string;
  session: OpenedAuthSession;
  signal?: AbortSignal;
}): Promise<OpenedAuthSession> {
  const { deps, task, name, session, signal } = options;
  const login = session.login;
  if (!login) return session;
  const current = await checked(deps, session, signal);
  if (current.signedIn) return current.session;
  deps.logger.info('auth session expired: signing in again with its login bundle', {
    webTaskId: task.webTaskId,
    session: name,
    reuseKey: login.reuseKey,
  });
  deps.emit({ type: 'phase', webTaskId: task.webTaskId, phase: 'loading' });
  const failed = (why: string) =>
    new WebTasksError({
      code: 'rejected',
      message: `The auth session "${name}" has expired and signing in again with its login bundle (reuse key "${login.reuseKey}") failed: ${why}. Nothing was saved.`,
    });
  const live = await loadLiveVersion(deps.bundles, {
    workspaceId: task.workspaceId,
    reuseKey: login.reuseKey,
    ...(signal ? { signal } : {}),
  });
  if (!live.live) throw failed('no login bundle is saved under that reuse key');
  const tracker: SessionTracker = { latest: undefined };
  const loginDeps = withSecrets(
    { ...deps, browser: browserWithStorageState(deps.browser, EMPTY_STATE, tracker) },
    options.secrets,
  );
  const result = await runCode(loginDeps, {
    source: live.live.source,
    ...(live.live.compiled ? { compiled: live.live.compiled } : {}),
    outputSchema: live.live.outputSchema,
    params: {},
    workspaceId: task.workspaceId,
    webTaskId: task.webTaskId,
    // No model: a login bundle is saved code, never explored or repaired here.
    model: createMeteredModel({ model: undefined, workspaceId: task.workspaceId, prices: deps.prices }),
    modelName: task.request.model,
    ...(signal ? { signal } : {}),
  }).catch((error: unknown) => ({
    ok: false as const,
    evidence: { message: toWebTasksError(error).message },
  }));
  if (!result.ok)
    throw failed(loginDeps.taskSecrets?.redact(result.evidence.message) ?? result.evidence.message);
  const renewed = await checked(deps, { state: tracker.latest ?? EMPTY_STATE, login }, signal);
  if (!renewed.signedIn) throw failed('the check still fails after it ran');
  await options.sessions.save({
    workspaceId: task.workspaceId,
    name,
    session: renewed.session,
    ...(signal ? { signal } : {}),
  });
  return renewed.session;
}
