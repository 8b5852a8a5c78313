import { randomUUID } from 'node:crypto';
import type { Lease } from '@webtasks/core';
import { deleteRedisKeys, REDIS_URL, uniqueRedisPrefix } from '@webtasks/test-suite';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { nameKeys } from './keys.js';
import { createRedisLockManager, type RedisLockManager } from './redis-lock-manager.js';

const redis = new Redis(REDIS_URL);
const prefix = uniqueRedisPrefix('lock');
const managers: RedisLockManager[] = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A manager on its own connection, as another process would have. */
function processLike(): RedisLockManager {
  const manager = createRedisLockManager({ url: REDIS_URL, prefix });
  managers.push(manager);
  return manager;
}

afterAll(async () => {
  await Promise.all(managers.map((manager) => manager.close()));
  await deleteRedisKeys(redis, prefix);
  await redis.quit();
});

function percentile(samples: number[], fraction: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] as number;
}

describe('Redis lock manager', () => {
  it('4 processes × 20 acquisitions: one holder at a time, tokens increase in grant order', async () => {
    const name = `contended:${randomUUID()}`;
    const processes = [processLike(), processLike(), processLike(), processLike()];
    const granted: number[] = [];
    let inside = 0;
    let overlaps = 0;
    await Promise.all(
      processes.map(async (locks) => {
        for (let index = 0; index < 20; index += 1) {
          const lease = await locks.acquire({ name, ttlMs: 5_000, waitMs: 20_000 });
          inside += 1;
          if (inside > 1) overlaps += 1;
          granted.push(lease.fencingToken);
          await sleep(1);
          inside -= 1;
          await locks.release({ lease });
        }
      }),
    );
    expect(overlaps).toBe(0);
    expect(granted).toHaveLength(80);
    expect(granted).toEqual([...granted].sort((a, b) => a - b));
    expect(new Set(granted).size).toBe(80);
  });

  it('waiters from different processes are served in arrival order', async () => {
    const name = `fair:${randomUUID()}`;
    const [a, b] = [processLike(), processLike()];
    const held = await a.acquire({ name, ttlMs: 5_000 });
    const order: number[] = [];
    const waiters: Array<Promise<void>> = [];
    for (let index = 0; index < 8; index += 1) {
      const locks = index % 2 === 0 ? a : b;
      waiters.push(
        locks.acquire({ name, ttlMs: 5_000, waitMs: 5_000 }).then(async (lease) => {
          order.push(index);
          await sleep(5);
          await locks.release({ lease });
        }),
      );
      await sleep(10);
    }
    await a.release({ lease: held });
    await Promise.all(waiters);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('semaphore waiters are served in arrival order too', async () => {
    const name = `sem-fair:${randomUUID()}`;
    const [a, b] = [processLike(), processLike()];
    const held = await a.acquireSlot({ name, limit: 1, ttlMs: 5_000 });
    const order: number[] = [];
    const waiters: Array<Promise<void>> = [];
    for (let index = 0; index < 6; index += 1) {
      const locks = index % 2 === 0 ? a : b;
      waiters.push(
        locks.acquireSlot({ name, limit: 1, ttlMs: 5_000, waitMs: 10_000 }).then(async (slot) => {
          order.push(index);
          await locks.releaseSlot({ slot });
        }),
      );
      await sleep(15);
    }
    await a.releaseSlot({ slot: held });
    await Promise.all(waiters);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('a waiter whose process died loses its place once its heartbeat lapses', async () => {
    const name = `dead-waiter:${randomUUID()}`;
    const locks = processLike();
    const keys = nameKeys(prefix, 'lock', name);
    const held = await locks.acquire({ name, ttlMs: 5_000 });
    // A waiter that queued and then died: first in line, heartbeat lapsing in 400 ms.
    const [seconds, micros] = await redis.time();
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    await redis.zadd(keys.queue, 0, 'dead-waiter');
    await redis.zadd(keys.alive, now + 400, 'dead-waiter');
    await locks.release({ lease: held });
    const started = Date.now();
    const lease = await locks.acquire({ name, ttlMs: 5_000, waitMs: 8_000 });
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(4_000);
    expect(await redis.zscore(keys.queue, 'dead-waiter')).toBeNull();
    await locks.release({ lease });
  });

  it('a stale holder cannot extend or release after a takeover; tokens fence its writes', async () => {
    const name = `fencing:${randomUUID()}`;
    const [slow, fast] = [processLike(), processLike()];
    const stale = await slow.acquire({ name, ttlMs: 100 });
    const current = await fast.acquire({ name, ttlMs: 5_000, waitMs: 2_000 });
    expect(current.fencingToken).toBeGreaterThan(stale.fencingToken);
    // A storage that keeps the highest token it has seen refuses the stale writer.
    let highest = 0;
    const write = (lease: Lease) => {
      if (lease.fencingToken < highest) return false;
      highest = lease.fencingToken;
      return true;
    };
    expect(write(current)).toBe(true);
    expect(write(stale)).toBe(false);
    await expect(slow.extend({ lease: stale, ttlMs: 5_000 })).rejects.toMatchObject({ code: 'lock-lost' });
    await slow.release({ lease: stale });
    await expect(slow.acquire({ name, ttlMs: 1_000, waitMs: 50 })).rejects.toMatchObject({
      code: 'lock-timeout',
    });
    await fast.release({ lease: current });
  });

  it('keepAlive renews a short lease until stopped, and reports a lost lease', async () => {
    const name = `keepalive:${randomUUID()}`;
    const locks = processLike();
    const lease = await locks.acquire({ name, ttlMs: 150 });
    const renewal = locks.keepAlive({ lease, ttlMs: 150 });
    await sleep(450);
    await expect(locks.acquire({ name, ttlMs: 1_000, waitMs: 50 })).rejects.toMatchObject({
      code: 'lock-timeout',
    });
    expect(renewal.lease.expiresAt).toBeGreaterThan(lease.expiresAt);
    await redis.del(nameKeys(prefix, 'lock', name).holder);
    await sleep(150);
    expect(renewal.signal.aborted).toBe(true);
    expect(renewal.signal.reason).toMatchObject({ code: 'lock-lost' });
    renewal.stop();
  });

  it('close() rejects pending waiters with aborted', async () => {
    const name = `close:${randomUUID()}`;
    const holder = processLike();
    const held = await holder.acquire({ name, ttlMs: 5_000 });
    const closing = createRedisLockManager({ url: REDIS_URL, prefix });
    const waiting = closing.acquire({ name, ttlMs: 1_000 }).catch((error: unknown) => error);
    await sleep(50);
    await closing.close();
    expect(await waiting).toMatchObject({ code: 'aborted', message: expect.stringMatching(/closed/) });
    await holder.release({ lease: held });
  });

  it('measures uncontended acquire + release latency', async () => {
    const locks = processLike();
    const acquire: number[] = [];
    const release: number[] = [];
    for (let index = 0; index < 300; index += 1) {
      const name = `latency:${index % 10}`;
      let started = performance.now();
      const lease = await locks.acquire({ name, ttlMs: 5_000 });
      acquire.push(performance.now() - started);
      started = performance.now();
      await locks.release({ lease });
      release.push(performance.now() - started);
    }
    console.log(
      `[lock-redis] acquire p50 ${percentile(acquire, 0.5).toFixed(2)} ms p95 ${percentile(acquire, 0.95).toFixed(2)} ms; ` +
        `release p50 ${percentile(release, 0.5).toFixed(2)} ms p95 ${percentile(release, 0.95).toFixed(2)} ms`,
    );
    // Generous for a loaded CI box (unloaded: ~0.3 ms); a waiter stuck polling would show ~250 ms.
    expect(percentile(acquire, 0.5)).toBeLessThan(100);
  });
});
