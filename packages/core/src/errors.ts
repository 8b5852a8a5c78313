import type { TaskErrorCode } from '@webtasks/protocol';

/**
 * Every error code the engine and its adapters raise, with the task error code (SPEC §3)
 * a failed outcome reports for it.
 */
export const ERROR_CODES = {
  'invalid-request': 'rejected',
  'invalid-config': 'internal-error',
  unauthenticated: 'unauthenticated',
  'not-found': 'rejected',
  'workspace-rate-limited': 'workspace-rate-limited',
  'no-ai-credits-left': 'no-ai-credits-left',
  timeout: 'timeout',
  rejected: 'rejected',
  'policy-denied': 'rejected',
  'site-unreachable': 'rejected',
  'page-error': 'rejected',
  'browser-crashed': 'internal-error',
  'sandbox-crashed': 'internal-error',
  'compile-error': 'rejected',
  'budget-exhausted': 'rejected',
  'model-auth': 'unauthenticated',
  'model-not-found': 'internal-error',
  'model-unavailable': 'internal-error',
  'model-error': 'internal-error',
  conflict: 'internal-error',
  'lock-timeout': 'internal-error',
  'lock-lost': 'internal-error',
  'storage-error': 'internal-error',
  aborted: 'internal-error',
  'internal-error': 'internal-error',
} as const satisfies Record<string, TaskErrorCode>;

/** A code of `WebtasksError`. */
export type ErrorCode = keyof typeof ERROR_CODES;

const MARKER = Symbol.for('webtasks.error');

/** Options of a `WebtasksError`. */
export interface WebtasksErrorOptions {
  code: ErrorCode;
  /** What happened and what to do about it. */
  message: string;
  cause?: unknown;
  /** Trying again later may succeed. Defaults to false. */
  retryable?: boolean;
  /** Structured details (validation issues, the offending field). */
  details?: unknown;
}

/**
 * The one error type of webtasks. Identity survives two installed copies of the package:
 * use `WebtasksError.isInstance(e)`, not `instanceof`.
 */
export class WebtasksError extends Error {
  readonly [MARKER] = true;
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: unknown;

  constructor(options: WebtasksErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WebtasksError';
    this.code = options.code;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }

  /** True for any WebtasksError, from this copy of the package or another. */
  static isInstance(value: unknown): value is WebtasksError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }

  /** True when `value` is a WebtasksError with this code. */
  static hasCode(value: unknown, code: ErrorCode): value is WebtasksError {
    return WebtasksError.isInstance(value) && value.code === code;
  }

  /** The task error code a failed outcome reports for this error. */
  get taskErrorCode(): TaskErrorCode {
    return ERROR_CODES[this.code] ?? 'internal-error';
  }

  toJSON(): { code: ErrorCode; message: string; retryable: boolean; details?: unknown } {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

/** Wrap anything thrown into a WebtasksError (unknown errors become `internal-error`). */
export function toWebtasksError(
  error: unknown,
  fallbackMessage = 'Unexpected internal error',
): WebtasksError {
  if (WebtasksError.isInstance(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new WebtasksError({
    code: 'internal-error',
    message: `${fallbackMessage}: ${message}`,
    cause: error,
  });
}

/** The error an aborted call rejects with. */
export function abortedError(signal?: AbortSignal, what = 'The operation'): WebtasksError {
  const reason = signal?.reason;
  if (WebtasksError.isInstance(reason)) return reason;
  return new WebtasksError({ code: 'aborted', message: `${what} was aborted`, cause: reason });
}

/** Throw `aborted` if the signal already fired. */
export function throwIfAborted(signal: AbortSignal | undefined, what?: string): void {
  if (signal?.aborted) throw abortedError(signal, what);
}
