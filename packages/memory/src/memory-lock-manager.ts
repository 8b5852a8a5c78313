import { randomUUID } from 'node:crypto';
import {
  type Lease,
  type LockManager,
  type SemaphoreSlot,
  throwIfAborted,
  WebTasksError,
} from '@webtasks/core';
import { WaitQueue } from './wait-queue.js';

/** Options of `createMemoryLockManager` (none yet; reserved for later). */
export type MemoryLockManagerOptions = Record<string, never>;

const ADAPTER = 'memory-lock-manager';

interface Held {
  holderId: string;
  fencingToken: number;
  expiresAt: number;
  timer?: NodeJS.Timeout;
}

interface LockState {
  holder?: Held;
  waiters: WaitQueue<Lease>;
}

interface SemaphoreState {
  slots: Map<string, Held>;
  waiters: WaitQueue<SemaphoreSlot>;
}

function lost(what: string): WebTasksError {
  return new WebTasksError({
    code: 'lock-lost',
    message: `[webtasks:${ADAPTER}] ${what} expired and may belong to another holder now: stop the work it protects, and extend sooner (well before ttlMs).`,
  });
}

/**
 * Locks and counting semaphores in process memory: fair (FIFO) waiting, fencing tokens,
 * and leases that expire after `ttlMs` unless extended (`capabilities: { fair: true, distributed: false }`).
 */
