import { AUTH_SESSION_NAME_PATTERN, type AuthSessionSummary, StorageStateSchema } from '@webtasks/protocol';
import { WebTasksError } from '../errors.js';
import type { BrowserProvider, BrowserSession, StorageState } from '../ports/browser.js';
import type { Clock } from '../ports/clock.js';
import type { CallOptions } from '../ports/common.js';
import type { SecretStore } from '../ports/secret-store.js';
import { type SealingKey, seal, unseal } from './sealing.js';
import { sealContext } from './workspace-secrets.js';

/** A check by page: signed in when `url` opens without a redirect (and shows `selector`, if given). */
export interface AuthSessionUrlCheck {
  url: string;
  selector?: string;
}

/**
 * A check bundle: saved code (`reuseKey`) run with the session's state and no model; the session
 * is valid when it returns exactly `true`. Any other output means "signed out"; a throw is the
 * check's own failure, reported as such.
 */
export interface AuthSessionBundleCheck {
  reuseKey: string;
}

/**
 * How to sign in again when a session has expired: a check (a page, or a check bundle) and the
 * saved login bundle (`reuseKey`) that signs in from a fresh browser with the task's secrets.
 * No model is involved.
 */
export interface AuthSessionLogin {
  reuseKey: string;
  check: AuthSessionUrlCheck | AuthSessionBundleCheck;
}

/** Whether a login's check is a check bundle (rather than a URL). */
export function isBundleCheck(check: AuthSessionLogin['check']): check is AuthSessionBundleCheck {
  return 'reuseKey' in check && typeof check.reuseKey === 'string';
}

/** A stored session: its browser state and, optionally, how to renew it. */
export interface OpenedAuthSession {
  state: StorageState;
  login?: AuthSessionLogin;
}

/** Auth sessions management (CLI, server, SDK): values never leave except into a browser. */
export interface AuthSessionAdmin {
  /**
   * Store a Playwright storage state under `name` (replacing one). A malformed state is
   * `invalid-request` whose message and details name the JSON path.
   */
  import(
    options: { workspaceId: string; name: string; state?: unknown; login?: AuthSessionLogin } & CallOptions,
  ): Promise<AuthSessionSummary>;
  /** Names, update times, cookie counts and origins (never cookie values). */
  list(options: { workspaceId: string } & CallOptions): Promise<AuthSessionSummary[]>;
  /** Remove a session; true when there was one. */
  delete(options: { workspaceId: string; name: string } & CallOptions): Promise<boolean>;
}

/** What the executor needs beside the admin: open a session, save it back. */
export interface AuthSessions extends AuthSessionAdmin {
  open(options: { workspaceId: string; name: string } & CallOptions): Promise<OpenedAuthSession | undefined>;
  /** Replace the session's state, keeping its login. */
  save(
    options: { workspaceId: string; name: string; session: OpenedAuthSession } & CallOptions,
  ): Promise<void>;
}

function summaryOf(name: string, updatedAt: string, session: OpenedAuthSession): AuthSessionSummary {
  const { state, login } = session;
  return {
    name,
    updatedAt,
    cookieCount: state.cookies.length,
    origins: [...new Set(state.origins.map((o) => o.origin))].sort(),
    ...(login
      ? {
          login: {
            reuseKey: login.reuseKey,
            ...(isBundleCheck(login.check)
              ? { checkKey: login.check.reuseKey }
              : { checkUrl: login.check.url }),
          },
        }
      : {}),
  };
}

/** Sealed payloads: `{ state, login? }` (a bare storage state is read as `{ state }`). */
function readPayload(text: string): OpenedAuthSession {
  const value = JSON.parse(text) as OpenedAuthSession | StorageState;
  return 'cookies' in value ? { state: value } : value;
}

const REUSE_KEY = /^[A-Za-z0-9._:-]{1,128}$/;

