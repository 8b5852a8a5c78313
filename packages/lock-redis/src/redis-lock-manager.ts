import { randomUUID } from 'node:crypto';
import {
  keepLeaseAlive,
  type Lease,
  type LeaseKeepAlive,
  type LockManager,
  type Logger,
  type SemaphoreSlot,
  silentLogger,
  WebTasksError,
} from '@webtasks/core';
import { Redis } from 'ioredis';
import { invalidRequest, lockLostError, PREFIX, redisError } from './errors.js';
import { nameKeys } from './keys.js';
import { luaScript } from './lua-script.js';
import {
  ACQUIRE_LOCK,
  ACQUIRE_SLOT,
  EXTEND_LOCK,
  EXTEND_SLOT,
  LEAVE_QUEUE,
  RELEASE_LOCK,
  RELEASE_SLOT,
} from './scripts.js';
import { type Attempt, waitForTurn } from './wait-for-turn.js';
import { Wakeups } from './wakeups.js';

/** Options of `createRedisLockManager`. */
export interface RedisLockManagerOptions {
  /** An ioredis client you own (never closed by the manager; a duplicate is used for pub/sub). */
  redis?: Redis;
  /** Instead of `redis`: a URL (`redis://127.0.0.1:6379`) the manager connects to and closes. */
  url?: string;
  /** Prefix of every key and channel. Default `webtasks:`. */
  prefix?: string;
  /** Longest pause between a waiter's tries (wakeups usually come sooner). Default 250 ms. */
  pollIntervalMs?: number;
  /** How long a waiter keeps its place without trying again (a dead process's place lapses). Default 2 000 ms. */
  waiterHeartbeatMs?: number;
  logger?: Logger;
}

/** A Redis LockManager plus a lease renewal helper. */
export interface RedisLockManager extends LockManager {
  /** Renew `lease` in the background until stopped; see `keepLeaseAlive`. */
  keepAlive(options: { lease: Lease; ttlMs: number; intervalMs?: number }): LeaseKeepAlive;
  close(): Promise<void>;
}

const scripts = {
  acquireLock: luaScript(ACQUIRE_LOCK),
  extendLock: luaScript(EXTEND_LOCK),
  releaseLock: luaScript(RELEASE_LOCK),
  leaveQueue: luaScript(LEAVE_QUEUE),
  acquireSlot: luaScript(ACQUIRE_SLOT),
  extendSlot: luaScript(EXTEND_SLOT),
  releaseSlot: luaScript(RELEASE_SLOT),
};

function checkPositive(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value <= 0)
    throw invalidRequest(`${name} must be a whole number of ms > 0.`);
}

function checkName(name: string): void {
  if (typeof name !== 'string' || name === '')
    throw invalidRequest('A lock name must be a non-empty string.');
}

/**
 * Locks and semaphores on Redis, shared by every process using the same Redis and prefix.
 *
 * - A lock is a key holding `<fencingToken>:<holderId>` with a PX expiry; the token comes
 *   from `INCR` on a per-name counter, so it strictly increases. Extend and release are
 *   Lua scripts that check the value, so a stale holder can neither extend nor release.
 * - Waiters are served first come, first served: each joins a per-name queue (a sorted set
 *   in arrival order) and only the head may take a free lock (for a semaphore with `k` free
 *   slots, the first `k`). A waiter refreshes a heartbeat on every try; a waiter whose
 *   heartbeat lapses (its process died) is dropped from the queue by the next try of anyone.
 * - Waiters are woken by pub/sub messages on release, and poll as a fallback.
 * - A semaphore is a sorted set of holder ids scored by expiry; expired slots are reclaimed
 *   by the next acquire.
 */
