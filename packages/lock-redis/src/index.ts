export { keepLeaseAlive, type LeaseKeepAlive } from './keep-alive.js';
export {
  createRedisLockManager,
  type RedisLockManager,
  type RedisLockManagerOptions,
} from './redis-lock-manager.js';
