import type { Logger } from '@webtasks/core';
import { type QueueConsumer, type QueueHandler, type QueueMessage, WebTasksError } from '@webtasks/core';
import { type Job, WaitingError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { PREFIX, queueError } from './errors.js';

/** Settings of one consumer. */
export interface ConsumerSettings {
  queueName: string;
  prefix: string;
  connection: Redis;
  handler: QueueHandler;
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxAttempts: number;
  logger: Logger;
  /** Whether Redis still has the job (false after Redis lost its data). */
  jobExists(jobId: string): Promise<boolean>;
  onStopped(): void;
}

interface Delivery {
  controller: AbortController;
  /** Settles when the handler settles (never rejects). */
  settled: Promise<void>;
  /** Lets the processor stop waiting for a handler that ignores its signal. */
  giveUp(): void;
}

const DEFAULT_STOP_TIMEOUT_MS = 30_000;

function takenAwayError(jobId: string): WebTasksError {
  return new WebTasksError({
    code: 'aborted',
    message: `${PREFIX} The delivery of ${jobId} was taken away (its lock was lost)`,
  });
}

function withTimeout(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      () => {
        clearTimeout(timer);
        resolve(true);
      },
    );
  });
}

/**
 * A BullMQ Worker running `handler`. BullMQ holds a lock per active job and renews it every
 * `lockDurationMs / 2`; a job whose lock lapses (its process died) is found by another
 * worker's stalled check and delivered again, so no message is handled twice at once while
 * its holder lives. The handler's signal fires on stop and when the lock could not be
 * renewed (the delivery was taken away).
 */
export async function startConsumer(settings: ConsumerSettings): Promise<QueueConsumer> {
  const active = new Map<string, Delivery>();
  let handingBack = false;
  let stopping: Promise<void> | undefined;

  const processJob = async (job: Job<QueueMessage>, token?: string, signal?: AbortSignal): Promise<void> => {
    const controller = new AbortController();
    const takenAway = (): void => controller.abort(takenAwayError(String(job.id)));
    signal?.addEventListener('abort', takenAway, { once: true });
    let giveUp: () => void = () => undefined;
    const gaveUp = new Promise<'gave-up'>((resolve) => {
      giveUp = () => resolve('gave-up');
    });
    const run = Promise.resolve().then(() =>
      settings.handler(
        { workspaceId: job.data.workspaceId, webTaskId: job.data.webTaskId },
        { attempt: Math.max(1, job.attemptsStarted), signal: controller.signal },
      ),
    );
    const outcome = run.then(
      () => ({ ok: true as const }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    active.set(job.id as string, { controller, settled: outcome.then(() => undefined), giveUp });
    try {
      const result = await Promise.race([outcome, gaveUp]);
      if (result !== 'gave-up' && result.ok) return;
      if (handingBack && token) {
        // A non-graceful stop: back to the queue, without counting a failed attempt.
        await job.moveToWait(token);
        throw new WaitingError();
      }
      if (result === 'gave-up') throw new Error(`${PREFIX} The handler did not stop in time`);
      throw result.error instanceof Error ? result.error : new Error(String(result.error));
    } finally {
      signal?.removeEventListener('abort', takenAway);
      active.delete(job.id as string);
    }
  };

  const worker = new Worker<QueueMessage, void>(settings.queueName, processJob, {
    connection: settings.connection,
    prefix: settings.prefix,
    concurrency: settings.concurrency,
    lockDuration: settings.lockDurationMs,
    stalledInterval: settings.stalledIntervalMs,
    maxStalledCount: settings.maxAttempts,
    autorun: true,
  });
  worker.on('error', (error) => settings.logger.warn('queue worker error', { error: String(error) }));
  worker.on('lockRenewalFailed', (jobIds: string[]) => {
    for (const jobId of jobIds) {
      // A job that is gone altogether (Redis restarted without persistence) was taken by
      // nobody: the run goes on, and the engine's task store keeps its state. A job still
      // there has another holder now: this delivery stops.
      settings.jobExists(jobId).then(
        (exists) => {
          if (!exists) {
            settings.logger.warn(
              'Redis no longer has a running delivery (restarted without persistence?); it goes on',
              {
                webTaskId: jobId,
              },
            );
            return;
          }
          settings.logger.warn('lost the lock of a running delivery; aborting it', { webTaskId: jobId });
          active.get(jobId)?.controller.abort(takenAwayError(jobId));
        },
        () => active.get(jobId)?.controller.abort(takenAwayError(jobId)),
      );
    }
  });
  worker.on('failed', (job, error) => {
    if (!job) return;
    const attempts = job.opts.attempts ?? 1;
    if (job.attemptsMade >= attempts) {
      settings.logger.error('message failed its last attempt and will not be delivered again', {
        webTaskId: job.id,
        attempts: job.attemptsMade,
        error: error?.message,
      });
    }
  });

  const stopAll = async (graceful: boolean, timeoutMs: number): Promise<void> => {
    const closing = worker.close();
    if (graceful && (await withTimeout(closing, timeoutMs))) return;
    handingBack = true;
    const deliveries = [...active.values()];
    for (const delivery of deliveries) {
      delivery.controller.abort(
        new WebTasksError({ code: 'aborted', message: `${PREFIX} The consumer is stopping` }),
      );
    }
    await withTimeout(
      Promise.all(deliveries.map((delivery) => delivery.settled)),
      graceful ? 1_000 : timeoutMs,
    );
    for (const delivery of deliveries) delivery.giveUp();
    if (!(await withTimeout(closing, 5_000))) {
      settings.logger.warn(
        'queue worker did not close in time; its deliveries return after the lock expires',
      );
      await worker.close(true);
    }
  };

  try {
    await worker.waitUntilReady();
  } catch (error) {
    await worker.close(true).catch(() => undefined);
    await settings.connection.quit().catch(() => settings.connection.disconnect());
    throw queueError(error, 'start a consumer');
  }

  return {
    stop(options = {}) {
      stopping ??= stopAll(options.graceful ?? true, options.timeoutMs ?? DEFAULT_STOP_TIMEOUT_MS).finally(
        async () => {
          await settings.connection.quit().catch(() => settings.connection.disconnect());
          settings.onStopped();
        },
      );
      return stopping;
    },
  };
}
