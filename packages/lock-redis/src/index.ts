/** @deprecated Import `keepLeaseAlive` from `@webtasks/core`, where it works with any LockManager. */
export { keepLeaseAlive, type LeaseKeepAlive } from '@webtasks/core';
export {
  createRedisLockManager,
  type RedisLockManager,
  type RedisLockManagerOptions,
} from './redis-lock-manager.js';
