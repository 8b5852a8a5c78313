import type { Clock, Logger } from '../ports/clock.js';
import type { TaskStore } from '../ports/task-store.js';

/**
 * Keep a started task's `leaseExpiresAt` ahead of the clock while its worker runs it, so the
 * reconciler can tell a running task from one whose worker died. Renewed every third of
 * `ttlMs`; a failed renewal is only logged (the next one may succeed, and a lapsed lease at
 * worst makes the reconciler ask the queue, which still holds the live delivery).
 */
export function holdTaskLease(options: {
  tasks: TaskStore;
  clock: Clock;
  logger: Logger;
  workspaceId: string;
  webTaskId: string;
  ttlMs: number;
}): { stop(): void } {
  const { tasks, clock, logger, workspaceId, webTaskId, ttlMs } = options;
  const timer = setInterval(
    () => {
      tasks
        .transition({
          workspaceId,
          webTaskId,
          from: ['started'],
          patch: { leaseExpiresAt: new Date(clock.now() + ttlMs).toISOString() },
        })
        .catch((error: unknown) =>
          logger.debug('could not renew the task lease', { webTaskId, error: String(error) }),
        );
    },
    Math.max(50, Math.floor(ttlMs / 3)),
  );
  timer.unref?.();
  return { stop: () => clearInterval(timer) };
}

/** The lease a task gets when a worker starts it. */
export function leaseUntil(clock: Clock, ttlMs: number): string {
  return new Date(clock.now() + ttlMs).toISOString();
}
