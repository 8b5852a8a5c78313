import { randomBytes, randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { QueueMessage } from '@webtasks/core';
import { deleteRedisKeys, REDIS_URL, uniqueRedisPrefix } from '@webtasks/test-suite';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleConsumerProcess, spawnNode } from './__fixtures__/child-process.js';
import { type BullMQTaskQueueOptions, createBullMQTaskQueue } from './bullmq-task-queue.js';

const redis = new Redis(REDIS_URL);
const prefix = uniqueRedisPrefix('bullmq').slice(0, -1);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let consumerScript: string;

beforeAll(async () => {
  consumerScript = await bundleConsumerProcess();
}, 60_000);

afterAll(async () => {
  if (consumerScript) await rm(consumerScript, { force: true });
  await deleteRedisKeys(redis, prefix);
  await redis.quit();
});

function message(): QueueMessage {
  return { workspaceId: `ws_${randomUUID()}`, webTaskId: `wt_${randomUUID()}` };
}

function queueOptions(overrides: Partial<BullMQTaskQueueOptions> = {}): BullMQTaskQueueOptions {
  return {
    url: REDIS_URL,
    prefix,
    queueName: `q-${randomBytes(4).toString('hex')}`,
    retryDelayMs: 20,
    ...overrides,
  };
}

async function waitUntil(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(10);
  }
}

describe('BullMQ task queue', () => {
  it('a consumer process killed with SIGKILL: its message is redelivered to another process after the stall interval', async () => {
    const options = queueOptions({ lockDurationMs: 1_000, stalledIntervalMs: 500 });
    const queue = createBullMQTaskQueue(options);
    const sent = message();
    const child = spawnNode(consumerScript, [REDIS_URL, prefix, options.queueName as string, '1000', '500']);
    try {
      await child.waitForLine(/^ready$/, 45_000);
      await queue.enqueue({ message: sent });
      await child.waitForLine(new RegExp(`^started ${sent.webTaskId} 1$`), 15_000);
      const received: Array<{ at: number; attempt: number }> = [];
      const consumer = await queue.consume({
        concurrency: 1,
        handler: async (delivered, delivery) => {
          if (delivered.webTaskId === sent.webTaskId)
            received.push({ at: Date.now(), attempt: delivery.attempt });
        },
      });
      // While the child lives and renews its lock, nobody else gets the message.
      await sleep(1_500);
      expect(received).toEqual([]);
      const killedAt = Date.now();
      child.child.kill('SIGKILL');
      await waitUntil(() => received.length > 0, 20_000);
      await sleep(300);
      await consumer.stop();
      expect(received).toHaveLength(1);
      expect(received[0]?.attempt).toBe(2);
      const redeliveredAfterMs = (received[0]?.at ?? 0) - killedAt;
      console.log(
        `[queue-bullmq] SIGKILLed consumer's message redelivered after ${redeliveredAfterMs} ms (lock 1000 ms, stall check 500 ms)`,
      );
      expect(redeliveredAfterMs).toBeLessThan(15_000);
    } finally {
      child.child.kill('SIGKILL');
      await queue.close();
    }
  }, 100_000);

  it('enqueueing the same webTaskId again is a no-op, before and after it was handled', async () => {
    const queue = createBullMQTaskQueue(queueOptions());
    const sent = message();
    await Promise.all([1, 2, 3].map(() => queue.enqueue({ message: sent })));
    const handled: string[] = [];
    const consumer = await queue.consume({
      concurrency: 2,
      handler: async (delivered) => void handled.push(delivered.webTaskId),
    });
    await waitUntil(() => handled.length >= 1, 5_000);
    await queue.enqueue({ message: sent });
    await sleep(300);
    await consumer.stop();
    expect(handled).toEqual([sent.webTaskId]);
    await queue.close();
  });

  it('gives a message up after maxAttempts rejections', async () => {
    const queue = createBullMQTaskQueue(queueOptions({ maxAttempts: 2 }));
    const attempts: number[] = [];
    const consumer = await queue.consume({
      concurrency: 1,
      handler: async (_message, delivery) => {
        attempts.push(delivery.attempt);
        throw new Error('always fails');
      },
    });
    await queue.enqueue({ message: message() });
    await waitUntil(() => attempts.length >= 2, 5_000);
    await sleep(400);
    await consumer.stop();
    expect(attempts).toEqual([1, 2]);
    await queue.close();
  });

  it('a handler running past the lock duration keeps its message (the lock is renewed)', async () => {
    const options = queueOptions({ lockDurationMs: 400, stalledIntervalMs: 200 });
    const queue = createBullMQTaskQueue(options);
    const other = createBullMQTaskQueue(options);
    const starts: string[] = [];
    const handler = async (delivered: QueueMessage): Promise<void> => {
      starts.push(delivered.webTaskId);
      await sleep(1_500);
    };
    const consumers = [
      await queue.consume({ concurrency: 1, handler }),
      await other.consume({ concurrency: 1, handler }),
    ];
    await queue.enqueue({ message: message() });
    await waitUntil(() => starts.length >= 1, 5_000);
    await sleep(1_700);
    await Promise.all(consumers.map((consumer) => consumer.stop()));
    expect(starts).toHaveLength(1);
    await Promise.all([queue.close(), other.close()]);
  });

  it('rejects ids BullMQ cannot use', async () => {
    const queue = createBullMQTaskQueue(queueOptions());
    await expect(queue.enqueue({ message: { workspaceId: 'ws', webTaskId: 'wt:1' } })).rejects.toMatchObject({
      code: 'invalid-request',
    });
    await expect(queue.enqueue({ message: { workspaceId: 'ws', webTaskId: '42' } })).rejects.toMatchObject({
      code: 'invalid-request',
    });
    await queue.close();
  });

  it('measures the enqueue → handler round trip', async () => {
    const queue = createBullMQTaskQueue(queueOptions());
    const arrived = new Map<string, number>();
    const consumer = await queue.consume({
      concurrency: 1,
      handler: async (delivered) => void arrived.set(delivered.webTaskId, performance.now()),
    });
    const samples: number[] = [];
    for (let index = 0; index < 50; index += 1) {
      const sent = message();
      const started = performance.now();
      await queue.enqueue({ message: sent });
      await waitUntil(() => arrived.has(sent.webTaskId), 5_000);
      samples.push((arrived.get(sent.webTaskId) as number) - started);
    }
    await consumer.stop();
    await queue.close();
    samples.sort((a, b) => a - b);
    const p50 = samples[25] as number;
    console.log(
      `[queue-bullmq] enqueue → handler p50 ${p50.toFixed(1)} ms, p95 ${(samples[47] as number).toFixed(1)} ms`,
    );
    // Generous for a loaded CI box; unloaded it is ~6 ms.
    expect(p50).toBeLessThan(500);
  });
});
