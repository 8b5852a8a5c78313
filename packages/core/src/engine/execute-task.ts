import { keepLeaseAlive, keepSlotAlive } from '../adapter-kit/lease-keep-alive.js';
import { WebTasksError } from '../errors.js';
import type { LockManager } from '../ports/lock-manager.js';
import type { DeliveryInfo, QueueMessage } from '../ports/task-queue.js';
import type { TaskRecord } from '../ports/task-store.js';
import type { AdmissionTicket } from './admission.js';
import { completeTask } from './complete-task.js';
import { failSideEffectsRedelivery } from './durable-completion.js';
import type { ExecutorDeps } from './executor-deps.js';
import { withProxy } from './run-start.js';
import { runStarted } from './run-task.js';
import { holdTaskLease, leaseUntil } from './task-lease.js';

// ─── One delivery ────────────────────────────────────────────────────────────────────────
// The queue hands a task over; this file takes its turn for the reuse key and a workspace
// slot, keeps both alive, decides whether the delivery runs at all (completed, redelivered
// with side effects, delivered too often) and marks it started. The run itself is
// `runStarted` (run-task.ts).

/** Keep a lease and a slot alive while the task runs (renewal failures are logged). */
function keepAlive(
  deps: ExecutorDeps,
  held: {
    lease: Awaited<ReturnType<LockManager['acquire']>>;
    slot?: Awaited<ReturnType<LockManager['acquireSlot']>>;
  },
) {
  const ttlMs = deps.limits.lockTtlMs;
  const intervalMs = Math.max(50, Math.floor(ttlMs / 3));
  const lease = keepLeaseAlive({
    locks: deps.locks,
    lease: held.lease,
    ttlMs,
    intervalMs,
    onError: (error) =>
      deps.logger.warn('could not extend the reuse-key lease; saves stay safe through compare-and-set', {
        error: String(error),
      }),
  });
  lease.signal.addEventListener('abort', () =>
    deps.logger.warn('the reuse-key lease was lost; saves stay safe through compare-and-set', {
      error: String(lease.signal.reason),
    }),
  );
  const slot =
    held.slot &&
    keepSlotAlive({
      locks: deps.locks,
      slot: held.slot,
      ttlMs,
      intervalMs,
      onError: (error) => deps.logger.warn('could not extend the workspace slot', { error: String(error) }),
    });
  return () => {
    lease.stop();
    slot?.stop();
    held.lease = lease.current;
    if (slot) held.slot = slot.current;
  };
}

/**
 * Run one task end to end: lease the reuse key (FIFO) and a workspace slot, drive the
 * reuse state machine, deliver the result and complete the record. Infrastructure
 * failures reject (the queue redelivers); everything else completes the task.
 */
export async function executeTask(
  deps: ExecutorDeps,
  message: QueueMessage,
  delivery: DeliveryInfo,
  ticket: AdmissionTicket | undefined = deps.admit?.(),
): Promise<void> {
  const { workspaceId, webTaskId } = message;
  // Waiting for the key or a slot is not work yet: a stopping worker hands those back.
  const waitSignal = deps.draining ? AbortSignal.any([delivery.signal, deps.draining]) : delivery.signal;
  const admitted = await (ticket ?? { run: <T>(step: () => Promise<T>) => step() }).run(async () => {
    const record = await deps.tasks.get({ workspaceId, webTaskId });
    if (!record) {
      deps.logger.warn('queue message for an unknown task dropped', { workspaceId, webTaskId });
      return undefined;
    }
    if (record.status === 'completed') return undefined;
    const lease = deps.locks.acquire({
      name: `reuse:${workspaceId}:${record.request.reuseKey}`,
      ttlMs: deps.limits.lockTtlMs,
      signal: waitSignal,
    });
    // Awaited below; a rejection must not surface as unhandled before then.
    lease.catch(() => undefined);
    return { record, lease };
  });
  if (admitted) await leaseAndRun(deps, admitted.record, delivery, waitSignal, admitted.lease);
}

async function leaseAndRun(
  deps: ExecutorDeps,
  record: TaskRecord,
  delivery: DeliveryInfo,
  waitSignal: AbortSignal,
  keyLease: ReturnType<LockManager['acquire']>,
): Promise<void> {
  const { workspaceId, webTaskId } = record;
  const reuseKey = record.request.reuseKey;
  const held: {
    lease: Awaited<ReturnType<LockManager['acquire']>>;
    slot?: Awaited<ReturnType<LockManager['acquireSlot']>>;
  } = { lease: await keyLease };
  let stopKeepAlive = keepAlive(deps, held);
  try {
    held.slot = await deps.locks.acquireSlot({
      name: `workspace:${workspaceId}`,
      limit: deps.limits.maxConcurrentPerWorkspace,
      ttlMs: deps.limits.lockTtlMs,
      signal: waitSignal,
    });
    stopKeepAlive();
    stopKeepAlive = keepAlive(deps, held);
    const current = await deps.tasks.get({ workspaceId, webTaskId });
    if (!current || current.status === 'completed') return;
    if (deps.draining?.aborted) throw abortedWhileDraining();
    const startedAt = deps.clock.now();
    if (current.status === 'started' && current.request.sideEffects) {
      await failSideEffectsRedelivery(deps, current, (state) =>
        completeTask(deps, current, startedAt, undefined, state, [], delivery.signal),
      );
      return;
    }
    if (current.attempts >= deps.limits.maxDeliveries) {
      await completeTask(deps, current, startedAt, undefined, {
        name: 'failed',
        code: 'internal-error',
        message: `The worker running this task stopped ${current.attempts} times; the task was given up. Nothing was saved.`,
      });
      return;
    }
    const started = await deps.tasks.transition({
      workspaceId,
      webTaskId,
      from: ['pending', 'started'],
      patch: {
        status: 'started',
        startedAt: new Date(startedAt).toISOString(),
        attempts: current.attempts + 1,
        workerId: deps.workerId,
        leaseExpiresAt: leaseUntil(deps.clock, deps.limits.lockTtlMs),
      },
    });
    deps.emit({ type: 'status', webTaskId, status: 'started' });
    deps.logger.info('task started', { workspaceId, webTaskId, reuseKey, attempt: started.attempts });
    const lease = holdTaskLease({ ...deps, workspaceId, webTaskId, ttlMs: deps.limits.lockTtlMs });
    try {
      await runStarted(withProxy(deps, started), started, startedAt, delivery);
    } finally {
      lease.stop();
      // Handed back unfinished (the worker stops, or lost the delivery): let the reconciler
      // see at once that nobody runs it any more.
      if (delivery.signal.aborted) {
        await deps.tasks
          .transition({
            workspaceId,
            webTaskId,
            from: ['started'],
            patch: { leaseExpiresAt: leaseUntil(deps.clock, 0) },
          })
          .catch(() => undefined);
      }
    }
  } finally {
    stopKeepAlive();
    if (held.slot) await deps.locks.releaseSlot({ slot: held.slot }).catch(() => undefined);
    await deps.locks.release({ lease: held.lease }).catch(() => undefined);
  }
}

function abortedWhileDraining(): WebTasksError {
  return new WebTasksError({
    code: 'aborted',
    message: 'The worker is stopping: this task goes back to the queue before it started.',
  });
}
