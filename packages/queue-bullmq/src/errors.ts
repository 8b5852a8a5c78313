import { WebtasksError } from '@webtasks/core';

/** Prefix of every message this package writes. */
export const PREFIX = '[webtasks:queue-bullmq]';

/** Wrap a Redis/BullMQ failure into a retryable `storage-error`. */
export function queueError(error: unknown, doing: string): WebtasksError {
  if (WebtasksError.isInstance(error)) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new WebtasksError({
    code: 'storage-error',
    message: `${PREFIX} Failed to ${doing}: ${detail} (check that Redis is reachable; the call can be retried)`,
    cause: error,
    retryable: true,
  });
}

/** Bad arguments or options. */
export function invalid(code: 'invalid-request' | 'invalid-config', message: string): WebtasksError {
  return new WebtasksError({ code, message: `${PREFIX} ${message}` });
}
