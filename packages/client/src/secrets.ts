import type { AuthSessionSummary, SecretSummary } from '@webtasks/protocol';
import { sendRequest, type TransportOptions } from './transport.js';

/** What `client.secrets` and `client.authSessions` share: named entries of one workspace. */
abstract class NamedEntries<Summary> {
  readonly #transport: TransportOptions;
  readonly #path: string;
  readonly #listKey: string;

  protected constructor(transport: TransportOptions, workspaceId: string, segment: string, listKey: string) {
    this.#transport = transport;
    this.#path = `/${encodeURIComponent(workspaceId)}/${segment}`;
    this.#listKey = listKey;
  }

  #named(name: string): string {
    if (typeof name !== 'string' || name === '') throw new TypeError('name must be a non-empty string.');
    return `${this.#path}/${encodeURIComponent(name)}`;
  }

  protected async putEntry(name: string, body: unknown, signal: AbortSignal | undefined): Promise<Summary> {
    return (
      await sendRequest<Summary>(this.#transport, {
        method: 'PUT',
        path: this.#named(name),
        body,
        retry: 'idempotent',
        signal,
      })
    ).data;
  }

  protected async listEntries(signal: AbortSignal | undefined): Promise<Summary[]> {
    const { data } = await sendRequest<Record<string, Summary[]>>(this.#transport, {
      method: 'GET',
      path: this.#path,
      retry: 'idempotent',
      signal,
    });
    return data[this.#listKey] ?? [];
  }

  /** Delete the entry; the server answers 404 (`not-found`) when there is none of that name. */
  async delete(name: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    await sendRequest(this.#transport, {
      method: 'DELETE',
      path: this.#named(name),
      retry: 'idempotent',
      signal: options.signal,
      responseType: 'none',
    });
  }
}

/** `client.secrets`: the workspace's secrets, stored sealed; values go in and never come back. */
export class Secrets extends NamedEntries<SecretSummary> {
  constructor(transport: TransportOptions, workspaceId: string) {
    super(transport, workspaceId, 'secrets', 'secrets');
  }

  /** Store (or replace) a secret; tasks read it as `ctx.secrets.<name>`. */
  async set(name: string, value: string, options: { signal?: AbortSignal } = {}): Promise<SecretSummary> {
    return this.putEntry(name, { value }, options.signal);
  }

  /** Names and update times (never values). */
  async list(options: { signal?: AbortSignal } = {}): Promise<SecretSummary[]> {
    return this.listEntries(options.signal);
  }
}

/** `client.authSessions`: logged-in browser states a request names in `auth.session`. */
export class AuthSessions extends NamedEntries<AuthSessionSummary> {
  constructor(transport: TransportOptions, workspaceId: string) {
    super(transport, workspaceId, 'auth-sessions', 'sessions');
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
    return this.putEntry(name, state, options.signal);
  }

  /** Names, cookie counts and origins (never cookies). */
  async list(options: { signal?: AbortSignal } = {}): Promise<AuthSessionSummary[]> {
    return this.listEntries(options.signal);
  }
}
