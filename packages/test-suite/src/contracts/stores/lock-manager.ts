import { randomUUID } from 'node:crypto';
import type { Lease, LockManager } from '@webtasks/core';
import { describe, expect } from 'vitest';
import {
  type ContractOptions,
  contractTests,
  expectWebTasksError,
  sleep,
  trackSettled,
  waitUntil,
} from './contract-options.js';

const lockName = (): string => `lock:${randomUUID()}`;

/**
 * The LockManager contract: mutual exclusion with fencing tokens, TTL expiry, timeouts,
 * abort, FIFO when `capabilities.fair`, and counting semaphores with slot expiry.
 */
export function describeLockManagerContract(options: ContractOptions<LockManager>): void {
  describe(`LockManager contract: ${options.name}`, () => {
    const test = contractTests(options);

    test('declares specification v1 and its capabilities', async (locks) => {
      expect(locks.specificationVersion).toBe('v1');
      expect(typeof locks.capabilities.fair).toBe('boolean');
      expect(typeof locks.capabilities.distributed).toBe('boolean');
    });

    test('close() is idempotent and rejects a waiting acquirer with aborted', async (locks) => {
      const name = lockName();
      await locks.acquire({ name, ttlMs: 5_000 });
      const waiting = locks.acquire({ name, ttlMs: 5_000, waitMs: 5_000 });
      // Handled from the start: close() may reject it before it resolves itself.
      const refused = expectWebTasksError(waiting, 'aborted');
      await sleep(50);
      await locks.close();
      await refused;
      await locks.close(); // and the suite's cleanup closes a third time
    });

    test('acquire returns a lease and release frees the lock', async (locks) => {
      const name = lockName();
      const before = Date.now();
      const lease = await locks.acquire({ name, ttlMs: 5_000 });
      expect(lease.name).toBe(name);
      expect(Number.isInteger(lease.fencingToken)).toBe(true);
      expect(typeof lease.holderId).toBe('string');
      expect(lease.expiresAt).toBeGreaterThanOrEqual(before + 4_000);
      await locks.release({ lease });
      const again = await locks.acquire({ name, ttlMs: 5_000, waitMs: 200 });
      await locks.release({ lease: again });
    });

    test('a second acquirer waits until the holder releases', async (locks) => {
      const name = lockName();
      const first = await locks.acquire({ name, ttlMs: 5_000 });
      const second = locks.acquire({ name, ttlMs: 5_000, waitMs: 3_000 });
      const state = trackSettled(second);
      await sleep(150);
      expect(state.settled).toBe(false);
      await locks.release({ lease: first });
      const lease = await second;
      expect(lease.fencingToken).toBeGreaterThan(first.fencingToken);
      await locks.release({ lease });
    });

    test('different names do not block each other', async (locks) => {
      const first = await locks.acquire({ name: lockName(), ttlMs: 5_000 });
      const second = await locks.acquire({ name: lockName(), ttlMs: 5_000, waitMs: 200 });
      await locks.release({ lease: first });
      await locks.release({ lease: second });
    });

    test('fencing tokens strictly increase across holders', async (locks) => {
      const name = lockName();
      const tokens: number[] = [];
      for (let index = 0; index < 5; index += 1) {
        const lease = await locks.acquire({ name, ttlMs: 5_000, waitMs: 1_000 });
        tokens.push(lease.fencingToken);
        await locks.release({ lease });
      }
      const expiring = await locks.acquire({ name, ttlMs: 60, waitMs: 1_000 });
      tokens.push(expiring.fencingToken);
      const taker = await locks.acquire({ name, ttlMs: 5_000, waitMs: 2_000 });
      tokens.push(taker.fencingToken);
      await locks.release({ lease: taker });
      for (let index = 1; index < tokens.length; index += 1) {
        expect(tokens[index]).toBeGreaterThan(tokens[index - 1] as number);
      }
    });

    test('extend keeps the lease past its first expiry', async (locks) => {
      const name = lockName();
      const lease = await locks.acquire({ name, ttlMs: 150 });
      const extended = await locks.extend({ lease, ttlMs: 2_000 });
      expect(extended.expiresAt).toBeGreaterThan(lease.expiresAt);
      expect(extended.fencingToken).toBe(lease.fencingToken);
      await sleep(250);
      await expectWebTasksError(locks.acquire({ name, ttlMs: 1_000, waitMs: 100 }), 'lock-timeout');
      await locks.release({ lease: extended });
      const next = await locks.acquire({ name, ttlMs: 1_000, waitMs: 200 });
      await locks.release({ lease: next });
    });

    test("an expired lease is taken over; the old holder's extend fails and its release is ignored", async (locks) => {
      const name = lockName();
      const stale = await locks.acquire({ name, ttlMs: 100 });
      await sleep(200);
      const current = await locks.acquire({ name, ttlMs: 5_000, waitMs: 1_000 });
      expect(current.fencingToken).toBeGreaterThan(stale.fencingToken);
      await expectWebTasksError(locks.extend({ lease: stale, ttlMs: 5_000 }), 'lock-lost');
      await locks.release({ lease: stale });
      await expectWebTasksError(locks.acquire({ name, ttlMs: 1_000, waitMs: 100 }), 'lock-timeout');
      await locks.release({ lease: current });
    });

    test('a waiter gets the lock when the holding lease expires', async (locks) => {
      const name = lockName();
      const dead = await locks.acquire({ name, ttlMs: 150 });
      const started = Date.now();
      const lease = await locks.acquire({ name, ttlMs: 5_000, waitMs: 3_000 });
      expect(Date.now() - started).toBeLessThan(2_500);
      expect(lease.fencingToken).toBeGreaterThan(dead.fencingToken);
      await locks.release({ lease });
    });

    test('waitMs elapsed → lock-timeout', async (locks) => {
      const name = lockName();
      const held = await locks.acquire({ name, ttlMs: 5_000 });
      const started = Date.now();
      await expectWebTasksError(locks.acquire({ name, ttlMs: 1_000, waitMs: 150 }), 'lock-timeout');
      const waited = Date.now() - started;
      expect(waited).toBeGreaterThanOrEqual(120);
      expect(waited).toBeLessThan(2_000);
      await locks.release({ lease: held });
    });

    test('an aborted waiter rejects with aborted and leaves the queue', async (locks) => {
      const name = lockName();
      const held = await locks.acquire({ name, ttlMs: 5_000 });
      const controller = new AbortController();
      const waiting = locks.acquire({ name, ttlMs: 5_000, signal: controller.signal });
      const outcome = expectWebTasksError(waiting, 'aborted');
      await sleep(50);
      controller.abort();
      await outcome;
      await locks.release({ lease: held });
      const next = await locks.acquire({ name, ttlMs: 1_000, waitMs: 300 });
      await locks.release({ lease: next });
      await expectWebTasksError(
        locks.acquire({ name, ttlMs: 1_000, signal: AbortSignal.abort() }),
        'aborted',
      );
    });

    test('waiters acquire in request order when capabilities.fair', async (locks, context) => {
      if (!locks.capabilities.fair) context.skip();
      const name = lockName();
      const held = await locks.acquire({ name, ttlMs: 5_000 });
      const order: number[] = [];
      const waiters: Array<Promise<void>> = [];
      for (let index = 0; index < 10; index += 1) {
        waiters.push(
          locks.acquire({ name, ttlMs: 5_000, waitMs: 5_000 }).then(async (lease) => {
            order.push(index);
            await locks.release({ lease });
          }),
        );
        await sleep(15);
      }
      await locks.release({ lease: held });
      await Promise.all(waiters);
      expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });

    test('a semaphore never has more than limit holders with 30 concurrent acquirers', async (locks) => {
      const name = `sem:${randomUUID()}`;
      const limit = 3;
      let holders = 0;
      let most = 0;
      await Promise.all(
        Array.from({ length: 30 }, async () => {
          const slot = await locks.acquireSlot({ name, limit, ttlMs: 5_000, waitMs: 10_000 });
          holders += 1;
          most = Math.max(most, holders);
          await sleep(10);
          holders -= 1;
          await locks.releaseSlot({ slot });
        }),
      );
      expect(most).toBe(limit);
    });

    test('a semaphore slot is released, extended, and times out when all are taken', async (locks) => {
      const name = `sem:${randomUUID()}`;
      const first = await locks.acquireSlot({ name, limit: 2, ttlMs: 150 });
      expect(first.name).toBe(name);
      const second = await locks.acquireSlot({ name, limit: 2, ttlMs: 5_000 });
      const extended = await locks.extendSlot({ slot: first, ttlMs: 5_000 });
      expect(extended.expiresAt).toBeGreaterThan(first.expiresAt);
      await sleep(250);
      await expectWebTasksError(
        locks.acquireSlot({ name, limit: 2, ttlMs: 1_000, waitMs: 100 }),
        'lock-timeout',
      );
      await locks.releaseSlot({ slot: second });
      const third = await locks.acquireSlot({ name, limit: 2, ttlMs: 1_000, waitMs: 300 });
      await locks.releaseSlot({ slot: extended });
      await locks.releaseSlot({ slot: third });
    });

    test('slots of a dead holder are reclaimed after their ttl', async (locks) => {
      const name = `sem:${randomUUID()}`;
      const dead = [
        await locks.acquireSlot({ name, limit: 2, ttlMs: 100 }),
        await locks.acquireSlot({ name, limit: 2, ttlMs: 100 }),
      ];
      const started = Date.now();
      const live = [
        await locks.acquireSlot({ name, limit: 2, ttlMs: 5_000, waitMs: 3_000 }),
        await locks.acquireSlot({ name, limit: 2, ttlMs: 5_000, waitMs: 3_000 }),
      ];
      expect(Date.now() - started).toBeLessThan(2_500);
      await expectWebTasksError(
        locks.extendSlot({ slot: dead[0] as (typeof dead)[0], ttlMs: 5_000 }),
        'lock-lost',
      );
      for (const slot of dead) await locks.releaseSlot({ slot });
      await expectWebTasksError(
        locks.acquireSlot({ name, limit: 2, ttlMs: 1_000, waitMs: 100 }),
        'lock-timeout',
      );
      for (const slot of live) await locks.releaseSlot({ slot });
    });

    test('an aborted slot waiter rejects with aborted and leaves the queue', async (locks) => {
      const name = `sem:${randomUUID()}`;
      const held = await locks.acquireSlot({ name, limit: 1, ttlMs: 5_000 });
      const controller = new AbortController();
      const outcome = expectWebTasksError(
        locks.acquireSlot({ name, limit: 1, ttlMs: 5_000, signal: controller.signal }),
        'aborted',
      );
      await sleep(50);
      controller.abort();
      await outcome;
      await locks.releaseSlot({ slot: held });
      const next = await locks.acquireSlot({ name, limit: 1, ttlMs: 1_000, waitMs: 300 });
      await locks.releaseSlot({ slot: next });
    });

    test('a lock has one holder at a time under 8 concurrent acquirers', async (locks) => {
      const name = lockName();
      let inside = 0;
      let overlapped = false;
      const tokens: number[] = [];
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          const lease: Lease = await locks.acquire({ name, ttlMs: 5_000, waitMs: 10_000 });
          inside += 1;
          if (inside > 1) overlapped = true;
          tokens.push(lease.fencingToken);
          await sleep(5);
          inside -= 1;
          await locks.release({ lease });
        }),
      );
      expect(overlapped).toBe(false);
      expect(new Set(tokens).size).toBe(8);
      await waitUntil(() => inside === 0, 100, 'all holders to leave');
    });

    test.checkSkips();
  });
}
