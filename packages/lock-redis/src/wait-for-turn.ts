import { abortedError, throwIfAborted } from '@webtasks/core';
import { lockTimeoutError, PREFIX } from './errors.js';
import type { Wakeups } from './wakeups.js';

/** The outcome of one try: granted, or not yet (with a hint of when to try again). */
export type Attempt<T> = { granted: true; value: T } | { granted: false; retryInMs: number };

/** How to wait for one lock or slot. */
export interface WaitOptions<T> {
  /** What is awaited, for error messages (`lock "x"`). */
  what: string;
  details: unknown;
  /** One atomic try; `join` asks to be queued when not granted. */
  attempt(join: boolean): Promise<Attempt<T>>;
  /** Leave the queue (after a timeout, an abort or a failure). */
  leave(): Promise<void>;
  /** Give back what a try won after the caller stopped waiting. */
  undo(value: T): Promise<void>;
  channel: string;
  wakeups: Wakeups;
  waitMs: number | undefined;
  signal: AbortSignal | undefined;
  /** Longest sleep between tries (the waiter's heartbeat is refreshed on each try). */
  pollIntervalMs: number;
}

/**
 * Try once; if not granted, queue up and try again on every wakeup message, after the
 * retry hint, or at least every poll interval, until granted, `waitMs` runs out
 * (`lock-timeout`) or the signal fires (`aborted`). A waiter that gives up leaves the queue.
 */
export async function waitForTurn<T>(options: WaitOptions<T>): Promise<T> {
  const { signal, waitMs } = options;
  throwIfAborted(signal, `${PREFIX} Waiting for ${options.what}`);
  const first = await options.attempt(waitMs !== 0);
  if (first.granted) return first.value;
  if (waitMs === 0) throw lockTimeoutError(options.what, 0, options.details);

  const deadline = waitMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + waitMs;
  let wake: (() => void) | undefined;
  let woken = false;
  const onWake = (): void => {
    woken = true;
    wake?.();
  };
  const stopListening = await options.wakeups.listen(options.channel, onWake);
  const onAbort = (): void => wake?.();
  signal?.addEventListener('abort', onAbort);
  let retryInMs = 0; // a release may have happened before we subscribed: try again at once
  try {
    for (;;) {
      const remaining = deadline - Date.now();
      if (signal?.aborted) throw abortedError(signal, `${PREFIX} Waiting for ${options.what}`);
      if (remaining <= 0) throw lockTimeoutError(options.what, waitMs ?? 0, options.details);
      if (!woken && retryInMs > 0) {
        const delay = Math.min(retryInMs, options.pollIntervalMs, remaining);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
        retryInMs = 0;
        continue;
      }
      woken = false;
      const next = await options.attempt(true);
      if (next.granted) {
        if (signal?.aborted) {
          await options.undo(next.value).catch(() => undefined);
          throw abortedError(signal, `${PREFIX} Waiting for ${options.what}`);
        }
        return next.value;
      }
      retryInMs = next.retryInMs > 0 ? next.retryInMs : options.pollIntervalMs;
    }
  } catch (error) {
    await options.leave().catch(() => undefined);
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    stopListening();
  }
}
