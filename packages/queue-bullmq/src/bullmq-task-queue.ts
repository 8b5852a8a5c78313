import {
  type Logger,
  type QueueConsumer,
  type QueueMessage,
  silentLogger,
  type TaskQueue,
  throwIfAborted,
} from '@webtasks/core';
import { Queue } from 'bullmq';
import { type BullMQConnectionOptions, resolveConnections } from './connection.js';
import { startConsumer } from './consumer.js';
import { invalid, PREFIX, queueError } from './errors.js';

/** Options of `createBullMQTaskQueue`. */
export interface BullMQTaskQueueOptions extends BullMQConnectionOptions {
  /** BullMQ queue name. Default `webtasks-tasks`. */
  queueName?: string;
  /** BullMQ key prefix. Default `webtasks`. */
  prefix?: string;
  /** Deliveries per message before it is given up (handler rejections and stalls both count). Default 3. */
  maxAttempts?: number;
  /** Delay before the first retry after a rejection, doubled each time. Default 1 000 ms. */
  retryDelayMs?: number;
  /** How long a consumer's hold on a message lasts without renewal (renewed every half). Default 20 000 ms. */
  lockDurationMs?: number;
  /** How often consumers look for messages whose holder died. Default 10 000 ms. */
  stalledIntervalMs?: number;
  /** How long finished messages are remembered, so enqueueing the same id again is a no-op. Default 24 h. */
  keepFinishedSeconds?: number;
  logger?: Logger;
}

/** A BullMQ TaskQueue. */
export interface BullMQTaskQueue extends TaskQueue {
  /** The BullMQ Queue (escape hatch: metrics, admin). */
  getInstance(): Queue<QueueMessage>;
}

/**
 * A task queue on BullMQ (Redis): messages survive restarts and are shared by every
 * process using the same Redis, queue name and prefix. A message's job id is its
 * `webTaskId`, so enqueueing the same task twice adds it once.
 */
export function createBullMQTaskQueue(options: BullMQTaskQueueOptions): BullMQTaskQueue {
  const maxAttempts = options.maxAttempts ?? 3;
  if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1)
    throw invalid('invalid-config', 'maxAttempts must be ≥ 1.');
  const connections = resolveConnections(options);
  const queueName = options.queueName ?? 'webtasks-tasks';
  const prefix = options.prefix ?? 'webtasks';
  const logger = (options.logger ?? silentLogger).child({ adapter: 'queue-bullmq', queueName });
  const keepSeconds = options.keepFinishedSeconds ?? 24 * 3600;
  const queue = new Queue<QueueMessage>(queueName, {
    connection: connections.main,
    prefix,
    defaultJobOptions: {
      attempts: maxAttempts,
      backoff: { type: 'exponential', delay: options.retryDelayMs ?? 1_000 },
      removeOnComplete: { age: keepSeconds, count: 100_000 },
      removeOnFail: { age: keepSeconds * 7 },
    },
  });
  queue.on('error', (error) => logger.warn('queue connection error', { error: String(error) }));
  const consumers = new Set<QueueConsumer>();
  let closed = false;

  const add = async (message: QueueMessage): Promise<void> => {
    const jobId = jobIdOf(message);
    try {
      await queue.add(
        'webtask',
        { workspaceId: message.workspaceId, webTaskId: message.webTaskId },
        { jobId },
      );
    } catch (error) {
      throw queueError(error, `enqueue ${jobId}`);
    }
  };

  return {
    specificationVersion: 'v1',
    capabilities: { distributed: true },

    async enqueue({ message, signal }) {
      throwIfAborted(signal, `${PREFIX} enqueue`);
      await add(message);
    },

    async ensureQueued({ message, signal }) {
      throwIfAborted(signal, `${PREFIX} ensureQueued`);
      const jobId = jobIdOf(message);
      try {
        const job = await queue.getJob(jobId);
        if (job) {
          const state = await job.getState();
          if (!FINISHED_STATES.has(state)) return false;
          // Finished (or given up) while the store says the task is not: a fresh entry.
          await job.remove();
        }
      } catch (error) {
        throw queueError(error, `check the entry of ${jobId}`);
      }
      await add(message);
      return true;
    },

    async consume({ handler, concurrency }) {
      if (closed) throw invalid('invalid-request', 'The queue is closed.');
      if (!Number.isSafeInteger(concurrency) || concurrency < 1)
        throw invalid('invalid-request', 'concurrency must be ≥ 1.');
      const consumer: QueueConsumer = await startConsumer({
        queueName,
        prefix,
        connection: connections.forWorker(),
        handler,
        concurrency,
        lockDurationMs: options.lockDurationMs ?? 20_000,
        stalledIntervalMs: options.stalledIntervalMs ?? 10_000,
        maxAttempts,
        logger,
        jobExists: async (jobId) => (await queue.getJob(jobId)) !== undefined,
        onStopped: () => consumers.delete(consumer),
      });
      consumers.add(consumer);
      return consumer;
    },

    getInstance: () => queue,

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...consumers].map((consumer) => consumer.stop()));
      await queue
        .close()
        .catch((error: unknown) => logger.warn('queue close failed', { error: String(error) }));
      await connections.close();
    },
  };
}

/** Job states after which a job no longer delivers (plus `unknown`: it vanished meanwhile). */
const FINISHED_STATES = new Set(['completed', 'failed', 'unknown']);

/** The job id of a message: its webTaskId, so one task has at most one job. */
function jobIdOf(message: QueueMessage): string {
  const jobId = message.webTaskId;
  if (!jobId || jobId.includes(':') || `${Number.parseInt(jobId, 10)}` === jobId) {
    throw invalid(
      'invalid-request',
      `webTaskId ${JSON.stringify(jobId)} cannot be a BullMQ job id: use an id like wt_… without ':'.`,
    );
  }
  return jobId;
}
