import { WebtasksError } from '@webtasks/core';

/** Prefix of every message this package writes. */
export const PREFIX = '[webtasks:lock-redis]';

/** Wrap a Redis failure into a retryable `storage-error`. */
export function redisError(error: unknown, doing: string): WebtasksError {
  if (WebtasksError.isInstance(error)) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new WebtasksError({
    code: 'storage-error',
    message: `${PREFIX} Failed to ${doing}: ${detail} (check that Redis is reachable; the call can be retried)`,
    cause: error,
    retryable: true,
  });
}

/** The lease or slot is no longer held. */
export function lockLostError(what: string, details: unknown): WebtasksError {
  return new WebtasksError({
    code: 'lock-lost',
    message: `${PREFIX} ${what} is no longer held (it expired and may belong to someone else now): stop the work it protects, or acquire it again.`,
    details,
  });
}

/** Waiting ran out. */
export function lockTimeoutError(what: string, waitMs: number, details: unknown): WebtasksError {
  return new WebtasksError({
    code: 'lock-timeout',
    message: `${PREFIX} Timed out after ${waitMs} ms waiting for ${what}: it is still held; retry later or raise waitMs.`,
    details,
  });
}

/** Bad arguments. */
export function invalidRequest(message: string): WebtasksError {
  return new WebtasksError({ code: 'invalid-request', message: `${PREFIX} ${message}` });
}
