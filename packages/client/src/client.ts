import type { BackoffOptions } from './backoff.js';
import { Bundles } from './bundles.js';
import { Files } from './files.js';
import { AuthSessions, Secrets } from './secrets.js';
import type { TransportOptions } from './transport.js';
import { WebTasks } from './web-tasks.js';

/** Options of `new WebTasksClient(...)`. */
export interface WebTasksClientOptions {
  /** The workspace's API key (sent as `x-api-key`). */
  apiKey: string;
  /** The workspace every call is made in. */
  workspaceId: string;
  /** Where the server is, e.g. `http://127.0.0.1:8080` or `https://webtasks.example.com/api`. */
  baseUrl: string;
  /** A fetch implementation. Defaults to `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
  /** Retries after a 429, a 5xx or a network error (see `webTasks.start` for its narrower rule). Default 2. */
  maxRetries?: number;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Time one request may take before it counts as failed (long-polls get their wait on top). Default 30 s. */
  requestTimeoutMs?: number;
  /** Backoff between retries. Default 500 ms doubling up to 8 s, with jitter. */
  retryBackoff?: BackoffOptions;
}

/**
 * Client of the webtasks HTTP API. Uses only `fetch`, so it runs in Node 20+, browsers and
 * edge runtimes.
 *
 * @example
 * const client = new WebTasksClient({ apiKey, workspaceId: 'acme', baseUrl: 'http://127.0.0.1:8080' });
 * const result = await client.webTasks.run({ task: 'Read the table', startUrl: 'https://example.com' });
 */
export class WebTasksClient {
  /** Start tasks, read results, run to completion. */
  readonly webTasks: WebTasks;
  /** The workspace's saved code: list, show, history, diff, rollback, import, export, delete. */
  readonly bundles: Bundles;
  /** Files tasks downloaded: find them in a result and fetch their bytes (SHA-256 checked). */
  readonly files: Files;
  /** The workspace's secrets (sealed at rest; listed by name only). */
  readonly secrets: Secrets;
  /** Logged-in browser states (Playwright storage states) a request names in `auth.session`. */
  readonly authSessions: AuthSessions;

  constructor(options: WebTasksClientOptions) {
    if (typeof options?.apiKey !== 'string' || options.apiKey === '') {
      throw new TypeError('WebTasksClient needs apiKey: the API key of the workspace.');
    }
    if (typeof options.workspaceId !== 'string' || options.workspaceId === '') {
      throw new TypeError('WebTasksClient needs workspaceId: the workspace the API key belongs to.');
    }
    if (typeof options.baseUrl !== 'string' || !/^https?:\/\//i.test(options.baseUrl)) {
      throw new TypeError('WebTasksClient needs baseUrl: the http(s) URL of the webtasks server.');
    }
    const fetchImpl = options.fetch ?? globalThis.fetch;
    if (typeof fetchImpl !== 'function') {
      throw new TypeError(
        'No fetch available: pass options.fetch (Node 18+ and browsers have one built in).',
      );
    }
    const transport: TransportOptions = {
      baseUrl: options.baseUrl,
      apiKey: options.apiKey,
      // Bound so implementations that need `this === globalThis` (browsers) keep working.
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      headers: { ...options.headers },
      maxRetries: Math.max(0, options.maxRetries ?? 2),
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      backoff: options.retryBackoff ?? {},
    };
    this.webTasks = new WebTasks(transport, options.workspaceId);
    this.bundles = new Bundles(transport, options.workspaceId);
    this.files = new Files(transport);
    this.secrets = new Secrets(transport, options.workspaceId);
    this.authSessions = new AuthSessions(transport, options.workspaceId);
  }
}