export function createMemoryLockManager(_options: MemoryLockManagerOptions = {}): LockManager {
  const locks = new Map<string, LockState>();
  const semaphores = new Map<string, SemaphoreState>();
  let lastFencingToken = 0;

  // An expiry timer only keeps the process alive while someone waits for the resource.
  const armExpiry = (held: Held, waiting: boolean, onExpired: () => void): void => {
    if (held.timer !== undefined) clearTimeout(held.timer);
    held.timer = setTimeout(onExpired, Math.max(0, held.expiresAt - Date.now()) + 1);
    if (!waiting) held.timer.unref();
  };

  const lockState = (name: string): LockState => {
    let state = locks.get(name);
    if (state === undefined) {
      const created: LockState = { waiters: new WaitQueue<Lease>(() => pumpLock(name, created)) };
      state = created;
      locks.set(name, state);
    }
    return state;
  };

  const pumpLock = (name: string, state: LockState): void => {
    if (state.holder !== undefined && state.holder.expiresAt <= Date.now()) {
      clearTimeout(state.holder.timer);
      state.holder = undefined;
    }
    if (state.holder === undefined) {
      const next = state.waiters.peek();
      if (next !== undefined) next.grant(grantLock(name, state, next.request.ttlMs));
    }
    if (state.holder !== undefined) state.holder.timer?.[state.waiters.size > 0 ? 'ref' : 'unref']();
    if (state.holder === undefined && state.waiters.size === 0 && locks.get(name) === state)
      locks.delete(name);
  };

  const grantLock = (name: string, state: LockState, ttlMs: number): Lease => {
    lastFencingToken += 1;
    const held: Held = {
      holderId: randomUUID(),
      fencingToken: lastFencingToken,
      expiresAt: Date.now() + ttlMs,
    };
    state.holder = held;
    armExpiry(held, state.waiters.size > 1, () => pumpLock(name, state));
    return { name, fencingToken: held.fencingToken, expiresAt: held.expiresAt, holderId: held.holderId };
  };

  const semaphoreState = (name: string): SemaphoreState => {
    let state = semaphores.get(name);
    if (state === undefined) {
      const created: SemaphoreState = {
        slots: new Map(),
        waiters: new WaitQueue(() => pumpSemaphore(name, created)),
      };
      state = created;
      semaphores.set(name, state);
    }
    return state;
  };

  const pumpSemaphore = (name: string, state: SemaphoreState): void => {
    const now = Date.now();
    for (const [holderId, held] of state.slots) {
      if (held.expiresAt <= now) {
        clearTimeout(held.timer);
        state.slots.delete(holderId);
      }
    }
    for (let next = state.waiters.peek(); next !== undefined; next = state.waiters.peek()) {
      if (state.slots.size >= (next.request.limit ?? 1)) break;
      next.grant(grantSlot(name, state, next.request.ttlMs));
    }
    for (const held of state.slots.values()) held.timer?.[state.waiters.size > 0 ? 'ref' : 'unref']();
    if (state.slots.size === 0 && state.waiters.size === 0 && semaphores.get(name) === state)
      semaphores.delete(name);
  };

  const grantSlot = (name: string, state: SemaphoreState, ttlMs: number): SemaphoreSlot => {
    const held: Held = { holderId: randomUUID(), fencingToken: 0, expiresAt: Date.now() + ttlMs };
    state.slots.set(held.holderId, held);
    armExpiry(held, state.waiters.size > 1, () => pumpSemaphore(name, state));
    return { name, holderId: held.holderId, expiresAt: held.expiresAt };
  };

  return {
    specificationVersion: 'v1',
    capabilities: { fair: true, distributed: false },

    async acquire(options) {
      throwIfAborted(options.signal, `Acquiring lock "${options.name}"`);
      const state = lockState(options.name);
      pumpLock(options.name, state);
      if (state.holder === undefined && state.waiters.size === 0)
        return grantLock(options.name, lockState(options.name), options.ttlMs);
      const waiting = state.waiters.wait({ ...options, what: `lock "${options.name}"`, adapter: ADAPTER });
      state.holder?.timer?.ref();
      return waiting;
    },

    async extend(options) {
      throwIfAborted(options.signal);
      const { lease } = options;
      const state = locks.get(lease.name);
      if (state !== undefined) pumpLock(lease.name, state);
      const held = state?.holder;
      if (state === undefined || held === undefined || held.holderId !== lease.holderId)
        throw lost(`Lock "${lease.name}"`);
      held.expiresAt = Date.now() + options.ttlMs;
      armExpiry(held, state.waiters.size > 0, () => pumpLock(lease.name, state));
      return { ...lease, expiresAt: held.expiresAt };
    },

    async release(options) {
      const state = locks.get(options.lease.name);
      if (state?.holder === undefined || state.holder.holderId !== options.lease.holderId) return;
      clearTimeout(state.holder.timer);
      state.holder = undefined;
      pumpLock(options.lease.name, state);
    },

    async acquireSlot(options) {
      throwIfAborted(options.signal, `Acquiring a slot of semaphore "${options.name}"`);
      const state = semaphoreState(options.name);
      pumpSemaphore(options.name, state);
      if (state.waiters.size === 0 && state.slots.size < options.limit)
        return grantSlot(options.name, semaphoreState(options.name), options.ttlMs);
      const waiting = state.waiters.wait({
        ...options,
        what: `a slot of semaphore "${options.name}"`,
        adapter: ADAPTER,
      });
      for (const held of state.slots.values()) held.timer?.ref();
      return waiting;
    },

    async extendSlot(options) {
      throwIfAborted(options.signal);
      const { slot } = options;
      const state = semaphores.get(slot.name);
      if (state !== undefined) pumpSemaphore(slot.name, state);
      const held = state?.slots.get(slot.holderId);
      if (state === undefined || held === undefined) throw lost(`A slot of semaphore "${slot.name}"`);
      held.expiresAt = Date.now() + options.ttlMs;
      armExpiry(held, state.waiters.size > 0, () => pumpSemaphore(slot.name, state));
      return { ...slot, expiresAt: held.expiresAt };
    },

    async releaseSlot(options) {
      const state = semaphores.get(options.slot.name);
      const held = state?.slots.get(options.slot.holderId);
      if (state === undefined || held === undefined) return;
      clearTimeout(held.timer);
      state.slots.delete(options.slot.holderId);
      pumpSemaphore(options.slot.name, state);
    },

    async close() {
      const closed = new WebTasksError({
        code: 'aborted',
        message: `[webtasks:${ADAPTER}] The lock manager was closed while waiting.`,
      });
      for (const state of locks.values()) {
        clearTimeout(state.holder?.timer);
        state.waiters.rejectAll(closed);
      }
      for (const state of semaphores.values()) {
        for (const held of state.slots.values()) clearTimeout(held.timer);
        state.waiters.rejectAll(closed);
      }
      locks.clear();
      semaphores.clear();
    },
  };
}
