import type { WebTasksEngine } from '../engine-api.js';
import type { QueueConsumer } from '../ports/task-queue.js';
import type { EngineParts } from './engine-parts.js';
import { createReconciler, type Reconciler } from './reconciler.js';

/** The engine's worker: consuming the queue, reconciling, sweeping; and closing it all. */
export interface EngineWorker extends Pick<WebTasksEngine, 'startWorker' | 'close'> {
  /** True once `close` was called. */
  isClosed(): boolean;
}

/**
 * The worker members of the engine. The worker starts on demand (the first `start`, or
 * `startWorker`); `close` stops taking work first, then lets running tasks finish.
 */
export function createEngineWorker(parts: EngineParts): EngineWorker {
  const {
    options,
    limits,
    clock,
    logger,
    workerId,
    workerSetting,
    draining,
    enqueuing,
    runner,
    webhooks,
    sweep,
  } = parts;
  let sweepTimer: ReturnType<typeof setInterval> | undefined;
  let consumer: QueueConsumer | undefined;
  let reconciler: Reconciler | undefined;
  let workerStarting: Promise<void> | undefined;
  let closed = false;
  return {
    isClosed: () => closed,

    async startWorker(workerOptions) {
      if (consumer || closed) return;
      workerStarting ??= (async () => {
        const configured = typeof workerSetting === 'object' ? workerSetting.concurrency : undefined;
        consumer = await options.queue.consume({
          concurrency: workerOptions?.concurrency ?? configured ?? 64,
          handler: runner.handle,
        });
        reconciler = createReconciler({
          tasks: options.tasks,
          queue: options.queue,
          clock,
          logger,
          lockTtlMs: limits.lockTtlMs,
          intervalMs: limits.reconcileIntervalMs,
          pendingGraceMs: Math.min(5_000, limits.reconcileIntervalMs),
          skip: (webTaskId) => enqueuing.has(webTaskId),
        });
        reconciler.start();
        webhooks.start();
        const every = options.retention?.sweepIntervalMs ?? 60 * 60 * 1000;
        if (every > 0) {
          sweepTimer = setInterval(() => {
            sweep().catch((error: unknown) =>
              logger.warn('the retention sweep failed', { error: String(error) }),
            );
          }, every);
          sweepTimer.unref?.();
        }
        logger.info('worker started', { workerId });
      })();
      await workerStarting;
    },

    async close(closeOptions) {
      if (closed) return;
      closed = true;
      if (sweepTimer) clearInterval(sweepTimer);
      await workerStarting?.catch(() => undefined);
      // Stop taking work first: no more sweeps, and deliveries still waiting for their
      // reuse key or a workspace slot go back to the queue; running tasks finish.
      await reconciler?.stop();
      draining.abort();
      await consumer?.stop({
        graceful: closeOptions?.graceful ?? true,
        ...(closeOptions?.timeoutMs ? { timeoutMs: closeOptions.timeoutMs } : {}),
      });
      await webhooks.stop();
      await options.queue.close().catch(() => undefined);
      await options.sandbox.close().catch(() => undefined);
      await options.browser.close().catch(() => undefined);
      await options.locks.close?.().catch(() => undefined);
      await options.eventChannel?.close().catch(() => undefined);
    },
  };
}
