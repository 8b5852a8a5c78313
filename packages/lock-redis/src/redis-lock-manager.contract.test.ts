import {
  deleteRedisKeys,
  describeLockManagerContract,
  REDIS_URL,
  uniqueRedisPrefix,
} from '@webtasks/test-suite';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { createRedisLockManager } from './redis-lock-manager.js';

const redis = new Redis(REDIS_URL);
const prefix = uniqueRedisPrefix('contract');

afterAll(async () => {
  await deleteRedisKeys(redis, prefix);
  await redis.quit();
});

describeLockManagerContract({
  name: 'redis',
  create: () => createRedisLockManager({ redis, prefix }),
});
