import { WebtasksError } from '@webtasks/core';

/** Wrap an unexpected filesystem failure, keeping WebtasksErrors as they are. */
export function storageError(adapter: string, action: string, cause: unknown): WebtasksError {
  if (WebtasksError.isInstance(cause)) return cause;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new WebtasksError({
    code: 'storage-error',
    retryable: true,
    cause,
    message: `[webtasks:${adapter}] Could not ${action}: ${reason}. Check that the store directory exists, is writable and has free space.`,
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
