import type {
  BundleImport,
  BundleSettingsUpdate,
  BundleSettingsWire,
  BundleSummaryWire,
  BundleWire,
  ImportedBundleWire,
} from '@webtasks/protocol';
import { sendRequest, type TransportOptions } from './transport.js';

/** `client.bundles`: the saved code of a workspace, per reuse key. */
export class Bundles {
  readonly #transport: TransportOptions;
  readonly #path: string;

  constructor(transport: TransportOptions, workspaceId: string) {
    this.#transport = transport;
    this.#path = `/${encodeURIComponent(workspaceId)}/bundles`;
  }

  #key(reuseKey: string, suffix = ''): string {
    if (typeof reuseKey !== 'string' || reuseKey === '')
      throw new TypeError('reuseKey must be a non-empty string.');
    return `${this.#path}/${encodeURIComponent(reuseKey)}${suffix}`;
  }

  async #get<T>(path: string, signal?: AbortSignal, responseType: 'json' | 'text' = 'json'): Promise<T> {
    return (
      await sendRequest<T>(this.#transport, {
        method: 'GET',
        path,
        retry: 'idempotent',
        signal,
        responseType,
      })
    ).data;
  }

  /** The latest version of each reuse key (optionally those starting with `prefix`). */
  async list(
    options: { prefix?: string; limit?: number; signal?: AbortSignal } = {},
  ): Promise<BundleSummaryWire[]> {
    const query = new URLSearchParams();
    if (options.prefix) query.set('prefix', options.prefix);
    if (options.limit !== undefined) query.set('limit', String(options.limit));
    const suffix = query.size > 0 ? `?${query}` : '';
    return (await this.#get<{ bundles: BundleSummaryWire[] }>(`${this.#path}${suffix}`, options.signal))
      .bundles;
  }

  /** A version (default the latest) with its source and output schema. */
  async get(reuseKey: string, options: { version?: number; signal?: AbortSignal } = {}): Promise<BundleWire> {
    const suffix = options.version === undefined ? '' : `?version=${options.version}`;
    return this.#get<BundleWire>(this.#key(reuseKey, suffix), options.signal);
  }

  /** Every version, newest first. */
  async history(reuseKey: string, options: { signal?: AbortSignal } = {}): Promise<BundleSummaryWire[]> {
    return (
      await this.#get<{ versions: BundleSummaryWire[] }>(this.#key(reuseKey, '/history'), options.signal)
    ).versions;
  }

  /** A unified diff between two versions' sources. */
  async diff(
    reuseKey: string,
    from: number,
    to: number,
    options: { signal?: AbortSignal } = {},
  ): Promise<string> {
    return (
      await this.#get<{ diff: string }>(this.#key(reuseKey, `/diff?from=${from}&to=${to}`), options.signal)
    ).diff;
  }

  /** Save a copy of `version` as the newest version. */
  async rollback(
    reuseKey: string,
    version: number,
    options: { signal?: AbortSignal } = {},
  ): Promise<BundleWire> {
    const path = this.#key(reuseKey, '/rollback');
    return (
      await sendRequest<BundleWire>(this.#transport, {
        method: 'POST',
        path,
        body: { version },
        retry: 'not-accepted',
        signal: options.signal,
      })
    ).data;
  }

  /**
   * Compile, check and save `source` as the newest version. Unless `verify: false` (or
   * `sideEffects: true`), the server runs it once with `parameters` first and refuses the
   * import when that run fails; `verification` says what the run established.
   */
  async import(
    reuseKey: string,
    bundle: BundleImport,
    options: { signal?: AbortSignal } = {},
  ): Promise<ImportedBundleWire> {
    return (
      await sendRequest<ImportedBundleWire>(this.#transport, {
        method: 'PUT',
        path: this.#key(reuseKey),
        body: bundle,
        retry: 'not-accepted',
        signal: options.signal,
      })
    ).data;
  }

  /** A standalone Playwright script (ES module) running the version without webtasks. */
  async export(reuseKey: string, options: { version?: number; signal?: AbortSignal } = {}): Promise<string> {
    const suffix = options.version === undefined ? '/export' : `/export?version=${options.version}`;
    return this.#get<string>(this.#key(reuseKey, suffix), options.signal, 'text');
  }

  /** The key's promotion policy (`auto`, `review`, `off`) and pinned version. */
  async settings(reuseKey: string, options: { signal?: AbortSignal } = {}): Promise<BundleSettingsWire> {
    return this.#get<BundleSettingsWire>(this.#key(reuseKey, '/settings'), options.signal);
  }

  /**
   * Change the promotion policy and/or the pinned version (`pinnedVersion: null` unpins).
   * Returns the settings now.
   */
  async updateSettings(
    reuseKey: string,
    update: BundleSettingsUpdate,
    options: { signal?: AbortSignal } = {},
  ): Promise<BundleSettingsWire> {
    return (
      await sendRequest<BundleSettingsWire>(this.#transport, {
        method: 'PATCH',
        path: this.#key(reuseKey, '/settings'),
        body: update,
        retry: 'idempotent',
        signal: options.signal,
      })
    ).data;
  }

  /** Approve a proposed version: runs use it when it is the newest active one. */
  async approve(
    reuseKey: string,
    version: number,
    options: { signal?: AbortSignal } = {},
  ): Promise<BundleWire> {
    return this.#review(reuseKey, 'approve', version, options.signal);
  }

  /** Reject a proposed version: runs never use it. */
  async reject(
    reuseKey: string,
    version: number,
    options: { signal?: AbortSignal } = {},
  ): Promise<BundleWire> {
    return this.#review(reuseKey, 'reject', version, options.signal);
  }

  async #review(
    reuseKey: string,
    decision: 'approve' | 'reject',
    version: number,
    signal: AbortSignal | undefined,
  ): Promise<BundleWire> {
    return (
      await sendRequest<BundleWire>(this.#transport, {
        method: 'POST',
        path: this.#key(reuseKey, `/${decision}`),
        body: { version },
        retry: 'not-accepted',
        signal,
      })
    ).data;
  }

  /** Delete every version of a reuse key. */
  async delete(reuseKey: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    await sendRequest(this.#transport, {
      method: 'DELETE',
      path: this.#key(reuseKey),
      retry: 'idempotent',
      signal: options.signal,
      responseType: 'none',
    });
  }
}
