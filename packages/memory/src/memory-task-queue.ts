import {
  type QueueConsumer,
  type QueueHandler,
  type QueueMessage,
  type TaskQueue,
  throwIfAborted,
  WebTasksError,
} from '@webtasks/core';
import { copy } from './copy.js';

/** Options of `createMemoryTaskQueue`. */
export interface MemoryTaskQueueOptions {
  /** Deliveries per message, the first included, before it is dropped. Default 3. */
  maxAttempts?: number;
  /** Wait before a rejected message is delivered again. Default 100 ms. */
  redeliveryDelayMs?: number;
  /** Called with a message that failed `maxAttempts` times and is dropped. */
  onDeadLetter?: (message: QueueMessage, error: unknown) => void;
}

const ADAPTER = 'memory-task-queue';

interface Pending {
  message: QueueMessage;
  attempt: number;
}

interface Delivery extends Pending {
  controller: AbortController;
  /** Set when a non-graceful stop gave the message back: the handler's outcome no longer counts. */
  handedBack: boolean;
}

interface Consumer {
  handler: QueueHandler;
  concurrency: number;
  running: Set<Delivery>;
  idle: Array<() => void>;
}

/**
 * An at-least-once task queue in process memory: FIFO, a concurrency bound per consumer,
 * redelivery after a rejection (up to `maxAttempts`), graceful or immediate stop. A task
 * has at most one entry: enqueueing one that is waiting, scheduled or running is a no-op.
 * Messages are lost when the process exits (`capabilities.distributed: false`): the
 * engine's reconciler enqueues the store's unfinished tasks again at start-up.
 */
export function createMemoryTaskQueue(options: MemoryTaskQueueOptions = {}): TaskQueue {
  const maxAttempts = options.maxAttempts ?? 3;
  const redeliveryDelayMs = options.redeliveryDelayMs ?? 100;
  const ready: Pending[] = [];
  const consumers: Consumer[] = [];
  const timers = new Set<NodeJS.Timeout>();
  // Tasks with an entry (waiting, scheduled for a retry, or being handled), by webTaskId.
  const live = new Set<string>();
  let nextConsumer = 0;
  let closed = false;

  const add = (message: QueueMessage): boolean => {
    if (live.has(message.webTaskId)) return false;
    live.add(message.webTaskId);
    ready.push({ message: copy(message), attempt: 1 });
    dispatch();
    return true;
  };

  const dispatch = (): void => {
    while (ready.length > 0) {
      const consumer = pickConsumer();
      if (consumer === undefined) return;
      start(consumer, ready.shift() as Pending);
    }
  };

  // Round robin over consumers with a free handler slot.
  const pickConsumer = (): Consumer | undefined => {
    for (let tried = 0; tried < consumers.length; tried += 1) {
      const consumer = consumers[(nextConsumer + tried) % consumers.length] as Consumer;
      if (consumer.running.size < consumer.concurrency) {
        nextConsumer = (nextConsumer + tried + 1) % consumers.length;
        return consumer;
      }
    }
    return undefined;
  };

  const start = (consumer: Consumer, pending: Pending): void => {
    const delivery: Delivery = { ...pending, controller: new AbortController(), handedBack: false };
    consumer.running.add(delivery);
    Promise.resolve()
      .then(() =>
        consumer.handler(copy(delivery.message), {
          attempt: delivery.attempt,
          signal: delivery.controller.signal,
        }),
      )
      .then(
        () => {
          if (!delivery.handedBack) live.delete(delivery.message.webTaskId);
        },
        (error: unknown) => {
          if (!delivery.handedBack) retry(delivery, error);
        },
      )
      .finally(() => {
        consumer.running.delete(delivery);
        if (consumer.running.size === 0) for (const resolve of consumer.idle.splice(0)) resolve();
        dispatch();
      });
  };

  const retry = (delivery: Delivery, error: unknown): void => {
    if (delivery.attempt >= maxAttempts || closed) {
      live.delete(delivery.message.webTaskId);
      options.onDeadLetter?.(copy(delivery.message), error);
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      ready.push({ message: delivery.message, attempt: delivery.attempt + 1 });
      dispatch();
    }, redeliveryDelayMs);
    timers.add(timer);
  };

  const handBack = (consumer: Consumer): void => {
    for (const delivery of consumer.running) {
      if (delivery.handedBack) continue;
      delivery.handedBack = true;
      delivery.controller.abort(
        new WebTasksError({
          code: 'aborted',
          message: `[webtasks:${ADAPTER}] The consumer stopped; the message goes back to the queue.`,
        }),
      );
      ready.unshift({ message: delivery.message, attempt: delivery.attempt + 1 });
    }
    consumer.running.clear();
    for (const resolve of consumer.idle.splice(0)) resolve();
  };

  const stop = async (
    consumer: Consumer,
    graceful: boolean,
    timeoutMs: number | undefined,
  ): Promise<void> => {
    const index = consumers.indexOf(consumer);
    if (index >= 0) consumers.splice(index, 1);
    if (graceful && consumer.running.size > 0) {
      const idle = new Promise<void>((resolve) => consumer.idle.push(resolve));
      if (timeoutMs === undefined) await idle;
      else {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([idle, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
        clearTimeout(timer);
      }
    }
    handBack(consumer);
    dispatch();
  };

  return {
    specificationVersion: 'v1',
    capabilities: { distributed: false },

    async enqueue(call) {
      throwIfAborted(call.signal);
      if (closed) {
        throw new WebTasksError({
          code: 'storage-error',
          message: `[webtasks:${ADAPTER}] The queue is closed: create a new one.`,
        });
      }
      add(call.message);
    },

    async ensureQueued(call) {
      throwIfAborted(call.signal);
      if (closed) return false;
      return add(call.message);
    },

    async consume(call) {
      if (closed) {
        throw new WebTasksError({
          code: 'storage-error',
          message: `[webtasks:${ADAPTER}] The queue is closed: create a new one.`,
        });
      }
      if (!Number.isInteger(call.concurrency) || call.concurrency < 1) {
        throw new WebTasksError({
          code: 'invalid-config',
          message: `[webtasks:${ADAPTER}] concurrency must be a positive integer, got ${call.concurrency}.`,
        });
      }
      const consumer: Consumer = {
        handler: call.handler,
        concurrency: call.concurrency,
        running: new Set(),
        idle: [],
      };
      consumers.push(consumer);
      queueMicrotask(dispatch);
      const handle: QueueConsumer = {
        stop: (stopOptions = {}) => stop(consumer, stopOptions.graceful ?? true, stopOptions.timeoutMs),
      };
      return handle;
    },

    async close() {
      await Promise.all([...consumers].map((consumer) => stop(consumer, true, undefined)));
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
