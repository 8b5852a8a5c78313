import { describeLockManagerContract } from '@webtasks/test-suite';
import { afterAll } from 'vitest';
import { createTestRedis, deleteKeys, uniquePrefix } from './__fixtures__/redis.js';
import { createRedisLockManager } from './redis-lock-manager.js';

const redis = createTestRedis();
const prefix = uniquePrefix('contract');

afterAll(async () => {
  await deleteKeys(redis, prefix);
  await redis.quit();
});

describeLockManagerContract({
  name: 'redis',
  create: () => createRedisLockManager({ redis, prefix }),
});
