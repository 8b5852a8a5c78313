import { abortedError, WebTasksError } from '@webtasks/core';

/** One caller waiting in a FIFO queue for a lock or a semaphore slot. */
export interface Waiter<T> {
  /** Hand the resource over; the waiter leaves the queue. */
  grant(value: T): void;
  /** Give up: the waiter leaves the queue and its promise rejects. */
  fail(error: WebTasksError): void;
  /** Whatever the waiter asked for (the ttl, the semaphore limit). */
  readonly request: { ttlMs: number; limit?: number };
}

/** Options of `WaitQueue.wait`. */
export interface WaitOptions {
  ttlMs: number;
  limit?: number;
  waitMs?: number;
  signal?: AbortSignal;
  /** Used in the timeout message, e.g. `lock "a"`. */
  what: string;
  adapter: string;
}

/**
 * FIFO waiters with timeouts and abort: a waiter that gives up leaves the queue at once,
 * so it can never be granted the resource afterwards.
 */
export class WaitQueue<T> {
  readonly #waiters: Array<Waiter<T>> = [];
  #onChange: () => void;

  constructor(onChange: () => void) {
    this.#onChange = onChange;
  }

  get size(): number {
    return this.#waiters.length;
  }

  /** The waiter that is served next. */
  peek(): Waiter<T> | undefined {
    return this.#waiters[0];
  }

  /** Wait in line; `grant` on the returned waiter resolves the promise. */
  wait(options: WaitOptions): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const leave = (): void => {
        const index = this.#waiters.indexOf(waiter);
        if (index >= 0) this.#waiters.splice(index, 1);
        if (timer !== undefined) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      };
      const giveUp = (error: WebTasksError): void => {
        leave();
        reject(error);
        this.#onChange();
      };
      const onAbort = (): void => giveUp(abortedError(options.signal, `Waiting for ${options.what}`));
      const waiter: Waiter<T> = {
        fail: (error) => {
          leave();
          reject(error);
        },
        request: { ttlMs: options.ttlMs, ...(options.limit === undefined ? {} : { limit: options.limit }) },
        grant: (value) => {
          leave();
          resolve(value);
        },
      };
      this.#waiters.push(waiter);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.waitMs !== undefined) {
        timer = setTimeout(
          () =>
            giveUp(
              new WebTasksError({
                code: 'lock-timeout',
                message: `[webtasks:${options.adapter}] Gave up waiting for ${options.what} after ${options.waitMs} ms: another run still holds it. Try again later or raise waitMs.`,
                retryable: true,
              }),
            ),
          options.waitMs,
        );
      }
    });
  }

  /** Reject every waiter (on close). */
  rejectAll(error: WebTasksError): void {
    for (const waiter of [...this.#waiters]) waiter.fail(error);
  }
}
