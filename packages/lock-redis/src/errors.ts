import { adapterPrefix, createAdapterError, type WebTasksError, wrapAdapterError } from '@webtasks/core';

const ADAPTER = 'lock-redis';

/** Prefix of every message this package writes. */
export const PREFIX = adapterPrefix(ADAPTER);

/** Wrap a Redis failure into a retryable `storage-error`. */
export function redisError(error: unknown, doing: string): WebTasksError {
  return wrapAdapterError(ADAPTER, error, {
    doing,
    advice: 'check that Redis is reachable; the call can be retried',
    retryable: true,
  });
}

/** The lease or slot is no longer held. */
export function lockLostError(what: string, details: unknown): WebTasksError {
  return createAdapterError(ADAPTER, {
    code: 'lock-lost',
    message: `${what} is no longer held (it expired and may belong to someone else now): stop the work it protects, or acquire it again.`,
    details,
  });
}

/** Waiting ran out. */
export function lockTimeoutError(what: string, waitMs: number, details: unknown): WebTasksError {
  return createAdapterError(ADAPTER, {
    code: 'lock-timeout',
    message: `Timed out after ${waitMs} ms waiting for ${what}: it is still held; retry later or raise waitMs.`,
    details,
  });
}

/** Bad arguments. */
export function invalidRequest(message: string): WebTasksError {
  return createAdapterError(ADAPTER, { code: 'invalid-request', message });
}
