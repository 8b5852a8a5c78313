import type { TaskErrorCode } from '@webtasks/protocol';

/** How the engine treats one error code. */
export interface ErrorPolicy {
  /** The task error code (SPEC §3) a failed outcome reports. */
  task: TaskErrorCode;
  /**
   * Ends the task at once, wherever it is raised (a host call of generated code, a tool of the
   * agent, an effect of the executor): no model turn or repair can fix it.
   */
  fatal: boolean;
  /** Whether trying again later may succeed, when the error does not say itself. */
  retryable: boolean;
}

/**
 * Every error code the engine and its adapters raise, with its policy: the task error code a
 * failed outcome reports, whether it is fatal, and whether it is retryable by default. The one
 * place that decides these; `isFatalError` reads it.
 */
export const ERROR_CODES = {
  'invalid-request': { task: 'rejected', fatal: false, retryable: false },
  'invalid-config': { task: 'internal-error', fatal: true, retryable: false },
  unauthenticated: { task: 'unauthenticated', fatal: false, retryable: false },
  'not-found': { task: 'rejected', fatal: false, retryable: false },
  'workspace-rate-limited': { task: 'workspace-rate-limited', fatal: false, retryable: true },
  'no-ai-credits-left': { task: 'no-ai-credits-left', fatal: true, retryable: false },
  timeout: { task: 'timeout', fatal: false, retryable: false },
  rejected: { task: 'rejected', fatal: false, retryable: false },
  'policy-denied': { task: 'rejected', fatal: false, retryable: false },
  'site-unreachable': { task: 'rejected', fatal: false, retryable: false },
  // The upstream proxy is unreachable, refused by the policy or refused the credentials: no
  // repair of the code can fix the setting.
  'proxy-error': { task: 'rejected', fatal: true, retryable: false },
  'page-error': { task: 'rejected', fatal: false, retryable: false },
  'browser-crashed': { task: 'internal-error', fatal: false, retryable: false },
  'sandbox-crashed': { task: 'internal-error', fatal: false, retryable: false },
  'compile-error': { task: 'rejected', fatal: false, retryable: false },
  'budget-exhausted': { task: 'rejected', fatal: false, retryable: false },
  'model-auth': { task: 'unauthenticated', fatal: true, retryable: false },
  'model-not-found': { task: 'internal-error', fatal: false, retryable: false },
  'model-unavailable': { task: 'internal-error', fatal: false, retryable: true },
  /** The task needs the agent (explore, repair, `ctx.ai`) and no model is configured. */
  'model-not-configured': { task: 'rejected', fatal: true, retryable: false },
  'model-error': { task: 'internal-error', fatal: false, retryable: false },
  conflict: { task: 'internal-error', fatal: false, retryable: false },
  'lock-timeout': { task: 'internal-error', fatal: false, retryable: true },
  'lock-lost': { task: 'internal-error', fatal: false, retryable: false },
  'storage-error': { task: 'internal-error', fatal: false, retryable: true },
  aborted: { task: 'internal-error', fatal: true, retryable: false },
  'internal-error': { task: 'internal-error', fatal: false, retryable: false },
  canceled: { task: 'canceled', fatal: true, retryable: false },
} as const satisfies Record<string, ErrorPolicy>;

/** A code of `WebTasksError`. */
export type ErrorCode = keyof typeof ERROR_CODES;

const MARKER = Symbol.for('webtasks.error');

/** Options of a `WebTasksError`. */
export interface WebTasksErrorOptions {
  code: ErrorCode;
  /** What happened and what to do about it. */
  message: string;
  cause?: unknown;
  /** Trying again later may succeed. Defaults to the code's policy in `ERROR_CODES`. */
  retryable?: boolean;
  /** Structured details (validation issues, the offending field). */
  details?: unknown;
}

/**
 * The one error type of webtasks. Identity survives two installed copies of the package:
 * use `WebTasksError.isInstance(e)`, not `instanceof`.
 */
export class WebTasksError extends Error {
  readonly [MARKER] = true;
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: unknown;

  constructor(options: WebTasksErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WebTasksError';
    this.code = options.code;
    this.retryable = options.retryable ?? ERROR_CODES[options.code].retryable;
    this.details = options.details;
  }

  /** True for any WebTasksError, from this copy of the package or another. */
  static isInstance(value: unknown): value is WebTasksError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }

  /** True when `value` is a WebTasksError with this code. */
  static hasCode(value: unknown, code: ErrorCode): value is WebTasksError {
    return WebTasksError.isInstance(value) && value.code === code;
  }

  /** The task error code a failed outcome reports for this error. */
  get taskErrorCode(): TaskErrorCode {
    return ERROR_CODES[this.code]?.task ?? 'internal-error';
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

/** Whether `error` must end the task at once (its code's `fatal` policy in `ERROR_CODES`). */
export function isFatalError(error: unknown): boolean {
  return WebTasksError.isInstance(error) && (ERROR_CODES[error.code]?.fatal ?? false);
}

/** Wrap anything thrown into a WebTasksError (unknown errors become `internal-error`). */
export function toWebTasksError(
  error: unknown,
  fallbackMessage = 'Unexpected internal error',
): WebTasksError {
  if (WebTasksError.isInstance(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new WebTasksError({
    code: 'internal-error',
    message: `${fallbackMessage}: ${message}`,
    cause: error,
  });
}

/** The error an aborted call rejects with. */
export function abortedError(signal?: AbortSignal, what = 'The operation'): WebTasksError {
  const reason = signal?.reason;
  if (WebTasksError.isInstance(reason)) return reason;
  return new WebTasksError({ code: 'aborted', message: `${what} was aborted`, cause: reason });
}

/** Throw `aborted` if the signal already fired. */
export function throwIfAborted(signal: AbortSignal | undefined, what?: string): void {
  if (signal?.aborted) throw abortedError(signal, what);
}

// The product is spelled WebTasks in public names (WebTasksEngine, WebTasksClient). The old
// spellings stay for one release so code written against them keeps compiling.
/**
 * @deprecated Use `WebTasksError`; this alias is removed in the next major release.
 * @alias
 */
export const WebtasksError = WebTasksError;
/** @deprecated Use `WebTasksError`; this alias is removed in the next major release. */
export type WebtasksError = WebTasksError;
/** @deprecated Use `WebTasksErrorOptions`; this alias is removed in the next major release. */
export type WebtasksErrorOptions = WebTasksErrorOptions;
/**
 * @deprecated Use `toWebTasksError`; this alias is removed in the next major release.
 * @alias
 */
export const toWebtasksError = toWebTasksError;
