import type { TaskErrorCode } from '@webtasks/protocol';
import { computeHours } from '../cost.js';
import { deliverResult } from '../delivery.js';
import { toWebTasksError } from '../errors.js';
import type { TaskErrorCause, TaskRecord, TaskStore } from '../ports/task-store.js';
import { FAILED_FLAGS, type ReuseState } from '../reuse/state-machine.js';
import type { MeteredModel } from '../run/metered-model.js';
import { finishDurably } from './durable-completion.js';
import type { ExecutorDeps } from './executor-deps.js';

/**
 * Complete the task record from the state the run ended in: deliver a success's output
 * (inline or as a blob), write the patch durably (retried through store outages, at most one
 * completion) and announce it.
 */
export async function completeTask(
  deps: ExecutorDeps,
  task: TaskRecord,
  startedAt: number,
  model: MeteredModel | undefined,
  state: ReuseState,
  notes: string[] = [],
  signal?: AbortSignal,
): Promise<void> {
  const { workspaceId, webTaskId } = task;
  const cost = {
    aiUsd: model?.spend.usd ?? 0,
    compute: { unit: 'hours' as const, amount: computeHours(deps.clock.now() - startedAt) },
  };
  const completedAt = new Date(deps.clock.now()).toISOString();
  let patch: Parameters<TaskStore['transition']>[0]['patch'];
  if (state.name === 'succeeded') {
    try {
      const result = await deliverResult({
        output: state.output,
        workspaceId,
        webTaskId,
        blobs: deps.blobs,
        inlineLimitBytes: deps.limits.inlineResultBytes,
      });
      patch = {
        status: 'completed',
        outcome: 'success',
        result,
        reuse: { key: task.request.reuseKey, ...state.flags, ...(notes.length ? { notes } : {}) },
        cost,
        bundleVersion: state.version,
        completedAt,
      };
    } catch (error) {
      const wrapped = toWebTasksError(error, 'Storing the result failed');
      patch = failedPatch(task, cost, completedAt, 'internal-error', wrapped.message);
    }
  } else if (state.name === 'failed') {
    patch = failedPatch(task, cost, completedAt, state.code, state.message, state.causes);
  } else {
    patch = failedPatch(
      task,
      cost,
      completedAt,
      'internal-error',
      `The task stopped in state ${state.name}.`,
    );
  }
  await finishDurably(deps, { workspaceId, webTaskId, patch, ...(signal ? { signal } : {}) });
  deps.emit({ type: 'status', webTaskId, status: 'completed', outcome: patch.outcome ?? 'failed' });
  deps.logger.info('task completed', {
    workspaceId,
    webTaskId,
    reuseKey: task.request.reuseKey,
    outcome: patch.outcome,
    ...(patch.error ? { errorCode: patch.error.code } : {}),
    aiUsd: cost.aiUsd,
    durationMs: deps.clock.now() - startedAt,
    reuse: patch.reuse,
  });
}

function failedPatch(
  task: TaskRecord,
  cost: { aiUsd: number; compute: { unit: 'hours'; amount: number } },
  completedAt: string,
  code: TaskErrorCode,
  message: string,
  causes?: TaskErrorCause[],
) {
  return {
    status: 'completed' as const,
    outcome: 'failed' as const,
    error: { code, message, ...(causes ? { causes } : {}) },
    reuse: { key: task.request.reuseKey, ...FAILED_FLAGS },
    cost,
    completedAt,
  };
}
