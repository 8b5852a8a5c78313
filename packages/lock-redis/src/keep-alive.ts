import { type Lease, type LockManager, WebtasksError } from '@webtasks/core';

/** A running renewal of one lease. */
export interface LeaseKeepAlive {
  /** The newest lease (its `expiresAt` moves on with each renewal). */
  readonly lease: Lease;
  /** Fires when a renewal failed with `lock-lost`: stop the protected work. */
  readonly signal: AbortSignal;
  /** Stop renewing (does not release the lease). */
  stop(): void;
}

/**
 * Extend `lease` by `ttlMs` every `intervalMs` (default a third of `ttlMs`) until stopped.
 * When the lease is lost, `signal` aborts with the `lock-lost` error and renewal stops;
 * other failures (Redis briefly unreachable) are retried at the next tick.
 */
export function keepLeaseAlive(options: {
  locks: Pick<LockManager, 'extend'>;
  lease: Lease;
  ttlMs: number;
  intervalMs?: number;
  onError?: (error: unknown) => void;
}): LeaseKeepAlive {
  const controller = new AbortController();
  const intervalMs = options.intervalMs ?? Math.max(10, Math.floor(options.ttlMs / 3));
  let lease = options.lease;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = async (): Promise<void> => {
    try {
      lease = await options.locks.extend({ lease, ttlMs: options.ttlMs });
    } catch (error) {
      if (WebtasksError.hasCode(error, 'lock-lost')) {
        stopped = true;
        controller.abort(error);
        return;
      }
      options.onError?.(error);
    }
    if (!stopped) timer = setTimeout(tick, intervalMs);
  };
  timer = setTimeout(tick, intervalMs);
  return {
    get lease() {
      return lease;
    },
    signal: controller.signal,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