function checkLogin(login: AuthSessionLogin): AuthSessionLogin {
  const problems: string[] = [];
  if (typeof login?.reuseKey !== 'string' || !REUSE_KEY.test(login.reuseKey))
    problems.push('login.reuseKey must be the reuse key of a saved login bundle');
  const check = (login?.check ?? {}) as Partial<AuthSessionUrlCheck & AuthSessionBundleCheck>;
  const byBundle = check.reuseKey !== undefined;
  if (byBundle) {
    if (typeof check.reuseKey !== 'string' || !REUSE_KEY.test(check.reuseKey))
      problems.push('login.check.reuseKey must be the reuse key of a saved check bundle');
    if (check.url !== undefined || check.selector !== undefined)
      problems.push('login.check is either { url, selector? } or { reuseKey }, not both');
  } else {
    let url: URL | undefined;
    try {
      url = new URL(String(check.url));
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
      problems.push(
        'login.check.url must be an absolute http(s) URL of a page only a signed-in user sees (or give login.check.reuseKey, a check bundle)',
      );
    if (check.selector !== undefined && typeof check.selector !== 'string')
      problems.push('login.check.selector must be a CSS selector string');
  }
  if (problems.length > 0)
    throw new WebTasksError({
      code: 'invalid-request',
      message: `The session's login is invalid: ${problems.join('; ')}.`,
    });
  return {
    reuseKey: login.reuseKey,
    check: byBundle
      ? { reuseKey: check.reuseKey as string }
      : { url: check.url as string, ...(check.selector !== undefined ? { selector: check.selector } : {}) },
  };
}

function checkName(name: string): void {
  if (!AUTH_SESSION_NAME_PATTERN.test(name))
    throw new WebTasksError({
      code: 'invalid-request',
      message: `The auth session name "${name.slice(0, 80)}" is invalid: use a letter or "_" then up to 63 letters, digits or "_".`,
    });
}

/** A storage state checked against Playwright's shape; the error names the first bad path. */
export function parseStorageState(state: unknown): StorageState {
  const parsed = StorageStateSchema.safeParse(state);
  if (parsed.success) return parsed.data as StorageState;
  const issues = parsed.error.issues.slice(0, 10).map((issue) => ({
    path: issue.path.map(String),
    message: issue.message,
  }));
  const first = issues[0];
  const where = first && first.path.length > 0 ? first.path.join('.') : '(the top level)';
  throw new WebTasksError({
    code: 'invalid-request',
    message: `The storage state is not a Playwright storage state: at ${where}: ${first?.message ?? 'invalid'}. Save one with context.storageState({ path }) or npx playwright codegen --save-storage=state.json.`,
    details: issues,
  });
}

/** Auth sessions over a `SecretStore`, sealed with the secrets key (kind `auth-session`). */
export function createAuthSessions(options: {
  store?: SecretStore;
  key?: SealingKey;
  clock: Clock;
  keySetting: string;
}): AuthSessions {
  const need = (what: string) => {
    if (!options.store || !options.key)
      throw new WebTasksError({
        code: 'invalid-config',
        message: `${what} needs a secrets key: set ${options.keySetting} (32 random bytes as base64, e.g. from openssl rand -base64 32).`,
      });
    return { store: options.store, key: options.key };
  };
  const put = async (workspaceId: string, name: string, session: OpenedAuthSession, signal?: AbortSignal) => {
    const { store, key } = need('Storing an auth session');
    const updatedAt = new Date(options.clock.now()).toISOString();
    const sealed = seal(key, sealContext(workspaceId, 'auth-session', name), JSON.stringify(session));
    await store.put({
      workspaceId,
      entry: { kind: 'auth-session', name, sealed, updatedAt },
      ...(signal ? { signal } : {}),
    });
    return summaryOf(name, updatedAt, session);
  };
  return {
    async import({ workspaceId, name, state, login, signal }) {
      checkName(name);
      // A session with a login may start empty: its first task signs in.
      const parsed =
        state === undefined && login !== undefined ? { cookies: [], origins: [] } : parseStorageState(state);
      return put(
        workspaceId,
        name,
        { state: parsed, ...(login !== undefined ? { login: checkLogin(login) } : {}) },
        signal,
      );
    },
    async list({ workspaceId, signal }) {
      if (!options.store) return [];
      const entries = await options.store.list({
        workspaceId,
        kind: 'auth-session',
        ...(signal ? { signal } : {}),
      });
      if (entries.length === 0) return [];
      const { key } = need('Reading auth sessions');
      return entries.map((entry) =>
        summaryOf(
          entry.name,
          entry.updatedAt,
          readPayload(unseal(key, sealContext(workspaceId, 'auth-session', entry.name), entry.sealed)),
        ),
      );
    },
    async delete({ workspaceId, name, signal }) {
      if (!options.store) return false;
      return options.store.delete({ workspaceId, kind: 'auth-session', name, ...(signal ? { signal } : {}) });
    },
    async open({ workspaceId, name, signal }) {
      if (!options.store) return undefined;
      const entry = await options.store.get({
        workspaceId,
        kind: 'auth-session',
        name,
        ...(signal ? { signal } : {}),
      });
      if (!entry) return undefined;
      const { key } = need('Opening an auth session');
      return readPayload(unseal(key, sealContext(workspaceId, 'auth-session', name), entry.sealed));
    },
    async save({ workspaceId, name, session, signal }) {
      await put(workspaceId, name, session, signal);
    },
  };
}

/** The storage state of the last browser session a task closed (what a successful run leaves). */
export interface SessionTracker {
  latest: StorageState | undefined;
}

/**
 * A browser whose sessions start from `state`, and that records each session's storage state
 * just before it closes (so cookies a successful run refreshed can be saved back).
 */
export function browserWithStorageState(
  browser: BrowserProvider,
  state: StorageState,
  tracker: SessionTracker,
): BrowserProvider {
  if (!browser.capabilities.storageState)
    throw new WebTasksError({
      code: 'invalid-config',
      message:
        'This browser provider cannot start from an auth session (capabilities.storageState is false).',
    });
  const track = (session: BrowserSession): BrowserSession => ({
    id: session.id,
    ...(session.storageState ? { storageState: (o) => session.storageState!(o) } : {}),
    execute: (o) => session.execute(o),
    observe: (o) => session.observe(o),
    screenshot: (o) => session.screenshot(o),
    download: (o) => session.download(o),
    async close(o) {
      const now = await session.storageState?.().catch(() => undefined);
      if (now) tracker.latest = now;
      return session.close(o);
    },
  });
  return {
    specificationVersion: 'v1',
    capabilities: browser.capabilities,
    openSession: async (o) => track(await browser.openSession({ ...o, storageState: state })),
    close: (o) => browser.close(o),
  };
}
