import { randomBytes } from 'node:crypto';
import {
  deleteRedisKeys,
  describeTaskQueueContract,
  REDIS_URL,
  uniqueRedisPrefix,
} from '@webtasks/test-suite';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { createBullMQTaskQueue } from './bullmq-task-queue.js';

const redis = new Redis(REDIS_URL);
// BullMQ keys are `<prefix>:<queue>:…`; a prefix per file keeps files apart.
const prefix = uniqueRedisPrefix('queue').slice(0, -1);

afterAll(async () => {
  await deleteRedisKeys(redis, prefix);
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
