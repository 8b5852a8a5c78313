import type { AuthSessionSummary, SecretSummary } from '@webtasks/protocol';
import { sendRequest, type TransportOptions } from './transport.js';

function named(path: string, name: string, what: string): string {
  if (typeof name !== 'string' || name === '') throw new TypeError(`${what} must be a non-empty string.`);
  return `${path}/${encodeURIComponent(name)}`;
}

/** `client.secrets`: the workspace's secrets, stored sealed; values go in and never come back. */
export class Secrets {
  readonly #transport: TransportOptions;
  readonly #path: string;

  constructor(transport: TransportOptions, workspaceId: string) {
    this.#transport = transport;
    this.#path = `/${encodeURIComponent(workspaceId)}/secrets`;
  }

  /** Store (or replace) a secret; tasks read it as `ctx.secrets.<name>`. */
  async set(name: string, value: string, options: { signal?: AbortSignal } = {}): Promise<SecretSummary> {
    return (
      await sendRequest<SecretSummary>(this.#transport, {
        method: 'PUT',
        path: named(this.#path, name, 'name'),
        body: { value },
        retry: 'idempotent',
        signal: options.signal,
      })
    ).data;
  }

  /** Names and update times (never values). */
  async list(options: { signal?: AbortSignal } = {}): Promise<SecretSummary[]> {
    return (
      await sendRequest<{ secrets: SecretSummary[] }>(this.#transport, {
        method: 'GET',
        path: this.#path,
        retry: 'idempotent',
        signal: options.signal,
      })
    ).data.secrets;
  }

  async delete(name: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    await sendRequest(this.#transport, {
      method: 'DELETE',
      path: named(this.#path, name, 'name'),
      retry: 'idempotent',
      signal: options.signal,
      responseType: 'none',
    });
  }
}

/** `client.authSessions`: logged-in browser states a request names in `auth.session`. */
export class AuthSessions {
  readonly #transport: TransportOptions;
  readonly #path: string;

  constructor(transport: TransportOptions, workspaceId: string) {
    this.#transport = transport;
    this.#path = `/${encodeURIComponent(workspaceId)}/auth-sessions`;
  }

  /**
   * Import a Playwright storage state (`context.storageState()`) under `name`, replacing one.
   * For a session that signs in again by itself pass
   * `{ storageState?, login: { reuseKey, check } }`: the login bundle's reuse key and a check,
   * either `{ url, selector? }` (a page only a signed-in user sees) or `{ reuseKey }` (a check
   * bundle, saved code that returns `true` when signed in and `false` when not).
   */
  async import(
    name: string,
    state: unknown,
    options: { signal?: AbortSignal } = {},
  ): Promise<AuthSessionSummary> {
    return (
      await sendRequest<AuthSessionSummary>(this.#transport, {
        method: 'PUT',
        path: named(this.#path, name, 'name'),
        body: state,
        retry: 'idempotent',
        signal: options.signal,
      })
    ).data;
  }

  /** Names, cookie counts and origins (never cookies). */
  async list(options: { signal?: AbortSignal } = {}): Promise<AuthSessionSummary[]> {
    return (
      await sendRequest<{ sessions: AuthSessionSummary[] }>(this.#transport, {
        method: 'GET',
        path: this.#path,
        retry: 'idempotent',
        signal: options.signal,
      })
    ).data.sessions;
  }

  async delete(name: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    await sendRequest(this.#transport, {
      method: 'DELETE',
      path: named(this.#path, name, 'name'),
      retry: 'idempotent',
      signal: options.signal,
      responseType: 'none',
    });
  }
}
