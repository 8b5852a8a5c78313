import { randomUUID } from 'node:crypto';
import type { DeliveryInfo, QueueMessage, TaskQueue } from '@webtasks/core';
import { describe, expect } from 'vitest';
import { type ContractOptions, contractTests, sleep, waitUntil } from './contract-options.js';

function messages(count: number): QueueMessage[] {
  const workspaceId = `ws_${randomUUID()}`;
  return Array.from({ length: count }, () => ({ workspaceId, webTaskId: `wt_${randomUUID()}` }));
}

/** One handled delivery, as recorded by the suite. */
interface Handled {
  message: QueueMessage;
  attempt: number;
}

/**
 * The TaskQueue contract: every message delivered (once under normal operation), the
 * concurrency bound, redelivery after a rejection, graceful stop, and no message handled
 * by two consumers at the same time.
 */
export function describeTaskQueueContract(options: ContractOptions<TaskQueue>): void {
  describe(`TaskQueue contract: ${options.name}`, () => {
    const test = contractTests(options);

    test('declares specification v1 and its capabilities', async (queue) => {
      expect(queue.specificationVersion).toBe('v1');
      expect(typeof queue.capabilities.distributed).toBe('boolean');
    });

    test('close() stops consumers and is idempotent', async (queue) => {
      const handled: QueueMessage[] = [];
      await queue.consume({ concurrency: 1, handler: async (message) => void handled.push(message) });
      await queue.close();
      await queue.close(); // and the suite's cleanup closes a third time
      expect(handled).toEqual([]);
    });

    test('messages enqueued before consume are delivered', async (queue) => {
      const sent = messages(5);
      for (const message of sent) await queue.enqueue({ message });
      const handled: Handled[] = [];
      const consumer = await queue.consume({
        concurrency: 2,
        handler: async (message, delivery) => {
          handled.push({ message, attempt: delivery.attempt });
        },
      });
      await waitUntil(() => handled.length >= sent.length, 5_000, 'every message');
      await consumer.stop();
      expect(handled.map((entry) => entry.message.webTaskId).sort()).toEqual(
        sent.map((m) => m.webTaskId).sort(),
      );
      expect(handled[0]?.message).toEqual(sent.find((m) => m.webTaskId === handled[0]?.message.webTaskId));
    });

    test('every message is handled exactly once, with attempt 1, within the concurrency bound', async (queue) => {
      const sent = messages(24);
      const concurrency = 4;
      const handled: Handled[] = [];
      let running = 0;
      let most = 0;
      const consumer = await queue.consume({
        concurrency,
        handler: async (message, delivery) => {
          running += 1;
          most = Math.max(most, running);
          await sleep(20);
          running -= 1;
          handled.push({ message, attempt: delivery.attempt });
        },
      });
      await Promise.all(sent.map((message) => queue.enqueue({ message })));
      await waitUntil(() => handled.length >= sent.length, 10_000, 'every message');
      await sleep(100);
      await consumer.stop();
      expect(handled).toHaveLength(sent.length);
      expect(new Set(handled.map((entry) => entry.message.webTaskId)).size).toBe(sent.length);
      expect(handled.every((entry) => entry.attempt === 1)).toBe(true);
      expect(most).toBeLessThanOrEqual(concurrency);
      expect(most).toBeGreaterThan(1);
    });

    test('a message whose handler rejects is delivered again with attempt 2', async (queue) => {
      const [message] = messages(1) as [QueueMessage];
      const attempts: number[] = [];
      const consumer = await queue.consume({
        concurrency: 1,
        handler: async (_message, delivery) => {
          attempts.push(delivery.attempt);
          if (delivery.attempt === 1) throw new Error('first attempt fails on purpose');
        },
      });
      await queue.enqueue({ message });
      await waitUntil(() => attempts.length >= 2, 10_000, 'the redelivery');
      await sleep(100);
      await consumer.stop();
      expect(attempts).toEqual([1, 2]);
    });

    test('graceful stop waits for running handlers and takes no new messages', async (queue) => {
      const [first, second] = messages(2) as [QueueMessage, QueueMessage];
      let started = false;
      let finished = false;
      const handled: string[] = [];
      const consumer = await queue.consume({
        concurrency: 1,
        handler: async (message) => {
          handled.push(message.webTaskId);
          started = true;
          await sleep(300);
          finished = true;
        },
      });
      await queue.enqueue({ message: first });
      await waitUntil(() => started, 5_000, 'the handler to start');
      await consumer.stop({ graceful: true });
      expect(finished).toBe(true);
      await queue.enqueue({ message: second });
      await sleep(200);
      expect(handled).toEqual([first.webTaskId]);
    });

    test('a message is never handled by two consumers at the same time', async (queue) => {
      const sent = messages(20);
      const inFlight = new Set<string>();
      const handled: string[] = [];
      const overlaps: string[] = [];
      const handler = async (message: QueueMessage, _delivery: DeliveryInfo): Promise<void> => {
        if (inFlight.has(message.webTaskId)) overlaps.push(message.webTaskId);
        inFlight.add(message.webTaskId);
        await sleep(10 + Math.floor(Math.random() * 20));
        inFlight.delete(message.webTaskId);
        handled.push(message.webTaskId);
      };
      const consumers = [
        await queue.consume({ concurrency: 2, handler }),
        await queue.consume({ concurrency: 2, handler }),
      ];
      await Promise.all(sent.map((message) => queue.enqueue({ message })));
      await waitUntil(() => handled.length >= sent.length, 10_000, 'every message');
      await sleep(100);
      await Promise.all(consumers.map((consumer) => consumer.stop()));
      expect(overlaps).toEqual([]);
      expect([...handled].sort()).toEqual(sent.map((m) => m.webTaskId).sort());
    });

    test('a non-graceful stop aborts running deliveries and hands them back', async (queue) => {
      const [message] = messages(1) as [QueueMessage];
      let aborted = false;
      let startedFirst = false;
      const first = await queue.consume({
        concurrency: 1,
        handler: async (_message, delivery) => {
          startedFirst = true;
          await new Promise<void>((resolve) => {
            if (delivery.signal.aborted) resolve();
            delivery.signal.addEventListener('abort', () => resolve(), { once: true });
          });
          aborted = true;
          throw new Error('stopped');
        },
      });
      await queue.enqueue({ message });
      await waitUntil(() => startedFirst, 5_000, 'the first consumer to start');
      await first.stop({ graceful: false });
      await waitUntil(() => aborted, 2_000, 'the delivery signal to fire');
      const redelivered: string[] = [];
      const second = await queue.consume({
        concurrency: 1,
        handler: async (received) => {
          redelivered.push(received.webTaskId);
        },
      });
      await waitUntil(() => redelivered.length >= 1, 15_000, 'the message to be handed back');
      await second.stop();
      expect(redelivered).toEqual([message.webTaskId]);
    }, 20_000);

    test('enqueueing a task that already has an entry adds nothing', async (queue) => {
      const [message] = messages(1) as [QueueMessage];
      await queue.enqueue({ message });
      await queue.enqueue({ message });
      const handled: string[] = [];
      const consumer = await queue.consume({
        concurrency: 2,
        handler: async (received) => {
          handled.push(received.webTaskId);
        },
      });
      await waitUntil(() => handled.length >= 1, 5_000, 'the message');
      await sleep(300);
      await consumer.stop();
      expect(handled).toEqual([message.webTaskId]);
    });

    test('ensureQueued adds a task only when it has no live entry', async (queue) => {
      expect(typeof queue.ensureQueued).toBe('function');
      const ensure = (message: QueueMessage) => queue.ensureQueued!({ message });
      const [waiting, lost] = messages(2) as [QueueMessage, QueueMessage];
      await queue.enqueue({ message: waiting });
      expect(await ensure(waiting)).toBe(false);
      expect(await ensure(lost)).toBe(true);
      expect(await ensure(lost)).toBe(false);
      const handled: string[] = [];
      let release!: () => void;
      const blocked = new Promise<void>((resolve) => (release = resolve));
      const consumer = await queue.consume({
        concurrency: 2,
        handler: async (received) => {
          handled.push(received.webTaskId);
          if (handled.length <= 2) await blocked;
        },
      });
      await waitUntil(() => handled.length >= 2, 5_000, 'both messages');
      // Being handled is a live entry.
      expect(await ensure(waiting)).toBe(false);
      release();
      await sleep(300);
      expect([...handled].sort()).toEqual([waiting.webTaskId, lost.webTaskId].sort());
      // Once handled, the entry is gone: the task can be delivered again.
      expect(await ensure(waiting)).toBe(true);
      await waitUntil(() => handled.length >= 3, 5_000, 'the new delivery');
      await consumer.stop();
      expect(handled[2]).toBe(waiting.webTaskId);
    });

    test.checkSkips();
  });
}
