import { WebTasksError } from '../errors.js';
import type { Lease, LockManager, SemaphoreSlot } from '../ports/lock-manager.js';

/** A running renewal of one lease or semaphore slot. */
export interface KeepAlive<Held> {
  /** The newest lease or slot (its `expiresAt` moves on with each renewal). */
  readonly current: Held;
  /** Fires when a renewal failed with `lock-lost`: stop the protected work. */
  readonly signal: AbortSignal;
  /** Stop renewing (does not release anything). */
  stop(): void;
}

/** A running renewal of one lease. */
export interface LeaseKeepAlive extends KeepAlive<Lease> {
  /** The newest lease (same as `current`). */
  readonly lease: Lease;
}

interface RenewOptions<Held> {
  renew: (held: Held) => Promise<Held>;
  held: Held;
  ttlMs: number;
  /** Default: a third of `ttlMs`. */
  intervalMs?: number;
  /** A renewal failed with anything but `lock-lost` (it is tried again at the next tick). */
  onError?: (error: unknown) => void;
}

function renewUntilStopped<Held>(options: RenewOptions<Held>): KeepAlive<Held> {
  const controller = new AbortController();
  const intervalMs = options.intervalMs ?? Math.max(10, Math.floor(options.ttlMs / 3));
  let held = options.held;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = (): void => {
    timer = setTimeout(tick, intervalMs);
    timer.unref?.();
  };
  const tick = async (): Promise<void> => {
    try {
      const renewed = await options.renew(held);
      if (!stopped) held = renewed;
    } catch (error) {
      if (WebTasksError.hasCode(error, 'lock-lost')) {
        stopped = true;
        controller.abort(error);
        return;
      }
      options.onError?.(error);
    }
    if (!stopped) schedule();
  };
  schedule();
  return {
    get current() {
      return held;
    },
    signal: controller.signal,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/**
 * Extend `lease` by `ttlMs` every `intervalMs` (default a third of `ttlMs`) until stopped.
 * When the lease is lost, `signal` aborts with the `lock-lost` error and renewal stops;
 * other failures (the backend briefly unreachable) go to `onError` and are retried at the
 * next tick. Works with any `LockManager`.
 */
export function keepLeaseAlive(
  options: { locks: Pick<LockManager, 'extend'>; lease: Lease } & Omit<RenewOptions<Lease>, 'renew' | 'held'>,
): LeaseKeepAlive {
  const { locks, lease, ...rest } = options;
  const running = renewUntilStopped({
    ...rest,
    held: lease,
    renew: (current) => locks.extend({ lease: current, ttlMs: options.ttlMs }),
  });
  return {
    get lease() {
      return running.current;
    },
    get current() {
      return running.current;
    },
    signal: running.signal,
    stop: running.stop,
  };
}

/** `keepLeaseAlive` for a workspace semaphore slot. */
export function keepSlotAlive(
  options: { locks: Pick<LockManager, 'extendSlot'>; slot: SemaphoreSlot } & Omit<
    RenewOptions<SemaphoreSlot>,
    'renew' | 'held'
  >,
): KeepAlive<SemaphoreSlot> {
  const { locks, slot, ...rest } = options;
  return renewUntilStopped({
    ...rest,
    held: slot,
    renew: (current) => locks.extendSlot({ slot: current, ttlMs: options.ttlMs }),
  });
}
