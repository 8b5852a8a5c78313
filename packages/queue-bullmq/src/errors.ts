import { adapterPrefix, createAdapterError, type WebTasksError, wrapAdapterError } from '@webtasks/core';

const ADAPTER = 'queue-bullmq';

/** Prefix of every message this package writes. */
export const PREFIX = adapterPrefix(ADAPTER);

/** Wrap a Redis/BullMQ failure into a retryable `storage-error`. */
export function queueError(error: unknown, doing: string): WebTasksError {
  return wrapAdapterError(ADAPTER, error, {
    doing,
    advice: 'check that Redis is reachable; the call can be retried',
    retryable: true,
  });
}

/** Bad arguments or options. */
export function invalid(code: 'invalid-request' | 'invalid-config', message: string): WebTasksError {
  return createAdapterError(ADAPTER, { code, message });
}
