import type { WebTaskResult } from '@webtasks/protocol';

const MARKER = Symbol.for('webtasks.client.error');

type Kind = 'api' | 'timeout' | 'connection';

function hasKind(value: unknown, kind: Kind): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === kind;
}

/**
 * The server answered with an error (`{ error: { code, message, details } }`), or with
 * something that is not the API's answer at all (a proxy's HTML page: `code` is then
 * `unexpected-response`). Identity survives two installed copies: use `isInstance`.
 */
export class WebTasksApiError extends Error {
  readonly [MARKER]: Kind = 'api';
  /** HTTP status. */
  readonly status: number;
  /** The API's error code (`invalid-request`, `unauthenticated`, `not-found`, …). */
  readonly code: string;
  /** Structured details (for `invalid-request`: the validation issues). */
  readonly details: unknown;
  /** The server's `x-request-id`, to quote when reporting a problem. */
  readonly requestId: string | undefined;

  constructor(options: {
    status: number;
    code: string;
    message: string;
    details?: unknown;
    requestId?: string;
  }) {
    super(options.message);
    this.name = 'WebTasksApiError';
    this.status = options.status;
    this.code = options.code;
    this.details = options.details;
    this.requestId = options.requestId;
  }

  /** True for a WebTasksApiError from any copy of this package. */
  static isInstance(value: unknown): value is WebTasksApiError {
    return hasKind(value, 'api');
  }
}

/** A task did not complete within `run`'s `timeoutMs` (or a request got no answer in time). */
export class WebTasksTimeoutError extends Error {
  readonly [MARKER]: Kind = 'timeout';
  readonly timeoutMs: number;
  /** The task that was still running, when the timeout was `run`'s. */
  readonly webTaskId: string | undefined;
  /** The last state seen of that task. */
  readonly lastResult: WebTaskResult | undefined;

  constructor(options: {
    message: string;
    timeoutMs: number;
    webTaskId?: string;
    lastResult?: WebTaskResult;
  }) {
    super(options.message);
    this.name = 'WebTasksTimeoutError';
    this.timeoutMs = options.timeoutMs;
    this.webTaskId = options.webTaskId;
    this.lastResult = options.lastResult;
  }

  /** True for a WebTasksTimeoutError from any copy of this package. */
  static isInstance(value: unknown): value is WebTasksTimeoutError {
    return hasKind(value, 'timeout');
  }
}

/** The server could not be reached (after the retries the call allows). */
export class WebTasksConnectionError extends Error {
  readonly [MARKER]: Kind = 'connection';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WebTasksConnectionError';
  }

  /** True for a WebTasksConnectionError from any copy of this package. */
  static isInstance(value: unknown): value is WebTasksConnectionError {
    return hasKind(value, 'connection');
  }
}
