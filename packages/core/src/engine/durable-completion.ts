import { WebTasksError } from '../errors.js';
import type { Bundle, BundleStore, NewBundle } from '../ports/bundle-store.js';
import type { Logger } from '../ports/clock.js';
import type { TaskPatch, TaskRecord, TaskStore } from '../ports/task-store.js';
import type { ReuseState } from '../reuse/state-machine.js';
import { retryStoreCall } from './store-retry.js';

// ─── At most one completion ──────────────────────────────────────────────────────────────
// Once a task's code ran, its outcome must be written, not the task run again. The writes
// after the run are retried through store outages (instead of failing the delivery, which
// makes the queue redeliver it), and each is idempotent: a retry of a write that did land
// (the reply was lost) is recognised as done.

interface Deps {
  tasks: TaskStore;
  bundles: BundleStore;
  logger: Logger;
}

/**
 * Write the completion patch, retrying while the store is unavailable. A `conflict` because
 * the record is already completed (an earlier try landed, or a redelivered copy finished
 * first) counts as done.
 */
export async function finishDurably(
  deps: Deps,
  call: { workspaceId: string; webTaskId: string; patch: TaskPatch; signal?: AbortSignal },
): Promise<void> {
  const { workspaceId, webTaskId, patch } = call;
  try {
    await retryStoreCall(
      () => deps.tasks.transition({ workspaceId, webTaskId, from: ['started', 'pending'], patch }),
      {
        what: 'complete the task record',
        logger: deps.logger,
        ...(call.signal ? { signal: call.signal } : {}),
      },
    );
  } catch (error) {
    if (!WebTasksError.hasCode(error, 'conflict')) throw error;
    const current = await deps.tasks.get({ workspaceId, webTaskId });
    if (current?.status !== 'completed') throw error;
    deps.logger.info('the task was already completed; keeping that completion', { webTaskId });
  }
}

/**
 * Save a bundle version, retrying while the store is unavailable. A `conflict` whose winner
 * is this very task with this very code means an earlier try landed: that version is ours.
 */
export async function saveIdempotently(
  deps: Deps,
  signal: AbortSignal,
  call: { bundle: NewBundle; expectedVersion: number; signal?: AbortSignal },
): Promise<Bundle> {
  try {
    return await retryStoreCall(() => deps.bundles.save(call), {
      what: 'save the bundle',
      logger: deps.logger,
      signal,
    });
  } catch (error) {
    if (!WebTasksError.hasCode(error, 'conflict')) throw error;
    const latest = await deps.bundles.latest({
      workspaceId: call.bundle.workspaceId,
      reuseKey: call.bundle.reuseKey,
      signal,
    });
    const ours =
      latest !== undefined &&
      latest.version === call.expectedVersion + 1 &&
      latest.webTaskId === call.bundle.webTaskId &&
      latest.source === call.bundle.source;
    if (ours) return latest;
    throw error;
  }
}

/**
 * A side-effecting task (`sideEffects: true`) found `started` on a new delivery: its code may
 * have run on a worker that died. It is failed instead of run again.
 */
export async function failSideEffectsRedelivery(
  deps: { logger: Logger },
  task: TaskRecord,
  complete: (state: ReuseState) => Promise<void>,
): Promise<void> {
  deps.logger.warn('a side-effecting task was delivered again after it started; failing it', {
    webTaskId: task.webTaskId,
    workerId: task.workerId,
  });
  await complete({
    name: 'failed',
    code: 'internal-error',
    message:
      'The worker running this task stopped after the task started, and the task changes the site (sideEffects: true), so it was not run again: it may or may not have taken effect. Check the site, then start it again if needed.',
  });
}
