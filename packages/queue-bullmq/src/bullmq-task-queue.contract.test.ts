import { randomBytes } from 'node:crypto';
import { describeTaskQueueContract } from '@webtasks/test-suite';
import { afterAll } from 'vitest';
import { createTestRedis, deleteKeys, REDIS_URL, uniquePrefix } from './__fixtures__/redis.js';
import { createBullMQTaskQueue } from './bullmq-task-queue.js';

const redis = createTestRedis();
// BullMQ keys are `<prefix>:<queue>:…`; a prefix per file keeps files apart.
const prefix = uniquePrefix('queue').slice(0, -1);

afterAll(async () => {
  await deleteKeys(redis, prefix);
  await redis.quit();
});

describeTaskQueueContract({
  name: 'bullmq',
  create: () =>
    createBullMQTaskQueue({
      url: REDIS_URL,
      prefix,
      queueName: `contract-${randomBytes(4).toString('hex')}`,
      retryDelayMs: 50,
      lockDurationMs: 2_000,
      stalledIntervalMs: 1_000,
    }),
});
