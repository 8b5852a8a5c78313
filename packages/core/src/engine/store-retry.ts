import { abortedError, WebTasksError } from '../errors.js';
import type { Logger } from '../ports/clock.js';

/** Options of `retryStoreCall`. */
export interface StoreRetryOptions {
  /** What the call does, for the log ("complete the task record"). */
  what: string;
  logger: Logger;
  /** Stop retrying when it fires (the delivery was taken away or the worker stops). */
  signal?: AbortSignal;
  /** Give up after this long (the last error is thrown). Default 10 minutes. */
  maxWaitMs?: number;
  /** First wait; doubles up to `maxDelayMs`. Defaults 200 ms and 5 s. */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/** Whether a store failure may pass by itself (the database restarting, a dropped connection). */
export function isTransientStoreError(error: unknown): boolean {
  return WebTasksError.isInstance(error) && error.retryable && error.code === 'storage-error';
}

/**
 * Run a store call until it succeeds, retrying while it fails with a transient storage error.
 * Used for the writes that follow a task's run: a database outage then delays the write
 * instead of failing the delivery, which would make the queue run the task again.
 */
export async function retryStoreCall<T>(call: () => Promise<T>, options: StoreRetryOptions): Promise<T> {
  const deadline = Date.now() + (options.maxWaitMs ?? 10 * 60_000);
  let delay = options.initialDelayMs ?? 200;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (!isTransientStoreError(error) || Date.now() + delay > deadline) throw error;
      if (options.signal?.aborted) throw abortedError(options.signal, options.what);
      if (attempt === 1 || attempt % 10 === 0) {
        options.logger.warn('the store is unavailable; retrying', {
          what: options.what,
          attempt,
          error: (error as Error).message,
        });
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, delay);
        function done() {
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', done);
          resolve();
        }
        options.signal?.addEventListener('abort', done, { once: true });
      });
      delay = Math.min(delay * 2, options.maxDelayMs ?? 5_000);
    }
  }
}
