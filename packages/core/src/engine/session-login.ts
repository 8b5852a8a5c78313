import { toWebTasksError, WebTasksError } from '../errors.js';
import type { StorageState } from '../ports/browser.js';
import type { TaskRecord } from '../ports/task-store.js';
import { loadLiveVersion } from '../promotion/live-version.js';
import { createMeteredModel } from '../run/metered-model.js';
import { runCode } from '../run/run-code.js';
import {
  type AuthSessionBundleCheck,
  type AuthSessions,
  browserWithStorageState,
  isBundleCheck,
  type OpenedAuthSession,
  type SessionTracker,
} from '../secrets/auth-sessions.js';
import type { SecretRedactor } from '../secrets/redaction.js';
import type { ExecutorDeps } from './executor-deps.js';
import { withSecrets } from './task-secrets.js';

const EMPTY_STATE = { cookies: [], origins: [] };

/** What running a saved bundle (login or check) needs besides the bundle. */
interface SavedRun {
  deps: ExecutorDeps;
  secrets: SecretRedactor | undefined;
  task: TaskRecord;
  name: string;
  signal?: AbortSignal;
}

/**
 * Run the live version of `reuseKey` as saved code only (no model: never explored or repaired
 * here), in a browser that starts from `state`; `tracker` gets the state it leaves.
 */
async function runSaved(
  run: SavedRun,
  reuseKey: string,
  state: StorageState,
  tracker: SessionTracker,
  kind: 'login' | 'check',
): Promise<{ ok: true; output: unknown } | { ok: false; message: string }> {
  const { deps, task, signal } = run;
  const live = await loadLiveVersion(deps.bundles, {
    workspaceId: task.workspaceId,
    reuseKey,
    ...(signal ? { signal } : {}),
  });
  if (!live.live) return { ok: false, message: `no ${kind} bundle is saved under that reuse key` };
  const runDeps = withSecrets(
    { ...deps, browser: browserWithStorageState(deps.browser, state, tracker) },
    run.secrets,
  );
  const result = await runCode(runDeps, {
    source: live.live.source,
    ...(live.live.compiled ? { compiled: live.live.compiled } : {}),
    outputSchema: live.live.outputSchema,
    params: {},
    workspaceId: task.workspaceId,
    webTaskId: task.webTaskId,
    model: createMeteredModel({ model: undefined, workspaceId: task.workspaceId, prices: deps.prices }),
    modelName: task.request.model,
    ...(signal ? { signal } : {}),
  }).catch((error: unknown) => ({
    ok: false as const,
    evidence: { message: toWebTasksError(error).message },
  }));
  if (result.ok) return { ok: true, output: result.output };
  const message = result.evidence.message;
  return { ok: false, message: runDeps.taskSecrets?.redact(message) ?? message };
}

/**
 * Check the session (a page, or a check bundle). The session comes back with the state the
 * check left (sites that renew the session cookie on every visit invalidate the one it used).
 */
async function checked(
  run: SavedRun,
  session: OpenedAuthSession,
): Promise<{ signedIn: boolean; session: OpenedAuthSession }> {
  const tracker: SessionTracker = { latest: undefined };
  const check = session.login?.check;
  const signedIn =
    check && isBundleCheck(check)
      ? await bundleSaysSignedIn(run, check, session.state, tracker)
      : await stillSignedIn(run.deps, session, tracker, run.signal);
  return { signedIn, session: { ...session, state: tracker.latest ?? session.state } };
}

/**
 * Run the check bundle with the session's state: signed in when it returns exactly `true`.
 * A check bundle that is missing or throws is its own failure (`rejected`, with its cause):
 * signing in again would hide a broken check.
 */
async function bundleSaysSignedIn(
  run: SavedRun,
  check: AuthSessionBundleCheck,
  state: StorageState,
  tracker: SessionTracker,
): Promise<boolean> {
  const outcome = await runSaved(run, check.reuseKey, state, tracker, 'check');
  if (!outcome.ok)
    throw new WebTasksError({
      code: 'rejected',
      message: `The check bundle of the auth session "${run.name}" (reuse key "${check.reuseKey}") failed: ${outcome.message}. A check bundle returns true when signed in and false otherwise; fix or re-import it. Nothing was saved.`,
    });
  return outcome.output === true;
}

async function stillSignedIn(
  deps: ExecutorDeps,
  session: OpenedAuthSession,
  tracker: SessionTracker,
  signal?: AbortSignal,
): Promise<boolean> {
  const check = session.login?.check;
  if (!check || isBundleCheck(check)) return true;
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
  const run: SavedRun = {
    deps,
    secrets: options.secrets,
    task,
    name,
    ...(signal ? { signal } : {}),
  };
  const current = await checked(run, session);
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
  const tracker: SessionTracker = { latest: undefined };
  const result = await runSaved(run, login.reuseKey, EMPTY_STATE, tracker, 'login');
  if (!result.ok) throw failed(result.message);
  const renewed = await checked(run, { state: tracker.latest ?? EMPTY_STATE, login });
  if (!renewed.signedIn) throw failed('the check still fails after it ran');
  await options.sessions.save({
    workspaceId: task.workspaceId,
    name,
    session: renewed.session,
    ...(signal ? { signal } : {}),
  });
  return renewed.session;
}
