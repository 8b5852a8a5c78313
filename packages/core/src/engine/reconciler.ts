import type { Clock, Logger } from '../ports/clock.js';
import type { TaskQueue } from '../ports/task-queue.js';
import type { TaskRecord, TaskStore } from '../ports/task-store.js';

/** What the reconciler reads and writes. */
export interface ReconcilerDeps {
  tasks: TaskStore;
  queue: TaskQueue;
  clock: Clock;
  logger: Logger;
  /** A started task without `leaseExpiresAt` (written by an older version) lapses this long after it started. */
  lockTtlMs: number;
  /** Time between sweeps. */
  intervalMs: number;
  /** A `pending` task younger than this is left to the `start` that is enqueueing it (periodic sweeps only). */
  pendingGraceMs: number;
  /** Tasks to leave alone this sweep: those this process is enqueueing itself right now. */
  skip?: (webTaskId: string) => boolean;
  /** Most unfinished tasks one sweep looks at. */
  batchSize?: number;
}

/** What one sweep did. */
export interface ReconcileReport {
  /** Unfinished tasks read from the store. */
  scanned: number;
  /** `pending` tasks that had no queue entry and were enqueued again. */
  requeuedPending: number;
  /** `started` tasks whose lease lapsed and that had no queue entry: delivered again. */
  redeliveredStarted: number;
}

/** Keeps the queue in step with the task store. */
export interface Reconciler {
  /** One pass over the unfinished tasks. `graceMs: 0` also takes tasks created a moment ago. */
  sweep(options?: { graceMs?: number }): Promise<ReconcileReport>;
  /** Sweep now (every pending task), then every `intervalMs`. */
  start(): void;
  /** Stop sweeping; resolves when a sweep in progress has ended. */
  stop(): Promise<void>;
}

const EMPTY: ReconcileReport = { scanned: 0, requeuedPending: 0, redeliveredStarted: 0 };

/** When a started task's hold lapses. */
export function leaseExpiry(record: TaskRecord, lockTtlMs: number): number {
  if (record.leaseExpiresAt !== undefined) return Date.parse(record.leaseExpiresAt);
  return Date.parse(record.startedAt ?? record.createdAt) + lockTtlMs;
}

/**
 * Recovery from the task store. The store is the truth; the queue only carries pointers, and
 * it can lose them (an in-memory queue at a restart, a Redis without persistence, a message
 * given up after its last attempt). Each sweep walks the unfinished tasks, oldest first so
 * that re-enqueued tasks keep their order, and asks the queue to make sure each one has an
 * entry: `pending` tasks always, `started` tasks once their worker's lease lapsed (a dead
 * worker). The queue's `ensureQueued` is idempotent, so every worker may sweep at once.
 */
export function createReconciler(deps: ReconcilerDeps): Reconciler {
  const { tasks, queue, clock, logger } = deps;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<ReconcileReport> | undefined;
  let stopped = false;
  let warnedUnsupported = false;

  const supported = (): boolean => {
    if (tasks.listUnfinished && queue.ensureQueued) return true;
    if (!warnedUnsupported) {
      warnedUnsupported = true;
      logger.warn(
        'the task store or queue cannot reconcile (listUnfinished / ensureQueued missing): tasks the queue loses stay unfinished',
      );
    }
    return false;
  };

  const pass = async (graceMs: number): Promise<ReconcileReport> => {
    if (!supported()) return EMPTY;
    const report = { ...EMPTY };
    const unfinished = await (tasks.listUnfinished as NonNullable<TaskStore['listUnfinished']>)({
      limit: deps.batchSize ?? 10_000,
    });
    report.scanned = unfinished.length;
    const now = clock.now();
    for (const record of unfinished) {
      if (stopped) break;
      if (deps.skip?.(record.webTaskId)) continue;
      const due =
        record.status === 'pending'
          ? Date.parse(record.createdAt) <= now - graceMs
          : leaseExpiry(record, deps.lockTtlMs) <= now;
      if (!due) continue;
      const added = await (queue.ensureQueued as NonNullable<TaskQueue['ensureQueued']>)({
        message: { workspaceId: record.workspaceId, webTaskId: record.webTaskId },
      });
      if (!added) continue;
      if (record.status === 'pending') report.requeuedPending += 1;
      else report.redeliveredStarted += 1;
    }
    if (report.requeuedPending + report.redeliveredStarted > 0) {
      logger.warn('reconciled the queue with the task store', { ...report });
    }
    return report;
  };

  const sweep = (options: { graceMs?: number } = {}): Promise<ReconcileReport> => {
    // One sweep at a time; a caller arriving during a sweep shares it.
    running ??= pass(options.graceMs ?? deps.pendingGraceMs).finally(() => {
      running = undefined;
    });
    return running;
  };

  const sweepLogged = (graceMs?: number): void => {
    sweep(graceMs === undefined ? {} : { graceMs }).catch((error: unknown) =>
      logger.warn('reconciling the queue with the task store failed; the next sweep tries again', {
        error: String(error),
      }),
    );
  };

  return {
    sweep,
    start() {
      if (timer || stopped) return;
      sweepLogged(0);
      timer = setInterval(() => sweepLogged(), deps.intervalMs);
      timer.unref?.();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      await running?.catch(() => undefined);
    },
  };
}
