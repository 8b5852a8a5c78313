import { type WebTasksError, wrapAdapterError } from '@webtasks/core';

/** Wrap an unexpected filesystem failure, keeping WebTasksErrors as they are. */
export function storageError(adapter: string, action: string, cause: unknown): WebTasksError {
  if (cause instanceof RangeError) {
    // Not the disk: a value too deeply nested (or too large) to serialise.
    return wrapAdapterError(adapter, cause, {
      code: 'invalid-request',
      doing: action,
      advice: "the value is too deeply nested or too large to store as JSON: flatten the task's parameters",
      retryable: false,
    });
  }
  return wrapAdapterError(adapter, cause, {
    doing: action,
    advice: 'check that the store directory exists, is writable and has free space',
    retryable: true,
  });
}

/** Run `work`, turning filesystem failures into `storage-error`. */
export async function guard<T>(adapter: string, action: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw storageError(adapter, action, error);
  }
}
