import { type ErrorCode, WebTasksError } from '../errors.js';

/** What `createAdapterError` needs besides the adapter's name. */
export interface AdapterErrorOptions {
  code: ErrorCode;
  /** What happened and what to do about it (the `[webtasks:<adapter>]` prefix is added). */
  message: string;
  cause?: unknown;
  retryable?: boolean;
  details?: unknown;
}

/** The prefix every message of `adapter` starts with: `[webtasks:<adapter>]`. */
export function adapterPrefix(adapter: string): string {
  return `[webtasks:${adapter}]`;
}

/** A `WebTasksError` of one adapter: its message starts with `[webtasks:<adapter>]`. */
export function createAdapterError(adapter: string, options: AdapterErrorOptions): WebTasksError {
  return new WebTasksError({ ...options, message: `${adapterPrefix(adapter)} ${options.message}` });
}

/** How `wrapAdapterError` words and classifies a failure of the adapter's technology. */
export interface WrapAdapterErrorOptions {
  /** What the adapter was doing, as a verb phrase: `extend lease "reuse:ws:k"`. */
  doing: string;
  /** What the user can do about it: `check that Redis is reachable; the call can be retried`. */
  advice: string;
  /** Whether trying again later may succeed. */
  retryable: boolean;
  /** What the failure said; defaults to the error's message. */
  detail?: string;
  /** Defaults to `storage-error`. */
  code?: ErrorCode;
  details?: unknown;
}

/**
 * Turn anything a vendor library threw into a `WebTasksError` of `adapter`: a WebTasksError
 * passes through unchanged, an `AbortError` becomes `aborted`, anything else becomes
 * `<code>: [webtasks:<adapter>] Failed to <doing>: <detail> (<advice>)`.
 */
export function wrapAdapterError(
  adapter: string,
  error: unknown,
  options: WrapAdapterErrorOptions,
): WebTasksError {
  if (WebTasksError.isInstance(error)) return error;
  if ((error as Error | null)?.name === 'AbortError') {
    return createAdapterError(adapter, {
      code: 'aborted',
      message: `${options.doing} was aborted`,
      cause: error,
    });
  }
  const detail = options.detail ?? (error instanceof Error ? error.message : String(error));
  return createAdapterError(adapter, {
    code: options.code ?? 'storage-error',
    message: `Failed to ${options.doing}: ${detail} (${options.advice})`,
    cause: error,
    retryable: options.retryable,
    details: options.details,
  });
}
