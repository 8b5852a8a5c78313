import { describe, expect, it } from 'vitest';
import { WebTasksError } from '../errors.js';
import type { Lease, SemaphoreSlot } from '../ports/lock-manager.js';
import { keepLeaseAlive, keepSlotAlive } from './lease-keep-alive.js';

const lease: Lease = { name: 'reuse:ws:k', holderId: 'h', fencingToken: 1, expiresAt: 0 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('keepLeaseAlive', () => {
  it('extends the newest lease on every tick until stopped', async () => {
    const extended: number[] = [];
    const running = keepLeaseAlive({
      locks: {
        async extend({ lease: current, ttlMs }) {
          extended.push(current.expiresAt);
          return { ...current, expiresAt: current.expiresAt + ttlMs };
        },
      },
      lease,
      ttlMs: 100,
      intervalMs: 10,
    });
    await sleep(80);
    running.stop();
    const ticks = extended.length;
    expect(ticks).toBeGreaterThanOrEqual(2);
    expect(extended.slice(0, 2)).toEqual([0, 100]);
    expect(running.lease.expiresAt).toBe(ticks * 100);
    await sleep(40);
    expect(extended).toHaveLength(ticks);
  });

  it('aborts its signal with lock-lost and stops; other failures are reported and retried', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const running = keepLeaseAlive({
      locks: {
        async extend() {
          calls += 1;
          if (calls === 1) throw new Error('Redis briefly down');
          throw new WebTasksError({ code: 'lock-lost', message: 'gone' });
        },
      },
      lease,
      ttlMs: 100,
      intervalMs: 5,
      onError: (error) => errors.push(error),
    });
    await sleep(60);
    expect(errors).toHaveLength(1);
    expect(running.signal.aborted).toBe(true);
    expect(WebTasksError.hasCode(running.signal.reason, 'lock-lost')).toBe(true);
    expect(calls).toBe(2);
    running.stop();
  });

  it('renews semaphore slots the same way', async () => {
    const slot: SemaphoreSlot = { name: 'workspace:ws', holderId: 'h', expiresAt: 0 };
    const running = keepSlotAlive({
      locks: { extendSlot: async ({ slot: current }) => ({ ...current, expiresAt: current.expiresAt + 1 }) },
      slot,
      ttlMs: 30,
      intervalMs: 5,
    });
    await sleep(40);
    running.stop();
    expect(running.current.expiresAt).toBeGreaterThanOrEqual(2);
  });
});
