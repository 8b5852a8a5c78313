import { adapterPrefix, createAdapterError, type WebTasksError, wrapAdapterError } from '@webtasks/core';

const ADAPTER = 'store-postgres';

/** Prefix of every message this package writes. */
export const PREFIX = adapterPrefix(ADAPTER);

/** SQLSTATE of a unique violation. */
export const UNIQUE_VIOLATION = '23505';

const RETRYABLE_SQLSTATE_CLASSES = ['08', '53', '57'];
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01', '55P03']);
const RETRYABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);

/** The SQLSTATE (or Node error code) of a pg error, if any. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Whether trying again later may succeed: connection trouble, serialization failures, deadlocks. */
export function isRetryable(error: unknown): boolean {
  const code = errorCode(error);
  if (code === undefined) {
    const message = error instanceof Error ? error.message : '';
    return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
      message,
    );
  }
  return (
    RETRYABLE_NODE_CODES.has(code) ||
    RETRYABLE_SQLSTATES.has(code) ||
    RETRYABLE_SQLSTATE_CLASSES.includes(code.slice(0, 2))
  );
}

/** Wrap a pg failure into a `storage-error` WebTasksError saying what was being done. */
export function storageError(error: unknown, doing: string): WebTasksError {
  const retryable = isRetryable(error);
  const sqlState = errorCode(error);
  return wrapAdapterError(ADAPTER, error, {
    doing,
    retryable,
    advice: retryable
      ? 'check that PostgreSQL is reachable; the call can be retried'
      : 'check the database schema (run migratePostgres) and the permissions of the database user',
    details: sqlState === undefined ? undefined : { sqlState },
  });
}

/** A `conflict` WebTasksError. */
export function conflictError(message: string, details?: unknown): WebTasksError {
  return createAdapterError(ADAPTER, { code: 'conflict', message, details });
}

/** A `not-found` WebTasksError. */
export function notFoundError(message: string, details?: unknown): WebTasksError {
  return createAdapterError(ADAPTER, { code: 'not-found', message, details });
}