export function createRedisLockManager(options: RedisLockManagerOptions): RedisLockManager {
  if (!options.redis && !options.url) {
    throw new WebTasksError({
      code: 'invalid-config',
      message: `${PREFIX} Pass either \`redis\` (an ioredis client) or \`url\` (redis://host:6379).`,
    });
  }
  const owned = !options.redis;
  const redis = options.redis ?? new Redis(options.url as string, { lazyConnect: false });
  const prefix = options.prefix ?? 'webtasks:';
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const heartbeatMs = options.waiterHeartbeatMs ?? 2_000;
  if (heartbeatMs < pollIntervalMs * 2) {
    throw invalidRequest(
      'waiterHeartbeatMs must be at least twice pollIntervalMs, or live waiters lose their place.',
    );
  }
  const logger = (options.logger ?? silentLogger).child({ adapter: 'lock-redis' });
  const wakeups = new Wakeups(() => redis.duplicate(), logger);
  const closing = new AbortController();
  if (owned)
    redis.on('error', (error: unknown) => logger.warn('redis connection error', { error: String(error) }));

  const run = async (
    script: keyof typeof scripts,
    keys: string[],
    args: Array<string | number>,
    doing: string,
  ) => {
    try {
      return await scripts[script].run(redis, keys, args);
    } catch (error) {
      throw redisError(error, doing);
    }
  };
  const waitSignal = (signal: AbortSignal | undefined): AbortSignal =>
    signal ? AbortSignal.any([signal, closing.signal]) : closing.signal;

  const manager: RedisLockManager = {
    specificationVersion: 'v1',
    capabilities: { fair: true, distributed: true },

    async acquire({ name, ttlMs, waitMs, signal }) {
      checkName(name);
      checkPositive(ttlMs, 'ttlMs');
      const keys = nameKeys(prefix, 'lock', name);
      const holderId = randomUUID();
      const waiterId = randomUUID();
      const what = `lock "${name}"`;
      return waitForTurn<Lease>({
        what,
        details: { name },
        channel: keys.channel,
        wakeups,
        waitMs,
        signal: waitSignal(signal),
        pollIntervalMs,
        attempt: async (join): Promise<Attempt<Lease>> => {
          const startedAt = Date.now();
          const [granted, value] = (await run(
            'acquireLock',
            [keys.holder, keys.fence, keys.queue, keys.alive, keys.sequence],
            [holderId, waiterId, ttlMs, heartbeatMs, join ? '1' : '0'],
            `acquire ${what}`,
          )) as [number, number];
          if (granted === 1)
            return {
              granted: true,
              value: { name, fencingToken: value, holderId, expiresAt: startedAt + ttlMs },
            };
          return { granted: false, retryInMs: value };
        },
        leave: () =>
          run(
            'leaveQueue',
            [keys.queue, keys.alive, keys.sequence],
            [waiterId, keys.channel],
            'leave a queue',
          ).then(() => undefined),
        undo: (lease) => manager.release({ lease }),
      });
    },

    async extend({ lease, ttlMs }) {
      checkPositive(ttlMs, 'ttlMs');
      const keys = nameKeys(prefix, 'lock', lease.name);
      const startedAt = Date.now();
      const extended = await run(
        'extendLock',
        [keys.holder],
        [`${lease.fencingToken}:${lease.holderId}`, ttlMs],
        `extend lock "${lease.name}"`,
      );
      if (extended !== 1)
        throw lockLostError(`Lock "${lease.name}"`, { name: lease.name, fencingToken: lease.fencingToken });
      return { ...lease, expiresAt: startedAt + ttlMs };
    },

    async release({ lease }) {
      const keys = nameKeys(prefix, 'lock', lease.name);
      const released = await run(
        'releaseLock',
        [keys.holder],
        [`${lease.fencingToken}:${lease.holderId}`, keys.channel],
        `release lock "${lease.name}"`,
      );
      if (released !== 1)
        logger.debug('release of a lease no longer held ignored', {
          name: lease.name,
          fencingToken: lease.fencingToken,
        });
    },

    async acquireSlot({ name, limit, ttlMs, waitMs, signal }) {
      checkName(name);
      checkPositive(ttlMs, 'ttlMs');
      if (!Number.isSafeInteger(limit) || limit < 1)
        throw invalidRequest('limit must be a whole number ≥ 1.');
      const keys = nameKeys(prefix, 'sem', name);
      const holderId = randomUUID();
      const waiterId = randomUUID();
      const what = `a slot of semaphore "${name}" (limit ${limit})`;
      return waitForTurn<SemaphoreSlot>({
        what,
        details: { name, limit },
        channel: keys.channel,
        wakeups,
        waitMs,
        signal: waitSignal(signal),
        pollIntervalMs,
        attempt: async (join): Promise<Attempt<SemaphoreSlot>> => {
          const startedAt = Date.now();
          const [granted, value] = (await run(
            'acquireSlot',
            [keys.holder, keys.queue, keys.alive, keys.sequence],
            [holderId, waiterId, limit, ttlMs, heartbeatMs, join ? '1' : '0', keys.channel],
            `acquire ${what}`,
          )) as [number, number];
          if (granted === 1)
            return { granted: true, value: { name, holderId, expiresAt: startedAt + ttlMs } };
          return { granted: false, retryInMs: value };
        },
        leave: () =>
          run(
            'leaveQueue',
            [keys.queue, keys.alive, keys.sequence],
            [waiterId, keys.channel],
            'leave a queue',
          ).then(() => undefined),
        undo: (slot) => manager.releaseSlot({ slot }),
      });
    },

    async extendSlot({ slot, ttlMs }) {
      checkPositive(ttlMs, 'ttlMs');
      const keys = nameKeys(prefix, 'sem', slot.name);
      const startedAt = Date.now();
      const extended = await run(
        'extendSlot',
        [keys.holder],
        [slot.holderId, ttlMs],
        `extend a slot of "${slot.name}"`,
      );
      if (extended !== 1) throw lockLostError(`A slot of semaphore "${slot.name}"`, { name: slot.name });
      return { ...slot, expiresAt: startedAt + ttlMs };
    },

    async releaseSlot({ slot }) {
      const keys = nameKeys(prefix, 'sem', slot.name);
      await run(
        'releaseSlot',
        [keys.holder],
        [slot.holderId, keys.channel],
        `release a slot of "${slot.name}"`,
      );
    },

    keepAlive({ lease, ttlMs, intervalMs }) {
      return keepLeaseAlive({
        locks: manager,
        lease,
        ttlMs,
        intervalMs,
        onError: (error) =>
          logger.warn('lease renewal failed; retrying', { name: lease.name, error: String(error) }),
      });
    },

    async close() {
      if (closing.signal.aborted) return;
      closing.abort(
        new WebTasksError({
          code: 'aborted',
          message: `${PREFIX} The lock manager was closed while waiting`,
        }),
      );
      await wakeups.close();
      if (owned) await redis.quit().catch(() => redis.disconnect());
    },
  };
  return manager;
}
