import type { CallOptions } from './common.js';

/** A held lock. */
export interface Lease {
  name: string;
  /**
   * Strictly increasing per lock name across every holder, ever. Writers pass it along so
   * that a holder whose lease expired can be told apart from the current one.
   */
  fencingToken: number;
  /** Epoch ms after which the lease is no longer held unless extended. */
  expiresAt: number;
  /** Opaque adapter data identifying this holder. */
  holderId: string;
}

/** A held slot of a counting semaphore. */
export interface SemaphoreSlot {
  name: string;
  holderId: string;
  expiresAt: number;
}

/** What a lock manager guarantees. */
export interface LockCapabilities {
  /** Waiters acquire in the order they asked (FIFO). */
  fair: boolean;
  /** Locks and slots are shared between processes. */
  distributed: boolean;
}

/**
 * Mutual exclusion per name (one run per reuse key at a time) and counting semaphores
 * (at most N runs per workspace). Leases expire after `ttlMs` unless extended, so a dead
 * holder never blocks forever.
 */
export interface LockManager {
  readonly specificationVersion: 'v1';
  readonly capabilities: LockCapabilities;
  /**
   * Wait until the lock is free, then hold it. Rejects with `lock-timeout` after `waitMs`
   * (default: wait forever) or `aborted` when the signal fires; a waiter that gives up
   * leaves the queue.
   */
  acquire(options: { name: string; ttlMs: number; waitMs?: number } & CallOptions): Promise<Lease>;
  /** Push the expiry further; rejects with `lock-lost` if the lease is no longer held. */
  extend(options: { lease: Lease; ttlMs: number } & CallOptions): Promise<Lease>;
  /** Release the lease if still held by this holder (a stale lease is ignored). */
  release(options: { lease: Lease } & CallOptions): Promise<void>;
  /** Wait for one of `limit` slots of semaphore `name`. Same waiting rules as `acquire`. */
  acquireSlot(
    options: { name: string; limit: number; ttlMs: number; waitMs?: number } & CallOptions,
  ): Promise<SemaphoreSlot>;
  /** Keep a slot alive; rejects with `lock-lost` if it expired and was given away. */
  extendSlot(options: { slot: SemaphoreSlot; ttlMs: number } & CallOptions): Promise<SemaphoreSlot>;
  /** Give a slot back. */
  releaseSlot(options: { slot: SemaphoreSlot } & CallOptions): Promise<void>;
  /**
   * Release resources (connections, timers); waiting acquirers reject with `aborted`.
   * Idempotent: a second call resolves without doing anything.
   */
  close(options?: CallOptions): Promise<void>;
}
